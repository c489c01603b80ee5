import type { PersonName } from '../charset/index.js';
import type { DicomJson } from '../dicom/json.js';

/**
 * Which attributes each query level returns (PS3.18 Tables 10.6.3-3 to -5, plus the identifying
 * attributes a C-FIND SCP reports), picked from an instance's DICOM JSON at ingest.
 */
export const PATIENT_TAGS = ['00080005', '00100010', '00100020', '00100021', '00100024', '00100030', '00100032', '00100040', '00101000', '00101002', '00102160'];
export const STUDY_TAGS = ['00080020', '00080030', '00080050', '00080051', '00080090', '00080201', '00081030', '00081032', '0020000D', '00200010', '00101010', '00101020', '00101030'];
export const SERIES_TAGS = ['00080021', '00080031', '00080060', '0008103E', '00180015', '0020000E', '00200011', '00400244', '00400245', '00400275', '00081250'];
export const INSTANCE_TAGS = ['00080016', '00080018', '00080023', '00080033', '00200013', '00280008', '00280010', '00280011', '00280100', '00081115', '0040A491', '0040A493', '0040A730'];

export function pick(json: DicomJson, tags: readonly string[]): DicomJson {
  const out: DicomJson = {};
  for (const tag of tags) {
    const element = json[tag];
    if (element) out[tag] = element;
  }
  return out;
}

/** Person name groups (upper case, for case-insensitive exact and wildcard matching) and words (fuzzy). */
export function nameKeys(name: PersonName | undefined): { groups: string[]; words: string[] } {
  if (!name) return { groups: [], words: [] };
  const groups = [name.Alphabetic, name.Ideographic, name.Phonetic].map((g) => g?.replace(/\^+$/, '').toUpperCase()).filter((g): g is string => !!g);
  const words = [...new Set(groups.flatMap((g) => g.split(/[\^\s,]+/)).filter(Boolean))];
  return { groups, words };
}
