/** dcmjs ships no typings; tests use only its writer. */
declare module 'dcmjs' {
  const dcmjs: {
    data: {
      DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
      DicomMetaDictionary: { denaturalizeDataset(dataset: Record<string, unknown>): unknown };
      DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, { vr: string; Value?: unknown[] }>; meta: Record<string, { vr: string; Value?: unknown[] }> } };
    };
  };
  export default dcmjs;
}
