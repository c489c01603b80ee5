/**
 * How `Patient/$match` weighs evidence: data, not code. Each comparison of one field yields an
 * outcome; the outcome's points are summed over the fields both records carry, and the sum (capped
 * to 0–100) divided by 100 is the score. Points are log-odds in spirit: an agreement on something
 * rare and personal (an ID number) counts far more than one on something common (sex), and a
 * disagreement on a field that rarely changes counts against. Tuned by hand on the seed data's
 * name and birth-date distributions; docs/mpi.md explains each figure.
 */

export type Field = 'residentId' | 'healthCard' | 'insuranceCard' | 'healthRecord' | 'otherIdentifier' | 'name' | 'birthDate' | 'gender' | 'phone' | 'division';

/** What comparing one field found. `absent` (a side lacks the field) scores nothing and is not listed. */
export type Outcome = 'agree' | 'pinyin' | 'similar' | 'family' | 'close' | 'city' | 'disagree';

export interface FieldWeights {
  /** Shown to people in the match's explanation. */
  readonly zh: string;
  readonly en: string;
  readonly points: Readonly<Partial<Record<Outcome, number>>>;
}

export const WEIGHTS: Readonly<Record<Field, FieldWeights>> = {
  // GB 11643 numbers are unique per person for life: equal numbers are the same person (the rule
  // that makes a match certain), different valid numbers almost always different people.
  residentId: { zh: '居民身份证号', en: 'resident ID', points: { agree: 100, disagree: -60 } },
  // Cards are personal but get reissued with new numbers, so a difference says little.
  healthCard: { zh: '居民健康卡号', en: 'health card', points: { agree: 40 } },
  insuranceCard: { zh: '医保卡号', en: 'insurance card', points: { agree: 40 } },
  healthRecord: { zh: '健康档案编号', en: 'health record no.', points: { agree: 40 } },
  otherIdentifier: { zh: '其他标识符', en: 'other identifier', points: { agree: 30 } },
  // About 1 in 300 people share a full name in a city; same pinyin catches input-method homophones
  // (张/章) and names written in Latin letters; one character off catches typing slips.
  name: { zh: '姓名', en: 'name', points: { agree: 25, pinyin: 18, similar: 10, family: 4, disagree: -10 } },
  // "close": one digit wrong, or month and day swapped.
  birthDate: { zh: '出生日期', en: 'birth date', points: { agree: 20, close: 8, disagree: -15 } },
  gender: { zh: '性别', en: 'sex', points: { agree: 5, disagree: -15 } },
  // Mobile numbers are personal but shared within families and recycled: strong, not decisive.
  phone: { zh: '电话', en: 'phone', points: { agree: 15 } },
  // GB/T 2260 code of the address: same county, or only the same prefecture-level city.
  division: { zh: '住址行政区划', en: 'address division', points: { agree: 5, city: 3 } },
};

export type Grade = 'certain' | 'probable' | 'possible' | 'certainly-not';

/** Lowest points for each grade; below `possible` a candidate is not returned. */
export const THRESHOLDS = { certain: 100, probable: 60, possible: 35 } as const;

/** Candidates each retrieval block (one index range: an identifier, a phone, a name) may contribute at most. */
export const BLOCK_LIMIT = 100;

/**
 * Candidates born on the same day, at most: about population ÷ 27,000 (90 years of birthdays), so
 * 1,000 covers a region of some 25 million before the block is cut short.
 */
export const BIRTH_DAY_LIMIT = 1000;

/** Lookups one query may make; a record with more identifiers, phones and names uses the first ones. */
export const MAX_BLOCKS = 24;

/** Matches returned when the request gives no `count`. */
export const DEFAULT_COUNT = 20;

export const OUTCOME_LABELS: Readonly<Record<Outcome, { zh: string; en: string }>> = {
  agree: { zh: '一致', en: 'agrees' },
  pinyin: { zh: '拼音相同', en: 'same pinyin' },
  similar: { zh: '相近', en: 'similar' },
  family: { zh: '仅姓氏相同', en: 'same family name only' },
  close: { zh: '相近', en: 'close' },
  city: { zh: '同一地市', en: 'same city' },
  disagree: { zh: '不一致', en: 'differs' },
};
