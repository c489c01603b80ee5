/**
 * The registry web app (肿瘤登记审核): submitted cancer cases with their review state, filters by
 * state and institution, paging, the KPI panel, and the case detail (detail.ts). Everything comes
 * from plain FHIR REST and the registry operations (docs/registries.md).
 */
import { h } from '../dom.js';
import type { FhirApi } from '../fhir-api.js';
import { languageSwitch, t } from '../i18n.js';
import { ensureAuthorised } from '../launch/index.js';
import { REGISTRY_LAUNCH } from './launch.js';
import { renderKpi } from './kpi.js';
import { renderCase } from './detail.js';
import { byReference, caseFields, maskedPatient, REVIEW_STATE_SYSTEM, REVIEW_STATES, reviewState, stateLabel, TASK_CODE, type Bundle, type Condition, type Patient, type Task } from './model.js';

const PAGE_SIZE = 20;

interface Filters {
  state: string;
  institution: string;
}

export async function renderRegistry(root: HTMLElement, fhir: FhirApi): Promise<void> {
  document.title = t('reg_title');
  root.dataset.view = 'registry';
  const filters: Filters = { state: '', institution: '' };
  const kpi = h('section', { className: 'registry-kpi' });
  const list = h('section', { className: 'registry-list', testid: 'registry-list' });
  const main = h('div', { className: 'registry-main' }, kpi, list);
  const header = h('header', { className: 'registry-header' }, h('h1', { textContent: t('reg_title') }), languageSwitch());
  root.replaceChildren(header, main);

  const institutions = await renderKpi(kpi, fhir).catch((error: unknown) => {
    kpi.replaceChildren(h('div', { className: 'status error', textContent: `${t('loadFailed')}: ${error instanceof Error ? error.message : String(error)}` }));
    return new Map<string, string>();
  });

  const stateSelect = h('select', { testid: 'registry-filter-state' }, h('option', { value: '', textContent: t('any') }), ...REVIEW_STATES.map((s) => h('option', { value: s, textContent: t(stateLabel(s)) })));
  const orgSelect = h('select', { testid: 'registry-filter-institution' }, h('option', { value: '', textContent: t('any') }), ...[...institutions].map(([ref, name]) => h('option', { value: ref, textContent: name })));
  const table = h('tbody');
  const pager = h('div', { className: 'registry-pager' });
  const filterBar = h(
    'form',
    { className: 'registry-filters' },
    h('label', {}, `${t('reg_state')} `, stateSelect),
    h('label', {}, `${t('reg_institution')} `, orgSelect),
    h('button', { type: 'submit', textContent: t('search') }),
  );
  const heads: Parameters<typeof t>[0][] = ['reg_patient', 'reg_icd10', 'reg_topography', 'reg_morphology', 'reg_diagnosed', 'reg_institution', 'reg_state'];
  list.replaceChildren(h('h2', { textContent: t('reg_cases') }), filterBar, h('table', { className: 'registry-cases' }, h('thead', {}, h('tr', {}, ...heads.map((k) => h('th', { textContent: t(k) })))), table), pager);

  const showList = () => root.replaceChildren(header, main);

  // A later query (a filter, a page) supersedes one still loading.
  let latest = 0;
  async function load(path: string): Promise<void> {
    const mine = ++latest;
    table.replaceChildren(h('tr', {}, h('td', { colSpan: heads.length, textContent: t('loading') })));
    const page = await fhir.get<Bundle<Task>>(path);
    const tasks = (page.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Task' ? [e.resource] : []));
    const [cases, patients] = await Promise.all([
      byReference<Condition>(fhir, 'Condition', tasks.map((task) => task.focus?.reference)),
      byReference<Patient>(fhir, 'Patient', tasks.map((task) => task.for?.reference)),
    ]);
    if (mine !== latest) return;
    const rows = tasks.map((task) => {
      const condition = cases.get(task.focus?.reference ?? '');
      const f = condition ? caseFields(condition) : undefined;
      const institution = f?.institution || task.requester?.reference || '';
      const state = reviewState(task);
      const row = h(
        'tr',
        { testid: 'registry-case-row', dataset: { condition: condition?.id ?? '', task: task.id, state: state ?? '' }, tabIndex: 0 },
        h('td', { textContent: maskedPatient(patients.get(task.for?.reference ?? ''), task.for?.reference) }),
        h('td', { textContent: f?.icd10 ?? '' }),
        h('td', { textContent: f?.topography ?? '' }),
        h('td', { textContent: f?.morphology ?? '' }),
        h('td', { textContent: f?.diagnosed ?? '' }),
        h('td', { textContent: institutions.get(institution) ?? institution }),
        h('td', { className: `state state-${state ?? 'unknown'}`, textContent: t(stateLabel(state)) }),
      );
      if (condition) {
        const open = () => void renderCase(root, fhir, { condition, task, patient: patients.get(task.for?.reference ?? ''), institutions, back: () => { showList(); void load(path); } });
        row.onclick = open;
        row.onkeydown = (event) => event.key === 'Enter' && open();
      }
      return row;
    });
    table.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colSpan: heads.length, textContent: t('reg_noCases') }))]));
    // The server's paging links carry a cursor; the app follows them as they are.
    const link = (relation: string) => page.link?.find((l) => l.relation === relation)?.url.replace(/^.*?\/fhir\//, '');
    const nav = (relation: 'previous' | 'next', label: Parameters<typeof t>[0]) => {
      const target = link(relation);
      return h('button', { type: 'button', textContent: t(label), disabled: !target, onclick: () => target && void load(target) });
    };
    pager.replaceChildren(nav('previous', 'reg_previous'), h('span', { textContent: page.total !== undefined ? `${t('reg_total')} ${page.total}` : '' }), nav('next', 'reg_next'));
    list.dataset.loaded = path;
  }

  const query = () => {
    const params = new URLSearchParams({ code: TASK_CODE, _count: String(PAGE_SIZE), _sort: '-authored-on', _total: 'accurate' });
    if (filters.state) params.set('business-status', `${REVIEW_STATE_SYSTEM}|${filters.state}`);
    if (filters.institution) params.set('requester', filters.institution);
    return `Task?${params.toString()}`;
  };
  filterBar.onsubmit = (event) => {
    event.preventDefault();
    filters.state = stateSelect.value;
    filters.institution = orgSelect.value;
    void load(query());
  };
  await load(query());
}

/** The app's entry (`/viewer/registry`): a SMART launch as the registry client, then the list. */
export async function startRegistry(root: HTMLElement, fhir: FhirApi): Promise<void> {
  await ensureAuthorised(REGISTRY_LAUNCH);
  await renderRegistry(root, fhir);
}
