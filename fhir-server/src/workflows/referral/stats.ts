import type { MeasureReport, MeasureReportGroupStratifier } from '@medplum/fhirtypes';
import type { Queryable } from '../../repository/db.js';
import { CARE_LEVELS, LEVEL_SYSTEM, REFERRAL_CODE, SNOMED, STATUS_SYSTEM, TYPE_SYSTEM } from './vocabulary.js';

/** One referral as the statistics see it, read from the search index (never the resource text). */
export interface ReferralFact {
  readonly status: string;
  readonly from?: string;
  readonly to?: string;
  readonly type?: string;
  readonly doctor?: string;
  readonly authored?: number;
  readonly direction: 'up' | 'down' | 'lateral' | 'unknown';
}

const CLOSED_LOOP = new Set(['returned', 'closed']);

/**
 * Every referral Task with its business status, organisations, authored time, and its request's
 * type and requesting doctor: two statements over the index tables, so thousands cost little.
 */
export async function referralFacts(q: Queryable, range: { from?: string; to?: string }): Promise<ReferralFact[]> {
  const tasks = await q.query<{ id: string; status: string | null; from_org: string | null; to_org: string | null; request: string | null; authored: number | null }>(
    `SELECT c.id,
       (SELECT x.value FROM search_token x WHERE x.resource_type = 'Task' AND x.id = c.id AND x.param = 'business-status' AND x.system = $2 LIMIT 1) AS status,
       (SELECT x.target_id FROM search_reference x WHERE x.resource_type = 'Task' AND x.id = c.id AND x.param = 'requester' AND x.target_type = 'Organization' LIMIT 1) AS from_org,
       (SELECT x.target_id FROM search_reference x WHERE x.resource_type = 'Task' AND x.id = c.id AND x.param = 'owner' AND x.target_type = 'Organization' LIMIT 1) AS to_org,
       (SELECT x.target_id FROM search_reference x WHERE x.resource_type = 'Task' AND x.id = c.id AND x.param = 'based-on' AND x.target_type = 'ServiceRequest' LIMIT 1) AS request,
       (SELECT (extract(epoch from x.low) * 1000)::float8 FROM search_date x WHERE x.resource_type = 'Task' AND x.id = c.id AND x.param = 'authored-on' LIMIT 1) AS authored
     FROM search_token c
     JOIN resource r ON r.resource_type = 'Task' AND r.id = c.id AND NOT r.deleted
     WHERE c.resource_type = 'Task' AND c.param = 'code' AND c.system = $1 AND c.value = $3`,
    [SNOMED, STATUS_SYSTEM, REFERRAL_CODE],
  );
  const from = range.from ? Date.parse(range.from) : -Infinity;
  const to = range.to ? Date.parse(range.to) : Infinity;
  const inRange = tasks.filter((t) => t.status && t.status !== 'draft' && (t.authored === null || (t.authored >= from && t.authored < to)));
  const requestIds = [...new Set(inRange.flatMap((t) => (t.request ? [t.request] : [])))];
  const requests = await q.query<{ id: string; type: string | null; doctor: string | null }>(
    `SELECT s.id,
       (SELECT x.value FROM search_token x WHERE x.resource_type = 'ServiceRequest' AND x.id = s.id AND x.param = 'code' AND x.system = $2 LIMIT 1) AS type,
       (SELECT x.target_type || '/' || x.target_id FROM search_reference x WHERE x.resource_type = 'ServiceRequest' AND x.id = s.id AND x.param = 'requester' AND x.target_id IS NOT NULL LIMIT 1) AS doctor
     FROM unnest($1::text[]) AS s(id)`,
    [requestIds, TYPE_SYSTEM],
  );
  const orgIds = [...new Set(inRange.flatMap((t) => [t.from_org, t.to_org].filter((x): x is string => !!x)))];
  const levels = await q.query<{ id: string; value: string }>(
    `SELECT id, value FROM search_token WHERE resource_type = 'Organization' AND param = 'type' AND system = $1 AND id = ANY($2::text[])`,
    [LEVEL_SYSTEM, orgIds],
  );
  const rank = new Map(levels.map((l) => [l.id, CARE_LEVELS.find((c) => c.code === l.value)?.rank]));
  const byRequest = new Map(requests.map((r) => [r.id, r]));
  return inRange.map((t) => {
    const a = t.from_org ? rank.get(t.from_org) : undefined;
    const b = t.to_org ? rank.get(t.to_org) : undefined;
    const request = t.request ? byRequest.get(t.request) : undefined;
    return {
      status: t.status as string,
      ...(t.from_org ? { from: `Organization/${t.from_org}` } : {}),
      ...(t.to_org ? { to: `Organization/${t.to_org}` } : {}),
      ...(request?.type ? { type: request.type } : {}),
      ...(request?.doctor ? { doctor: request.doctor } : {}),
      ...(t.authored !== null ? { authored: t.authored } : {}),
      direction: a === undefined || b === undefined ? 'unknown' : b > a ? 'up' : b < a ? 'down' : 'lateral',
    };
  });
}

