import type { Bundle } from '@medplum/fhirtypes';
import { h } from '../dom.js';
import type { FhirApi } from '../fhir-api.js';
import { lang, languageSwitch, t } from '../i18n.js';
import { formatDate } from '../study/overlay.js';
import { MODALITIES, finalReportsSearch, patientDisplayName, patientIdentifier, studyModalities, worklistRows, worklistSearch, type WorklistFilter, type WorklistRow } from './query.js';

/** The filter as it stands in the address bar, so a reload or the back button keeps it. */
function filterFromUrl(): WorklistFilter {
  const q = new URLSearchParams(window.location.search);
  const value = (name: string): string | undefined => q.get(name) || undefined;
  const filter: WorklistFilter = {};
  for (const key of ['patientName', 'patientId', 'dateFrom', 'dateTo', 'modality'] as const) {
    const v = value(key);
    if (v) filter[key] = v;
  }
  if (q.get('unreported') === '1') filter.unreportedOnly = true;
  return filter;
}

function filterToUrl(filter: WorklistFilter): void {
  const url = new URL(window.location.href);
  for (const key of ['patientName', 'patientId', 'dateFrom', 'dateTo', 'modality'] as const) {
    const v = filter[key];
    if (v) url.searchParams.set(key, v);
    else url.searchParams.delete(key);
  }
  if (filter.unreportedOnly) url.searchParams.set('unreported', '1');
  else url.searchParams.delete('unreported');
  window.history.replaceState(null, '', url);
}

function studyLink(row: WorklistRow): string {
  const url = new URL(window.location.href);
  url.search = '';
  url.searchParams.set('study', row.studyUid ?? '');
  const current = new URLSearchParams(window.location.search).get('lang');
  if (current) url.searchParams.set('lang', current);
  return url.pathname + url.search;
}

function rowElement(row: WorklistRow): HTMLTableRowElement {
  const s = row.study;
  const images = s.numberOfInstances ?? (s.series ?? []).reduce((n, x) => n + (x.numberOfInstances ?? x.instance?.length ?? 0), 0);
  const open = (): void => {
    if (row.studyUid) window.location.assign(studyLink(row));
  };
  const tr = h(
    'tr',
    { className: row.reported ? 'reported' : 'unreported', testid: 'worklist-row', dataset: { study: row.studyUid ?? '' }, ondblclick: open },
    h('td', {}, patientDisplayName(row.patient)),
    h('td', {}, patientIdentifier(row.patient)),
    h('td', {}, formatDate(s.started)),
    h('td', {}, studyModalities(s).join('/')),
    h('td', {}, s.description ?? ''),
    h('td', {}, s.identifier?.find((i) => i.type?.coding?.some((c) => c.code === 'ACSN'))?.value ?? ''),
    h('td', {}, `${s.numberOfSeries ?? s.series?.length ?? 0}/${images}`),
    h('td', {}, s.meta?.lastUpdated ? new Date(s.meta.lastUpdated).toLocaleString(lang()) : ''),
    h('td', { className: 'status' }, row.reported ? t('reported') : t('unreported')),
    h('td', {}, row.studyUid ? h('a', { href: studyLink(row), testid: 'open-study' }, t('open')) : ''),
  );
  return tr;
}

/** The worklist: the filter form and the studies, newest received first. */
export async function renderWorklist(root: HTMLElement, fhir: FhirApi): Promise<void> {
  const filter = filterFromUrl();
  const input = (name: keyof WorklistFilter, type: string, message: Parameters<typeof t>[0]): HTMLLabelElement =>
    h('label', {}, t(message), h('input', { name, type, value: String(filter[name] ?? ''), testid: `filter-${name}` }));
  const modality = h('select', { name: 'modality', testid: 'filter-modality' }, h('option', { value: '' }, t('any')), ...MODALITIES.map((m) => h('option', { value: m, selected: filter.modality === m }, m)));
  const unreported = h('input', { type: 'checkbox', name: 'unreportedOnly', checked: filter.unreportedOnly === true, testid: 'filter-unreported' });
  const body = h('tbody');
  const status = h('div', { className: 'status', role: 'status' });
  const form = h(
    'form',
    { className: 'filters' },
    input('patientName', 'search', 'patientName'),
    input('patientId', 'search', 'patientId'),
    input('dateFrom', 'date', 'dateFrom'),
    input('dateTo', 'date', 'dateTo'),
    h('label', {}, t('modality'), modality),
    h('label', { className: 'check' }, unreported, t('unreportedOnly')),
    h('button', { type: 'submit', testid: 'filter-submit' }, t('search')),
  );
  const headers: Parameters<typeof t>[0][] = ['patientName', 'patientId', 'studyDate', 'modality', 'description', 'accession', 'seriesCount', 'received', 'reportStatus'];
  root.replaceChildren(
    h(
      'div',
      { className: 'worklist' },
      h('header', { className: 'toolbar' }, h('h1', {}, `${t('appTitle')} — ${t('worklist')}`), languageSwitch()),
      form,
      status,
      h('table', { className: 'studies', testid: 'worklist' }, h('thead', {}, h('tr', {}, ...headers.map((m) => h('th', {}, t(m))), h('th'))), body),
    ),
  );

  const load = async (): Promise<void> => {
    status.textContent = t('loading');
    try {
      const studies = await fhir.get<Bundle>(worklistSearch(filter));
      const patientRefs = (studies.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'ImagingStudy' && e.resource.subject?.reference ? [e.resource.subject.reference] : []));
      const reportsQuery = finalReportsSearch(patientRefs);
      const reports = reportsQuery ? await fhir.get<Bundle>(reportsQuery) : undefined;
      const rows = worklistRows(studies, reports, filter);
      body.replaceChildren(...rows.map(rowElement));
      status.textContent = rows.length === 0 ? t('noStudies') : '';
    } catch (error) {
      status.textContent = `${t('loadFailed')}: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const text = (name: string): string | undefined => String(data.get(name) ?? '').trim() || undefined;
    for (const key of ['patientName', 'patientId', 'dateFrom', 'dateTo', 'modality'] as const) {
      const v = text(key);
      if (v) filter[key] = v;
      else delete filter[key];
    }
    if (unreported.checked) filter.unreportedOnly = true;
    else delete filter.unreportedOnly;
    filterToUrl(filter);
    void load();
  };
  await load();
}
