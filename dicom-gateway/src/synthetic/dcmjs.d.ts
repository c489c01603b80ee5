/** dcmjs ships no typings; the synthetic writer uses only its Part 10 reader and writer. */
declare module 'dcmjs' {
  type Denaturalized = Record<string, { vr: string; Value?: unknown[] }>;
  const dcmjs: {
    data: {
      DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
      DicomMetaDictionary: {
        denaturalizeDataset(dataset: Record<string, unknown>): Denaturalized;
      };
      DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Denaturalized; meta: Denaturalized } };
    };
  };
  export default dcmjs;
}