type Key = (f: ReferralFact) => string | undefined;
const DIRECTION: Key = (f) => f.direction;
const OUT: Key = (f) => f.from;
const IN: Key = (f) => f.to;

/** The strata: one dimension, or a combination whose parts are named (an organisation's upward referrals out, …). */
const STRATIFIERS: readonly { code: string; zh: string; keys: readonly (readonly [string, Key])[] }[] = [
  { code: 'direction', zh: '转诊方向（上转/下转）', keys: [['direction', DIRECTION]] },
  { code: 'type', zh: '转诊类型', keys: [['type', (f) => f.type]] },
  { code: 'out-organization', zh: '转出机构', keys: [['organization', OUT]] },
  { code: 'in-organization', zh: '转入机构', keys: [['organization', IN]] },
  { code: 'out-organization-direction', zh: '转出机构 × 方向', keys: [['organization', OUT], ['direction', DIRECTION]] },
  { code: 'in-organization-direction', zh: '转入机构 × 方向', keys: [['organization', IN], ['direction', DIRECTION]] },
  { code: 'doctor', zh: '申请医生', keys: [['doctor', (f) => f.doctor]] },
  { code: 'month', zh: '申请月份', keys: [['month', (f) => (f.authored === undefined ? undefined : new Date(f.authored).toISOString().slice(0, 7))]] },
  { code: 'status', zh: '当前状态', keys: [['status', (f) => f.status]] },
];

const POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';

function populations(facts: readonly ReferralFact[]) {
  const loops = facts.filter((f) => CLOSED_LOOP.has(f.status)).length;
  return {
    population: [
      { code: { coding: [{ system: POPULATION_SYSTEM, code: 'initial-population' }] }, count: facts.length },
      { code: { coding: [{ system: POPULATION_SYSTEM, code: 'denominator' }] }, count: facts.length },
      { code: { coding: [{ system: POPULATION_SYSTEM, code: 'numerator' }] }, count: loops },
    ],
    ...(facts.length ? { measureScore: { value: Math.round((loops / facts.length) * 10000) / 10000, unit: '1' } } : {}),
  };
}

/**
 * The referral statistics as a summary MeasureReport: every referral sent (not drafts) in the
 * period is in the population; the numerator is the closed loops (returned or closed, both only
 * reachable after feedback); the score is the closed-loop rate (闭环率). Each stratifier breaks
 * the same counts down by direction, type, organisation out and in, doctor, month and status.
 */
export function referralReport(facts: readonly ReferralFact[], range: { from?: string; to?: string }, measure: string): MeasureReport {
  const stratifier: MeasureReportGroupStratifier[] = STRATIFIERS.map((s) => {
    const groups = new Map<string, { values: string[]; facts: ReferralFact[] }>();
    for (const f of facts) {
      const values = s.keys.map(([, k]) => k(f) ?? 'unknown');
      const key = values.join('\u0000');
      const group = groups.get(key) ?? { values, facts: [] };
      group.facts.push(f);
      groups.set(key, group);
    }
    return {
      code: [{ coding: [{ system: `${measure}/stratifier`, code: s.code }], text: s.zh }],
      stratum: [...groups.values()]
        .sort((a, b) => a.values.join().localeCompare(b.values.join()))
        .map((g) =>
          g.values.length === 1
            ? { value: { text: g.values[0] }, ...populations(g.facts) }
            : { component: g.values.map((v, i) => ({ code: { text: s.keys[i]?.[0] ?? '' }, value: { text: v } })), ...populations(g.facts) },
        ),
    };
  });
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure,
    date: new Date().toISOString(),
    period: { ...(range.from ? { start: range.from } : {}), ...(range.to ? { end: range.to } : {}) },
    group: [{ code: { text: '双向转诊闭环率 | Referral closed-loop rate' }, ...populations(facts), stratifier }],
  };
}
