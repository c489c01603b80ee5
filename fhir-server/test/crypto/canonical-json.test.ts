import { readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../../src/crypto/canonical-json.js';

describe('canonical JSON (RFC 8785 key order, ECMAScript values)', () => {
  it('orders keys by UTF-16 code units, not by code points or locale', () => {
    // RFC 8785 §3.2.3's sorting example: U+1F600 (surrogates D83D DE00) sorts before U+FB33.
    const value = { '\u20ac': 'Euro', '\r': 'CR', '\ufb33': 'Dalet', '1': 'One', '\ud83d\ude00': 'Emoji', '\u0080': 'Control', '\u00f6': 'o' };
    expect(canonicalJson(value)).toBe('{"\\r":"CR","1":"One","\u0080":"Control","ö":"o","€":"Euro","😀":"Emoji","דּ":"Dalet"}');
  });

  it('writes no white space, keeps array order, nests, and leaves out undefined members', () => {
    expect(canonicalJson({ b: [3, { z: null, a: true }, 'x'], a: { d: undefined, c: 1.5e-7 }, e: [] })).toBe('{"a":{"c":1.5e-7},"b":[3,{"a":true,"z":null},"x"],"e":[]}');
    expect(canonicalJson('a "quoted"\nline')).toBe('"a \\"quoted\\"\\nline"');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('reads back as the same data, whatever order the keys came in', () => {
    const text = readFileSync(path.resolve(import.meta.dirname, '../../../profiles/examples/valid/Composition.json'), 'utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const reversed = Object.fromEntries(Object.entries(parsed).reverse());
    expect(canonicalJson(reversed)).toBe(canonicalJson(parsed));
    expect(JSON.parse(canonicalJson(parsed))).toEqual(parsed);
  });
});
