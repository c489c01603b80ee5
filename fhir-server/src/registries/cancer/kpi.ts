import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { Queryable } from '../../repository/db.js';

/** Days within which a case counts as reported in time (及时率), unless the caller says otherwise. */
export const TIMELY_DAYS = 30;

interface Row {
  organisation: string;
  case_key: string;
  accepted: boolean;
  submitted_at: string | Date;
  diagnosed: string | Date | null;
  completeness: number | null;
}

export interface InstitutionKpi {
  organisation: string;
  submissions: number;
  refused: number;
  /** Refused submissions / all submissions. */
  errorRate: number;
  cases: number;
  /** Cases whose first submission was refused / cases. */
  firstSubmitErrorRate: number;
  /** Accepted cases: days from diagnosis to the first accepted submission. */
  timelinessMedianDays: number | null;
  timelyRate: number | null;
  /** Mean share of optional fields present, over each case's latest accepted submission. */
  completeness: number | null;
}

function day(value: string | Date): string {
  return (value instanceof Date ? value.toISOString() : String(value)).slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** The KPIs per reporting institution over the submissions of a period (of submission time). */
export async function registryKpis(q: Queryable, registry: string, from?: string, to?: string, timelyDays = TIMELY_DAYS): Promise<InstitutionKpi[]> {
  const rows = await q.query<Row>(
    `SELECT organisation, case_key, accepted, submitted_at, diagnosed, completeness FROM registry_submission
      WHERE registry = $1 AND ($2::date IS NULL OR submitted_at >= $2::date) AND ($3::date IS NULL OR submitted_at < $3::date + 1)
      ORDER BY submitted_at, id`,
    [registry, from ?? null, to ?? null],
  );
  const byOrg = new Map<string, Row[]>();
  for (const r of rows) byOrg.set(r.organisation, [...(byOrg.get(r.organisation) ?? []), r]);
  return [...byOrg].sort(([a], [b]) => a.localeCompare(b)).map(([organisation, list]) => {
    const cases = new Map<string, Row[]>();
    for (const r of list) cases.set(r.case_key, [...(cases.get(r.case_key) ?? []), r]);
    const delays: number[] = [];
    const completeness: number[] = [];
    let firstRefused = 0;
    for (const history of cases.values()) {
      if (!history[0]?.accepted) firstRefused++;
      const firstAccepted = history.find((r) => r.accepted);
      if (firstAccepted?.diagnosed) delays.push(daysBetween(day(firstAccepted.diagnosed), day(firstAccepted.submitted_at)));
      const latest = [...history].reverse().find((r) => r.accepted);
      if (latest?.completeness !== null && latest?.completeness !== undefined) completeness.push(Number(latest.completeness));
    }
    const refused = list.filter((r) => !r.accepted).length;
    return {
      organisation,
      submissions: list.length,
      refused,
      errorRate: round(refused / list.length),
      cases: cases.size,
      firstSubmitErrorRate: round(firstRefused / cases.size),
      timelinessMedianDays: median(delays),
      timelyRate: delays.length ? round(delays.filter((d) => d <= timelyDays).length / delays.length) : null,
      completeness: completeness.length ? round(completeness.reduce((a, b) => a + b, 0) / completeness.length) : null,
    };
  });
}

const num = (name: string, value: number | null): ParametersParameter[] => (value === null ? [] : [{ name, valueDecimal: value }]);

export function kpiParameters(kpis: readonly InstitutionKpi[], timelyDays: number): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'timelyDays', valueInteger: timelyDays },
      ...kpis.map((k) => ({
        name: 'institution',
        part: [
          { name: 'organization', valueReference: { reference: k.organisation } },
          { name: 'submissions', valueInteger: k.submissions },
          { name: 'refused', valueInteger: k.refused },
          { name: 'errorRate', valueDecimal: k.errorRate },
          { name: 'cases', valueInteger: k.cases },
          { name: 'firstSubmitErrorRate', valueDecimal: k.firstSubmitErrorRate },
          ...num('timelinessMedianDays', k.timelinessMedianDays),
          ...num('timelyRate', k.timelyRate),
          ...num('completeness', k.completeness),
        ],
      })),
    ],
  };
}
