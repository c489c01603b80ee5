import { pinyin } from 'pinyin-pro';

const HAN = /\p{Script=Han}/u;

/** What an `$expand` filter is matched against, lower-cased. */
export interface SearchKeys {
  /** The texts: a filter matches anywhere in them. */
  texts: string[];
  /** Pinyin initials (`dzs` for 达州市) and full pinyin (`dazhoushi`): a filter matches their start. */
  pinyin: string[];
}

/** Built once per concept at load, so staff can type pinyin on a keyboard without an input method. */
export function searchKeys(values: readonly (string | undefined)[]): SearchKeys {
  const texts = new Set<string>();
  const spelled = new Set<string>();
  for (const text of values) {
    if (!text) continue;
    texts.add(text.toLowerCase());
    if (!HAN.test(text)) continue;
    spelled.add(pinyin(text, { pattern: 'first', toneType: 'none', separator: '' }).toLowerCase());
    spelled.add(pinyin(text, { toneType: 'none', separator: '' }).toLowerCase());
  }
  return { texts: [...texts], pinyin: [...spelled] };
}

export function matchesKeys(keys: SearchKeys, filter: string): boolean {
  return keys.texts.some((k) => k.includes(filter)) || keys.pinyin.some((k) => k.startsWith(filter));
}
