import type { HumanName } from '@medplum/fhirtypes';
import { pinyin } from 'pinyin-pro';
import type { Outcome } from './weights.js';

/** A name reduced to what comparison needs. */
export interface NameKey {
  /** Characters as written, without spaces and the middle dots of minority names (阿依·买买提). */
  full: string;
  family: string;
  /** Toneless pinyin (or the Latin letters as written), lower case, without separators: `zhangsan`. */
  sounds: string[];
}

const HAN = /\p{Script=Han}/u;
/** Two-character surnames still in use, so that 欧阳娜娜's family name is 欧阳, not 欧. */
const COMPOUND_SURNAMES = new Set(
  '欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 百里 呼延 万俟 闻人 澹台 公冶 申屠 太史 钟离 宗政 濮阳 淳于 单于 赫连 拓跋'.split(' '),
);

/** The family name of a name written as one string, family first. */
function leadingSurname(full: string): string {
  const chars = [...full];
  const two = chars.slice(0, 2).join('');
  return chars.length > 2 && COMPOUND_SURNAMES.has(two) ? two : (chars[0] ?? '');
}
const SEPARATORS = /[\s·•．.\-‧]/gu;

function clean(text: string): string {
  return text.normalize('NFKC').replace(SEPARATORS, '').toLowerCase();
}

/** Pinyin of Chinese text, reading the first character as a surname (单 shan, 曾 zeng); letters kept as they are. */
function sound(text: string, surnameFirst: boolean): string {
  if (!HAN.test(text)) return clean(text).replace(/[^a-z]/g, '');
  return pinyin(text, { toneType: 'none', type: 'array', ...(surnameFirst ? { surname: 'head' as const } : {}) })
    .join('')
    .replace(/[^a-z]/gi, '')
    .toLowerCase()
    .replace(/ü/g, 'v');
}

export function nameKey(name: HumanName): NameKey | undefined {
  const given = (name.given ?? []).join('');
  const family = name.family ?? '';
  const text = name.text ?? (HAN.test(family + given) ? family + given : [family, given].filter(Boolean).join(' '));
  const full = clean(text);
  if (!full) return undefined;
  const latin = !HAN.test(full);
  const familyKey = clean(family) || (latin ? '' : leadingSurname(full));
  const sounds = new Set([sound(text, true)]);
  // Latin-letter names come in either order ("San Zhang" on a passport-style form).
  if (latin && family && given) {
    sounds.add(sound(family + given, false));
    sounds.add(sound(given + family, false));
  }
  return { full, family: familyKey, sounds: [...sounds].filter(Boolean) };
}

/** One substitution, insertion or deletion at most. */
function withinOneEdit(a: string[], b: string[]): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

export function compareNameKeys(a: NameKey, b: NameKey): Outcome {
  if (a.full === b.full) return 'agree';
  if (a.sounds.some((s) => b.sounds.includes(s))) return 'pinyin';
  const [ca, cb] = [[...a.full], [...b.full]];
  if (Math.min(ca.length, cb.length) >= 2 && withinOneEdit(ca, cb)) return 'similar';
  if (a.family && a.family === b.family) return 'family';
  return 'disagree';
}

const RANK: Record<Outcome, number> = { agree: 6, pinyin: 5, similar: 4, close: 4, family: 3, city: 2, disagree: 1 };

/** The best outcome over every pair of names the two records carry; undefined when a side has none. */
export function compareNames(a: readonly HumanName[] | undefined, b: readonly HumanName[] | undefined): Outcome | undefined {
  const ka = (a ?? []).map(nameKey).filter((k): k is NameKey => k !== undefined);
  const kb = (b ?? []).map(nameKey).filter((k): k is NameKey => k !== undefined);
  let best: Outcome | undefined;
  for (const x of ka) {
    for (const y of kb) {
      const outcome = compareNameKeys(x, y);
      if (!best || RANK[outcome] > RANK[best]) best = outcome;
    }
  }
  return best;
}
