/**
 * The character sets of DICOM PS3.3 C.12.1.1.2 (Specific Character Set, 0008,0005) as data: each
 * defined term names a graphic set and how it is invoked; WS/T 544 adds nothing new but makes the
 * Chinese ones (ISO_IR 192, GB18030, GBK, ISO 2022 IR 58) the ones that matter here.
 *
 * A graphic set is decoded by handing its bytes, rewritten into an encoding Node's ICU `TextDecoder`
 * knows, to that decoder: a 94×94 set held in G1 (GB 2312, KS X 1001) is already EUC; one held in G0
 * (JIS X 0208/0212, 7-bit) becomes EUC-JP by setting the high bits.
 */

/** One graphic character set, as it appears in the byte stream after being designated. */
export interface GraphicSet {
  readonly name: string;
  /** `TextDecoder` label for the rewritten bytes. */
  readonly decoder: string;
  /** Bytes per character: 1, or 2 for the 94×94 sets. */
  readonly width: 1 | 2;
  /** Rewrites one character's bytes (as found in the stream) into the decoder's encoding. */
  readonly rewrite?: (bytes: number[]) => number[];
}

const setHigh = (bytes: number[]): number[] => bytes.map((b) => b | 0x80);

export const ASCII: GraphicSet = { name: 'ISO-IR 6', decoder: 'latin1', width: 1 };

/** Sets designated to G1 by an ISO 8859 escape (ESC - F): bytes 0xA0–0xFF are the upper half. */
const iso8859 = (ir: string, label: string): GraphicSet => ({ name: `ISO-IR ${ir}`, decoder: label, width: 1 });

const G1_SETS = {
  ir100: iso8859('100', 'latin1'),
  ir101: iso8859('101', 'iso-8859-2'),
  ir109: iso8859('109', 'iso-8859-3'),
  ir110: iso8859('110', 'iso-8859-4'),
  ir144: iso8859('144', 'iso-8859-5'),
  ir127: iso8859('127', 'iso-8859-6'),
  ir126: iso8859('126', 'iso-8859-7'),
  ir138: iso8859('138', 'iso-8859-8'),
  ir148: iso8859('148', 'iso-8859-9'),
  ir203: iso8859('203', 'iso-8859-15'),
  ir166: iso8859('166', 'windows-874'),
  /** JIS X 0201 katakana in G1: EUC-JP writes it as 0x8E + byte. */
  ir13: { name: 'ISO-IR 13', decoder: 'euc-jp', width: 1, rewrite: (b) => [0x8e, ...b] } as GraphicSet,
  /** GB 2312 in G1 (GR): the bytes are EUC-CN, a subset of GBK. */
  ir58: { name: 'ISO-IR 58', decoder: 'gbk', width: 2 } as GraphicSet,
  /** KS X 1001 in G1 (GR): the bytes are EUC-KR. */
  ir149: { name: 'ISO-IR 149', decoder: 'euc-kr', width: 2 } as GraphicSet,
};

const G0_SETS = {
  ir6: ASCII,
  /** JIS X 0201 Romaji differs from ASCII only at 0x5C (yen) and 0x7E (overline); read as ASCII. */
  ir14: { ...ASCII, name: 'ISO-IR 14' } as GraphicSet,
  ir87: { name: 'ISO-IR 87', decoder: 'euc-jp', width: 2, rewrite: setHigh } as GraphicSet,
  ir159: { name: 'ISO-IR 159', decoder: 'euc-jp', width: 2, rewrite: (b) => [0x8f, ...setHigh(b)] } as GraphicSet,
};

