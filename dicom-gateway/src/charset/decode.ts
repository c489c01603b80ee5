import { ASCII, ESCAPES, TERMS, type GraphicSet, type TermDecoding } from './terms.js';

/** The value of Specific Character Set (0008,0005): one string with `\` between values, or the values. */
export type SpecificCharacterSet = string | readonly string[] | null | undefined;

/** A Person Name value split into its component groups (PS3.5 6.2.1), as DICOM JSON writes it. */
export interface PersonName {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}

/** Value representations whose text is encoded in the Specific Character Set; all others are ASCII. */
export const CHARSET_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'PN', 'UC', 'UT']);

/** VRs holding one value in which `\` is an ordinary character. */
const SINGLE_VALUED_TEXT: ReadonlySet<string> = new Set(['ST', 'LT', 'UT']);

interface Decoder {
  decode(bytes: Uint8Array): string;
}

const decoders = new Map<string, Decoder>();

/** WHATWG's `latin1` label means windows-1252; DICOM's ISO-IR 100 is true ISO 8859-1 (C1 controls intact). */
function decoderFor(label: string): Decoder {
  let decoder = decoders.get(label);
  if (!decoder) {
    decoder = label === 'latin1' ? { decode: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1') } : new TextDecoder(label);
    decoders.set(label, decoder);
  }
  return decoder;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** The defined terms, in order; value 1 may be empty (the default repertoire). Spacing and case are forgiven. */
export function characterSetTerms(scs: SpecificCharacterSet): string[] {
  if (scs === null || scs === undefined) return [];
  const values = typeof scs === 'string' ? scs.split('\\') : [...scs];
  return values.map((v) => v.trim().toUpperCase().replace(/\s+/g, ' ').replace(/^ISO-IR /, 'ISO_IR '));
}

/** The decoding value 1 starts in, or undefined when the term is unknown. */
function initialDecoding(scs: SpecificCharacterSet): TermDecoding | undefined {
  return TERMS[characterSetTerms(scs)[0] ?? ''];
}

/** True when the Specific Character Set names a known character set (or none: the default repertoire). */
export function isKnownCharacterSet(scs: SpecificCharacterSet): boolean {
  return characterSetTerms(scs).every((term, i) => (i === 0 && term === '') || term in TERMS);
}

/**
 * Decodes one element's bytes (all its values, `\` delimiters kept) into a string.
 *
 * ISO 2022 code extensions are followed wherever they appear, and the initial sets are restored at
 * the delimiters PS3.5 6.1.2.5.3 names (`\`, control characters, and `^` `=` in a Person Name), so
 * each value and each name group decodes on its own.
 *
 * Chinese devices often omit (0008,0005), write an unknown term, or declare `\ISO 2022 IR 58` and
 * then leave out the escape sequences: bytes outside ASCII with no set to read them in (and no escape
 * anywhere in the value) are read as UTF-8 when they are valid UTF-8, else as GB18030 (a superset of
 * GBK and GB 2312) — a guess, but the one that is right on such devices.
 */
export function decodeText(bytes: Uint8Array, scs: SpecificCharacterSet, options: { personName?: boolean } = {}): string {
  const initial = initialDecoding(scs);
  if (initial?.kind === 'whole') return decoderFor(initial.decoder).decode(bytes);
  if (!initial || (!initial.g1 && !bytes.includes(0x1b) && bytes.some((b) => b >= 0x80))) return guess(bytes);
  return decodeIso2022(bytes, initial, options.personName === true);
}

function guess(bytes: Uint8Array): string {
  if (!bytes.some((b) => b >= 0x80)) return decoderFor('latin1').decode(bytes);
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return decoderFor('gb18030').decode(bytes);
  }
}

const ESC = 0x1b;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const EQUALS = 0x3d;
/** Control characters before which the initial sets are active again: TAB, LF, FF, CR. */
const RESETTING_CONTROLS: ReadonlySet<number> = new Set([0x09, 0x0a, 0x0c, 0x0d]);

function matchEscape(bytes: Uint8Array, at: number): (typeof ESCAPES)[number] | undefined {
  return ESCAPES.find((e) => e.bytes.every((b, k) => bytes[at + k] === b));
}

/** The ISO 2022 machine of PS3.5 6.1.2.5: G0 (bytes below 0x80) and G1 (0x80 and up) as designated. */
function decodeIso2022(bytes: Uint8Array, initial: { g0: GraphicSet; g1?: GraphicSet }, personName: boolean): string {
  let g0 = initial.g0;
  let g1 = initial.g1;
  const out: string[] = [];
  let run: number[] = [];
  let runSet: GraphicSet | undefined;

  const flush = (): void => {
    if (runSet && run.length > 0) out.push(decoderFor(runSet.decoder).decode(Uint8Array.from(run)));
    run = [];
  };
  const emit = (set: GraphicSet, char: number[]): void => {
    if (set !== runSet) {
      flush();
      runSet = set;
    }
    for (const b of set.rewrite ? set.rewrite(char) : char) run.push(b);
  };
  const invalid = (): void => {
    flush();
    runSet = undefined;
    out.push('\uFFFD');
  };

  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const next = bytes[i + 1];
    if (b === ESC) {
      const escape = matchEscape(bytes, i + 1);
      if (escape) {
        if (escape.g === 0) g0 = escape.set;
        else g1 = escape.set;
        i += 1 + escape.bytes.length;
      } else {
        invalid();
        i += 1;
      }
      continue;
    }
    if (b < 0x21 || b === 0x7f) {
      if (RESETTING_CONTROLS.has(b)) [g0, g1] = [initial.g0, initial.g1];
      emit(ASCII, [b]);
      i += 1;
    } else if (b < 0x80) {
      if (g0.width === 2) {
        if (next !== undefined && next >= 0x21 && next < 0x7f) {
          emit(g0, [b, next]);
          i += 2;
        } else {
          invalid();
          i += 1;
        }
        continue;
      }
      if (b === BACKSLASH || (personName && (b === CARET || b === EQUALS))) [g0, g1] = [initial.g0, initial.g1];
      emit(g0, [b]);
      i += 1;
    } else if (!g1) {
      invalid();
      i += 1;
    } else if (g1.width === 2) {
      if (next !== undefined && next >= 0x80) {
        emit(g1, [b, next]);
        i += 2;
      } else {
        invalid();
        i += 1;
      }
    } else {
      // 0x80–0x9F are C1 controls in every ISO 8859 part, not characters of the G1 set.
      emit(b < 0xa0 ? ASCII : g1, [b]);
      i += 1;
    }
  }
  flush();
  return out.join('');
}

