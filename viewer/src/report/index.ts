/**
 * The report panel of the study view: the patient's reports (newest first), and the report of this
 * study — findings (检查所见), impression (诊断意见), critical flag (危急值) — saved as preliminary
 * and signed as final, one DiagnosticReport per study, updated version-aware (If-Match).
 */
import type { Bundle, DiagnosticReport, ImagingStudy, Patient } from '@medplum/fhirtypes';
import { h } from '../dom.js';
import { FhirHttpError, type FhirApi } from '../fhir-api.js';
import type { Lang } from '../i18n.js';
import { getFhirUser } from '../launch/index.js';
import { rt, statusText, type ReportMessage } from './messages.js';
import { buildReport, findingsOf, isAbout, isCritical, isSigned } from './resource.js';
import './report.css';

export interface ReportPanelContext {
  studyUid: string;
  imagingStudy: ImagingStudy;
  patient?: Patient;
  lang: Lang;
  fhir: FhirApi;
}

/** The patient's DiagnosticReports, newest first (by issue, then effective time). */
async function patientReports(fhir: FhirApi, patientRef: string): Promise<DiagnosticReport[]> {
  const bundle = await fhir.get<Bundle<DiagnosticReport>>(`DiagnosticReport?subject=${encodeURIComponent(patientRef)}&_sort=-issued&_count=100`);
  const when = (r: DiagnosticReport) => r.issued ?? r.effectiveDateTime ?? r.effectivePeriod?.start ?? '';
  return (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is DiagnosticReport => r?.resourceType === 'DiagnosticReport')
    .sort((a, b) => Date.parse(when(b) || '0') - Date.parse(when(a) || '0'));
}

function priorItem(report: DiagnosticReport, current: boolean, lang: Lang): HTMLLIElement {
  const date = (report.issued ?? report.effectiveDateTime ?? '').slice(0, 10);
  const findings = findingsOf(report);
  return h(
    'li',
    { dataset: { status: report.status ?? '' }, testid: 'report-prior' },
    h(
      'div',
      { className: 'head' },
      h('span', {}, date),
      h('span', {}, report.code?.text ?? report.code?.coding?.[0]?.display ?? ''),
      h('span', {}, statusText(report.status ?? '', lang)),
      current && h('span', {}, `(${rt('thisStudy', lang)})`),
      isCritical(report) && h('span', { className: 'critical' }, rt('critical', lang)),
    ),
    findings ? h('p', {}, `${rt('findings', lang)}：${findings}`) : undefined,
    report.conclusion ? h('p', {}, `${rt('impression', lang)}：${report.conclusion}`) : undefined,
  );
}

export function mountReportPanel(container: HTMLElement, ctx: ReportPanelContext): void {
  const { fhir, lang, imagingStudy } = ctx;
  const say = (id: ReportMessage) => rt(id, lang);
  const interpreter = getFhirUser();

  const badge = h('span', { className: 'badge', testid: 'report-status' });
  const findings = h('textarea', { rows: 8, testid: 'report-findings' });
  const impression = h('textarea', { rows: 4, testid: 'report-impression' });
  const critical = h('input', { type: 'checkbox', testid: 'report-critical', title: say('criticalHint') });
  const criticalLabel = h('label', { className: 'check' }, critical, say('critical'));
  const save = h('button', { type: 'button', textContent: say('save'), testid: 'report-save' });
  const sign = h('button', { type: 'button', className: 'sign', textContent: say('sign'), testid: 'report-sign' });
  const message = h('div', { className: 'message', role: 'status', testid: 'report-message' });
  const priors = h('ol', { className: 'priors' });
  const priorsBox = h('details', { open: true, testid: 'report-priors' }, h('summary', {}, say('priors')), priors);
  const who = h('div', { className: 'who' }, interpreter ? `${say('interpreter')}：${interpreter}` : say('noInterpreter'));

  let current: DiagnosticReport | undefined;
  let busy = false;

  const tell = (text: string, error = false) => {
    message.textContent = text;
    message.classList.toggle('error', error);
  };
  const show = (report: DiagnosticReport | undefined) => {
    current = report;
    badge.textContent = report ? statusText(report.status ?? '', lang) : '';
    badge.classList.toggle('final', isSigned(report));
    const locked = isSigned(report);
    findings.readOnly = locked;
    impression.readOnly = locked;
    critical.disabled = locked;
  };
  const fill = (report: DiagnosticReport) => {
    findings.value = findingsOf(report);
    impression.value = report.conclusion ?? '';
    critical.checked = isCritical(report);
    criticalLabel.classList.toggle('on', critical.checked);
  };
  critical.onchange = () => criticalLabel.classList.toggle('on', critical.checked);

  const patientRef = imagingStudy.subject?.reference;
  const refresh = async () => {
    if (!patientRef || !imagingStudy.id) return;
    const reports = await patientReports(fhir, patientRef);
    const mine = reports.find((r) => isAbout(r, imagingStudy.id as string) && r.status !== 'cancelled' && r.status !== 'entered-in-error');
    priors.replaceChildren(...(reports.length ? reports.map((r) => priorItem(r, r === mine, lang)) : [h('li', {}, say('noPriors'))]));
    return mine;
  };

  const write = async (status: 'preliminary' | 'final') => {
    if (busy) return;
    // Politely refused before anything is sent: a signed report is changed by amendment, not here.
    if (isSigned(current)) return tell(say('alreadyFinal'), true);
    if (status === 'final' && !impression.value.trim()) return tell(say('emptyImpression'), true);
    busy = true;
    save.disabled = sign.disabled = true;
    tell(say('saving'));
    try {
      const resource = buildReport({
        status,
        imagingStudy,
        ...(ctx.patient ? { patient: ctx.patient } : {}),
        findings: findings.value,
        impression: impression.value,
        critical: critical.checked,
        ...(interpreter ? { interpreter } : {}),
        lang,
        now: new Date(),
      });
      const version = current?.meta?.versionId;
      const saved = current?.id
        ? await fhir.put<DiagnosticReport>(`DiagnosticReport/${current.id}`, { ...resource, id: current.id }, version ? { 'If-Match': `W/"${version}"` } : {})
        : await fhir.post<DiagnosticReport>('DiagnosticReport', resource);
      show(saved);
      tell(say(status === 'final' ? 'signed' : 'saved'));
      await refresh().catch(() => undefined);
    } catch (error) {
      if (error instanceof FhirHttpError && (error.status === 412 || error.status === 409)) tell(say('conflict'), true);
      else tell(`${say('failed')}: ${error instanceof Error ? error.message : String(error)}`, true);
    } finally {
      busy = false;
      save.disabled = sign.disabled = false;
    }
  };
  save.onclick = () => void write('preliminary');
  sign.onclick = () => void write('final');

  container.replaceChildren(
    h(
      'section',
      { className: 'report', ariaLabel: say('title') },
      h('h2', {}, say('title'), badge),
      h('label', {}, say('findings'), findings),
      h('label', {}, say('impression'), impression),
      criticalLabel,
      who,
      h('div', { className: 'actions' }, save, sign),
      message,
      priorsBox,
    ),
  );
  refresh().then(
    (mine) => {
      show(mine);
      if (mine) fill(mine);
      container.dataset.ready = 'true';
    },
    (error: unknown) => {
      tell(`${say('loadFailed')}: ${error instanceof Error ? error.message : String(error)}`, true);
      container.dataset.ready = 'true';
    },
  );
}