/** Escape sequences (the bytes after ESC) → which register they designate and the set. */
export const ESCAPES: ReadonlyArray<{ bytes: readonly number[]; g: 0 | 1; set: GraphicSet }> = [
  { bytes: [0x28, 0x42], g: 0, set: G0_SETS.ir6 }, // ESC ( B
  { bytes: [0x28, 0x4a], g: 0, set: G0_SETS.ir14 }, // ESC ( J
  { bytes: [0x24, 0x42], g: 0, set: G0_SETS.ir87 }, // ESC $ B
  { bytes: [0x24, 0x28, 0x44], g: 0, set: G0_SETS.ir159 }, // ESC $ ( D
  { bytes: [0x29, 0x49], g: 1, set: G1_SETS.ir13 }, // ESC ) I
  { bytes: [0x24, 0x29, 0x41], g: 1, set: G1_SETS.ir58 }, // ESC $ ) A
  { bytes: [0x24, 0x29, 0x43], g: 1, set: G1_SETS.ir149 }, // ESC $ ) C
  { bytes: [0x2d, 0x41], g: 1, set: G1_SETS.ir100 }, // ESC - A
  { bytes: [0x2d, 0x42], g: 1, set: G1_SETS.ir101 },
  { bytes: [0x2d, 0x43], g: 1, set: G1_SETS.ir109 },
  { bytes: [0x2d, 0x44], g: 1, set: G1_SETS.ir110 },
  { bytes: [0x2d, 0x4c], g: 1, set: G1_SETS.ir144 },
  { bytes: [0x2d, 0x47], g: 1, set: G1_SETS.ir127 },
  { bytes: [0x2d, 0x46], g: 1, set: G1_SETS.ir126 },
  { bytes: [0x2d, 0x48], g: 1, set: G1_SETS.ir138 },
  { bytes: [0x2d, 0x4d], g: 1, set: G1_SETS.ir148 },
  { bytes: [0x2d, 0x62], g: 1, set: G1_SETS.ir203 },
  { bytes: [0x2d, 0x54], g: 1, set: G1_SETS.ir166 },
];

/**
 * How a defined term decodes when it is value 1 (the initial state):
 * - `whole`: a character set without code extensions that is not ISO 2022 (UTF-8, GB18030, GBK) —
 *   the whole value goes to one decoder, and delimiters are found after decoding, because GBK trail
 *   bytes can equal `\` or `^`;
 * - `iso2022`: the initial G0/G1 of the ISO 2022 machine (G1 absent for the default repertoire).
 */
export type TermDecoding =
  | { readonly kind: 'whole'; readonly decoder: string }
  | { readonly kind: 'iso2022'; readonly g0: GraphicSet; readonly g1?: GraphicSet };

const iso = (g1?: GraphicSet, g0: GraphicSet = ASCII): TermDecoding => ({ kind: 'iso2022', g0, ...(g1 ? { g1 } : {}) });

/**
 * Defined terms, with and without code extensions (the two spellings share their sets). `GB2312`
 * and `ISO_IR 58` are not defined terms but are written by some Chinese devices; read as GBK.
 */
export const TERMS: Readonly<Record<string, TermDecoding>> = {
  '': iso(),
  'ISO_IR 6': iso(),
  'ISO 2022 IR 6': iso(),
  'ISO_IR 192': { kind: 'whole', decoder: 'utf-8' },
  GB18030: { kind: 'whole', decoder: 'gb18030' },
  GBK: { kind: 'whole', decoder: 'gbk' },
  GB2312: { kind: 'whole', decoder: 'gbk' },
  'ISO_IR 58': { kind: 'whole', decoder: 'gbk' },
  'ISO 2022 IR 58': iso(G1_SETS.ir58),
  'ISO 2022 IR 149': iso(G1_SETS.ir149),
  'ISO 2022 IR 87': iso(),
  'ISO 2022 IR 159': iso(),
  'ISO_IR 13': iso(G1_SETS.ir13, G0_SETS.ir14),
  'ISO 2022 IR 13': iso(G1_SETS.ir13, G0_SETS.ir14),
  ...Object.fromEntries(
    (['100', '101', '109', '110', '144', '127', '126', '138', '148', '203', '166'] as const).flatMap((ir) => {
      const set = G1_SETS[`ir${ir}`];
      return [
        [`ISO_IR ${ir}`, iso(set)],
        [`ISO 2022 IR ${ir}`, iso(set)],
      ];
    }),
  ),
};
