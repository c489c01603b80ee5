/** The KPI panel: `$registry-kpi` per reporting institution (docs/registries.md §1.7). */
import { h } from '../dom.js';
import type { FhirApi } from '../fhir-api.js';
import { t, type MessageId } from '../i18n.js';
import { byReference, type Reference } from './model.js';

interface Part {
  name: string;
  valueReference?: Reference;
  valueInteger?: number;
  valueDecimal?: number;
  part?: Part[];
}

const COLUMNS: readonly [string, MessageId, 'count' | 'rate' | 'days'][] = [
  ['submissions', 'reg_kpi_submissions', 'count'],
  ['refused', 'reg_kpi_refused', 'count'],
  ['errorRate', 'reg_kpi_errorRate', 'rate'],
  ['cases', 'reg_kpi_cases', 'count'],
  ['firstSubmitErrorRate', 'reg_kpi_firstSubmitErrorRate', 'rate'],
  ['timelinessMedianDays', 'reg_kpi_timeliness', 'days'],
  ['timelyRate', 'reg_kpi_timelyRate', 'rate'],
  ['completeness', 'reg_kpi_completeness', 'rate'],
];

function format(part: Part | undefined, kind: 'count' | 'rate' | 'days'): string {
  const value = part?.valueDecimal ?? part?.valueInteger;
  if (value === undefined) return '—';
  return kind === 'rate' ? `${(value * 100).toFixed(1)}%` : kind === 'days' ? value.toFixed(1) : String(value);
}

/** Draws the panel into `into`; returns the reporting institutions it lists (reference → name), for the list's filter. */
export async function renderKpi(into: HTMLElement, fhir: FhirApi): Promise<Map<string, string>> {
  into.replaceChildren(h('h2', { textContent: t('reg_kpi') }), h('div', { className: 'status', textContent: t('loading') }));
  const reply = await fhir.get<{ parameter?: Part[] }>('Condition/$registry-kpi');
  const rows = (reply.parameter ?? []).filter((p) => p.name === 'institution');
  const refs = rows.map((r) => r.part?.find((p) => p.name === 'organization')?.valueReference?.reference ?? '');
  const orgs = await byReference<{ resourceType: string; id: string; name?: string }>(fhir, 'Organization', refs).catch(() => new Map<string, { name?: string }>());
  const names = new Map(refs.filter(Boolean).map((ref) => [ref, orgs.get(ref)?.name ?? ref] as const));
  const timely = (reply.parameter ?? []).find((p) => p.name === 'timelyDays')?.valueInteger;
  into.replaceChildren(
    h('h2', { textContent: t('reg_kpi') }),
    h(
      'table',
      { testid: 'registry-kpi', className: 'registry-kpi-table' },
      h('thead', {}, h('tr', {}, h('th', { textContent: t('reg_institution') }), ...COLUMNS.map(([, label]) => h('th', { textContent: label === 'reg_kpi_timelyRate' && timely !== undefined ? `${t(label)} (≤${timely})` : t(label) })))),
      h(
        'tbody',
        {},
        ...rows.map((row, i) => {
          const ref = refs[i] ?? '';
          return h('tr', { dataset: { organization: ref } }, h('td', { textContent: names.get(ref) ?? ref }), ...COLUMNS.map(([name, , kind]) => h('td', { dataset: { kpi: name }, textContent: format(row.part?.find((p) => p.name === name), kind) })));
        }),
      ),
    ),
  );
  return names;
}