/**
 * Decodes an element's values: split at `\` (except ST, LT, UT, which hold one value), padding
 * removed (trailing spaces and NULs; leading spaces too except in ST, LT, UT).
 */
export function decodeValues(bytes: Uint8Array, scs: SpecificCharacterSet, vr: string): string[] {
  if (bytes.length === 0) return [];
  const text = decodeText(bytes, CHARSET_VRS.has(vr) ? scs : undefined, { personName: vr === 'PN' });
  if (SINGLE_VALUED_TEXT.has(vr)) return [text.replace(/[ \0]+$/, '')];
  return text.split('\\').map((v) => v.replace(/^ +|[ \0]+$/g, ''));
}

/** Decodes a PN element: one PersonName per value. */
export function decodePersonNames(bytes: Uint8Array, scs: SpecificCharacterSet): PersonName[] {
  return decodeValues(bytes, scs, 'PN').map(splitPersonName);
}

/** Splits one decoded Person Name value at `=` into its groups; empty groups are left out. */
export function splitPersonName(value: string): PersonName {
  const [alphabetic, ideographic, phonetic] = value.split('=').map((g) => g.replace(/[ \0]+$/, ''));
  const name: PersonName = {};
  if (alphabetic) name.Alphabetic = alphabetic;
  if (ideographic) name.Ideographic = ideographic;
  if (phonetic) name.Phonetic = phonetic;
  return name;
}

/** Joins groups back into one PN value (trailing empty groups dropped), e.g. for a DIMSE reply in UTF-8. */
export function joinPersonName(name: PersonName): string {
  return [name.Alphabetic ?? '', name.Ideographic ?? '', name.Phonetic ?? ''].join('=').replace(/=+$/, '');
}
