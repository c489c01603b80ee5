import type { Patient } from '@medplum/fhirtypes';
import type { Queryable } from '../repository/db.js';
import { findCandidates } from './candidates.js';
import { comparePatients, type Evidence } from './compare.js';
import { isMergedAway } from './links.js';
import { OUTCOME_LABELS, WEIGHTS, type Grade } from './weights.js';

export interface MatchOptions {
  onlyCertainMatches: boolean;
  /** Most matches to return. */
  count: number;
  baseUrl: string;
}

export interface Match {
  patient: Patient;
  score: number;
  grade: Grade;
  evidence: Evidence[];
}

export interface MatchResult {
  matches: Match[];
  /** Set when `onlyCertainMatches` was asked and more than one record is certain: none is returned. */
  ambiguous?: number;
}

const GRADE_ORDER: Record<Grade, number> = { certain: 0, probable: 1, possible: 2, 'certainly-not': 3 };

/**
 * Finds the records of the person `query` describes: candidates from indexed searches only (never
 * a scan), each compared field by field and graded (weights.ts). Records merged into another are
 * left out — the survivor carries their identifiers. Ordered by grade, then score, then id.
 */
export async function matchPatients(q: Queryable, query: Patient, options: MatchOptions): Promise<MatchResult> {
  const candidates = await findCandidates(q, query, options.baseUrl);
  const matches: Match[] = [];
  for (const stored of candidates) {
    const patient = JSON.parse(stored.json as string) as Patient;
    if (isMergedAway(patient)) continue;
    const { score, grade, evidence } = comparePatients(query, patient);
    if (grade) matches.push({ patient, score, grade, evidence });
  }
  matches.sort((a, b) => GRADE_ORDER[a.grade] - GRADE_ORDER[b.grade] || b.score - a.score || ((a.patient.id ?? '') < (b.patient.id ?? '') ? -1 : 1));
  if (!options.onlyCertainMatches) return { matches: matches.slice(0, options.count) };
  const certain = matches.filter((m) => m.grade === 'certain');
  // R4 $match: with onlyCertainMatches, several potential matches mean none is returned.
  if (certain.length > 1) return { matches: [], ambiguous: certain.length };
  return { matches: certain.slice(0, options.count) };
}

/** "居民身份证号一致、姓名拼音相同 | resident ID agrees, name same pinyin" */
export function explain(evidence: readonly Evidence[]): string {
  const zh = evidence.map((e) => WEIGHTS[e.field].zh + OUTCOME_LABELS[e.outcome].zh).join('、');
  const en = evidence.map((e) => `${WEIGHTS[e.field].en} ${OUTCOME_LABELS[e.outcome].en}`).join(', ');
  return `${zh} | ${en}`;
}
