/**
 * Text in DICOM's character sets (PS3.3 C.12.1.1.2, PS3.5 6.1; WS/T 544 for the Chinese ones):
 * bytes of SH, LO, ST, LT, PN, UC, UT → JavaScript strings, per the dataset's Specific Character Set.
 *
 * - `decodeText(bytes, scs)` — one element's raw text, `\` delimiters kept;
 * - `decodeValues(bytes, scs, vr)` — its values, split and unpadded;
 * - `decodePersonNames(bytes, scs)` — PN values as `{Alphabetic, Ideographic, Phonetic}` (DICOM JSON);
 * - `splitPersonName(text)` / `joinPersonName(name)` — the same on already decoded text.
 *
 * Supported: default repertoire, ISO_IR 192 (UTF-8), GB18030, GBK, ISO 2022 IR 58 (GB 2312), the
 * ISO 8859 parts (IR 100…203, 166), Japanese (IR 13, 87, 159) and Korean (IR 149) with code extensions.
 * Writing goes out as ISO_IR 192, which every set here maps into.
 */
export {
  CHARSET_VRS,
  characterSetTerms,
  decodePersonNames,
  decodeText,
  decodeValues,
  isKnownCharacterSet,
  joinPersonName,
  splitPersonName,
  type PersonName,
  type SpecificCharacterSet,
} from './decode.js';
