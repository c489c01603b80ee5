/**
 * C-FIND identifiers (PS3.4 C.2.2) in dcmjs's naturalized form (keyword → value; one value is a
 * scalar, several an array; PN as `{Alphabetic, Ideographic, Phonetic}`; sequences as arrays of items).
 * A key with a value is a matching key; every key is a return key.
 */
import { decodeText, joinPersonName, type PersonName } from '../charset/index.js';
import { keywordOf, tagOf, vrOf } from '../dicom/dictionary.js';
import type { DicomJson } from '../dicom/json.js';

export type Naturalized = Record<string, unknown>;

/** Keys that steer the query rather than describe what to match or return. */
const CONTROL_KEYS: ReadonlySet<string> = new Set(['_vrMap', 'SpecificCharacterSet', 'QueryRetrieveLevel', 'QueryRetrieveView']);

export function identifierKeys(identifier: Naturalized): string[] {
  return Object.keys(identifier).filter((k) => !CONTROL_KEYS.has(k) && tagOf(k) !== undefined);
}

export function vrOfKey(key: string): string {
  const tag = tagOf(key);
  return tag ? vrOf(tag) : 'UN';
}

const isItem = (v: unknown): v is Naturalized => typeof v === 'object' && v !== null && !Array.isArray(v) && !isPersonName(v);

function isPersonName(v: unknown): v is PersonName {
  return typeof v === 'object' && v !== null && ['Alphabetic', 'Ideographic', 'Phonetic'].some((g) => g in v);
}

/**
 * The value as a DICOM string (`\` between values, PN groups joined with `=`), or undefined for
 * universal matching (no value) and for sequences, which are matched item by item instead.
 */
export function matchString(value: unknown): string | undefined {
  const values = Array.isArray(value) ? value : [value];
  if (values.some(isItem)) return undefined;
  const text = values
    .filter((v) => v !== null && v !== undefined)
    .map((v) => (isPersonName(v) ? joinPersonName(v) : String(v)))
    .join('\\')
    .trim();
  return text === '' ? undefined : text;
}

/** The sequence items of a value, or undefined if it is not a sequence. */
export function sequenceItems(value: unknown): Naturalized[] | undefined {
  if (Array.isArray(value) && value.length > 0 && value.every(isItem)) return value as Naturalized[];
  return undefined;
}

/**
 * The response identifier: exactly the keys asked for, each with the match's value or empty
 * (PS3.4 C.2.2.1.2: return keys without a value are still returned), sequences projected on the
 * keys of the request's item.
 */
export function project(request: Naturalized, match: Naturalized): Naturalized {
  const out: Naturalized = {};
  for (const key of identifierKeys(request)) {
    const wanted = sequenceItems(request[key]);
    const have = match[key];
    if (wanted && wanted[0]) {
      const template = wanted[0];
      out[key] = (sequenceItems(have) ?? []).map((item) => project(template, item));
    } else {
      out[key] = have === undefined ? emptyValue(key) : have;
    }
  }
  return out;
}

function emptyValue(key: string): unknown {
  const vr = vrOfKey(key);
  if (vr === 'SQ') return [];
  if (vr === 'PN') return null;
  return '';
}

/** DICOM JSON (tag → {vr, Value}) to the naturalized form dcmjs writes; tags without a keyword are left out. */
export function naturalize(json: DicomJson): Naturalized {
  const out: Naturalized = {};
  for (const [tag, element] of Object.entries(json)) {
    const keyword = keywordOf(tag);
    if (!keyword || element.BulkDataURI !== undefined || element.InlineBinary !== undefined) continue;
    const values = element.vr === 'SQ' ? (element.Value ?? []).map((item) => naturalize(item as DicomJson)) : element.Value;
    if (element.vr === 'SQ') out[keyword] = values;
    else if (!values || values.length === 0) out[keyword] = emptyValue(keyword);
    else out[keyword] = values.length === 1 ? values[0] : values;
  }
  return out;
}

const ESCAPE_SEQUENCE = /\x1b[\x20-\x2f]*[\x30-\x7e]/g;

/**
 * Text of a C-FIND identifier as the modality meant it. dcmjs reads an identifier in the first
 * Specific Character Set value only: with `\\ISO 2022 IR 58` (or IR 87, 149) that is the default
 * repertoire, which keeps each byte as one character, ISO 2022 escapes included — so such text is
 * decoded again here, following its escapes. Where dcmjs did decode (a first value `ISO 2022 IR 58`
 * read as GBK), only the escape sequences are left to remove.
 */
function redecode(text: string, personName: boolean): string {
  if (!text.includes('\x1b')) return text;
  if ([...text].every((c) => c.charCodeAt(0) <= 0xff)) return decodeText(Buffer.from(text, 'latin1'), '\\ISO 2022 IR 6', { personName });
  return text.replace(ESCAPE_SEQUENCE, '');
}

/** Each character WHATWG's `latin1` decoder (windows-1252, which dcmjs reads undeclared text in) makes of a byte, back to the byte. */
const WINDOWS_1252_BYTES = new Map(Array.from({ length: 256 }, (_, b) => [new TextDecoder('latin1').decode(Uint8Array.of(b)), b]));

/**
 * Text of an identifier with no Specific Character Set. dcmjs read its bytes as windows-1252; they
 * are read again as the gateway reads undeclared text everywhere (`decodeText`: UTF-8 when valid,
 * else GB18030), since that is what such a modality sends.
 */
function undeclared(text: string, personName: boolean): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  const bytes: number[] = [];
  for (const c of text) {
    const byte = WINDOWS_1252_BYTES.get(c);
    if (byte === undefined) return text;
    bytes.push(byte);
  }
  return decodeText(Uint8Array.from(bytes), undefined, { personName });
}

export function repairIdentifier(identifier: Naturalized): Naturalized {
  // dcmjs keeps the element only when the modality sent one (then rewritten to `ISO_IR 192`).
  return repair(identifier, identifier.SpecificCharacterSet !== undefined);
}

function repair(identifier: Naturalized, declared: boolean): Naturalized {
  const fix = (value: unknown, personName: boolean): unknown => {
    if (typeof value === 'string') return declared ? redecode(value, personName) : undeclared(value, personName);
    if (Array.isArray(value)) return value.map((v) => fix(v, personName));
    if (isPersonName(value)) return Object.fromEntries(Object.entries(value).map(([group, v]) => [group, fix(v, true)]));
    if (isItem(value)) return repair(value, declared);
    return value;
  };
  return Object.fromEntries(Object.entries(identifier).map(([key, value]) => [key, fix(value, vrOfKey(key) === 'PN')]));
}
