import { dictionary } from 'dcmjs/dictionary';

/**
 * The PS3.6 data dictionary (as shipped by dcmjs): the VR of implicit-VR elements, and keyword ↔ tag
 * for QIDO matching keys and `includefield`. Tags are 8 upper-case hex digits, as in DICOM JSON.
 */
const byTag = new Map<string, { vr: string; keyword: string }>();
const byKeyword = new Map<string, string>();
for (const [key, entry] of Object.entries(dictionary)) {
  const m = /^\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)$/.exec(key);
  if (!m || !entry || entry.version === 'PrivateTag') continue;
  const tag = `${m[1]}${m[2]}`.toUpperCase();
  // "US or SS", "OB or OW": the first is right for the elements a gateway reads (pixel data is OW).
  const vr = entry.vr.split(' or ')[0] ?? 'UN';
  byTag.set(tag, { vr: vr === 'ox' || vr === 'xs' ? 'US' : vr, keyword: entry.name });
  byKeyword.set(entry.name, tag);
}

export function vrOf(tag: string): string {
  if (tag.endsWith('0000')) return 'UL';
  return byTag.get(tag)?.vr ?? 'UN';
}

export function keywordOf(tag: string): string | undefined {
  return byTag.get(tag)?.keyword;
}

/** A keyword (`PatientName`) or tag (`00100010`) to the tag; undefined if neither. */
export function tagOf(keyOrTag: string): string | undefined {
  if (/^[0-9A-Fa-f]{8}$/.test(keyOrTag)) return keyOrTag.toUpperCase();
  return byKeyword.get(keyOrTag);
}
