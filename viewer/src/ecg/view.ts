/**
 * `/viewer/?ecg=<DiagnosticReport id>`: a resting 12-lead ECG on calibrated paper, its
 * measurements, the patient, and the reader's report (docs/ecg.md, "In the viewer").
 */
import type { Bundle, DiagnosticReport, Observation, Patient, Task } from '@medplum/fhirtypes';
import { h } from '../dom.js';
import type { FhirApi } from '../fhir-api.js';
import { lang, languageSwitch } from '../i18n.js';
import { readLeads } from './leads.js';
import { measurementsPanel } from './measurements.js';
import { m } from './messages.js';
import { drawPaper, type PaperSettings } from './paper.js';
import { readingPanel } from './reading.js';
import './ecg.css';

const LOINC_ECG = '11524-6';
const GAINS = [5, 10, 20] as const;
const SPEEDS = [25, 50] as const;
const ZOOMS = [0.75, 1, 1.5, 2] as const;

function isWaveform(o: Observation): boolean {
  return !!o.code.coding?.some((c) => c.system === 'http://loinc.org' && c.code === LOINC_ECG) && !!o.component?.length;
}

function patientHeader(patient: Patient | undefined, recorded: string | undefined): HTMLElement {
  const name = patient?.name?.[0];
  const display = name?.text ?? [name?.family, ...(name?.given ?? [])].filter(Boolean).join('');
  const gender = patient?.gender ? m(patient.gender) : m('unknown');
  const born = patient?.birthDate ? new Date(patient.birthDate) : undefined;
  const age = born && recorded ? Math.floor((new Date(recorded).getTime() - born.getTime()) / (365.2425 * 86_400_000)) : undefined;
  const item = (label: string, value: string | undefined) => value && h('span', {}, h('b', { textContent: `${label}：` }), value);
  return h(
    'div',
    { className: 'ecg-patient', testid: 'ecg-patient' },
    item(m('patient'), display || patient?.id),
    item(m('sex'), gender),
    age !== undefined && age >= 0 ? item(m('age'), m('years', { n: age })) : undefined,
    item(m('recorded'), recorded ? new Date(recorded).toLocaleString(lang()) : undefined),
  );
}

function switchGroup<T extends number>(label: string, values: readonly T[], current: () => T, testid: (v: T) => string, text: (v: T) => string, choose: (v: T) => void): HTMLElement {
  const buttons = values.map((v) => h('button', { type: 'button', textContent: text(v), testid: testid(v), onclick: () => choose(v) }));
  const sync = () => buttons.forEach((b, i) => b.classList.toggle('active', values[i] === current()));
  sync();
  const group = h('span', { className: 'ecg-switch' }, h('span', { textContent: `${label}:` }), ...buttons);
  group.addEventListener('click', sync);
  return group;
}

export async function renderEcg(root: HTMLElement, reportId: string, fhir: FhirApi): Promise<void> {
  root.dataset.view = 'ecg';
  const report = await fhir.get<DiagnosticReport>(`DiagnosticReport/${encodeURIComponent(reportId)}`);
  const [results, patient, tasks] = await Promise.all([
    Promise.all((report.result ?? []).flatMap((r) => (r.reference ? [fhir.get<Observation>(r.reference)] : []))),
    report.subject?.reference ? fhir.get<Patient>(report.subject.reference).catch(() => undefined) : Promise.resolve(undefined),
    fhir.get<Bundle<Task>>(`Task?focus=DiagnosticReport/${encodeURIComponent(reportId)}&_sort=-_lastUpdated&_count=1`),
  ]);
  const waveform = results.find(isWaveform);
  const measurements = results.filter((o) => o !== waveform);
  const leads = waveform ? readLeads(waveform) : [];
  const settings: PaperSettings = { speed: 25, gain: 10, zoom: 1 };

  const canvas = h('canvas', { className: 'ecg-canvas', testid: 'ecg-canvas' });
  const calibration = h('div', { className: 'ecg-calibration', testid: 'ecg-calibration' });
  const redraw = () => {
    const traced = drawPaper(canvas, leads, settings);
    canvas.dataset.leads = traced.join(' ');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${m('title')}: ${traced.join(', ')}`);
    canvas.dataset.gain = String(settings.gain);
    canvas.dataset.speed = String(settings.speed);
    calibration.textContent = m('calibration', { speed: settings.speed, gain: settings.gain, zoom: `${settings.zoom}×` });
  };
  const controls = h(
    'div',
    { className: 'ecg-controls' },
    switchGroup(m('gain'), GAINS, () => settings.gain as (typeof GAINS)[number], (v) => `ecg-gain-${v}`, (v) => `${v} mm/mV`, (v) => ((settings.gain = v), redraw())),
    switchGroup(m('speed'), SPEEDS, () => settings.speed as (typeof SPEEDS)[number], (v) => `ecg-speed-${v}`, (v) => `${v} mm/s`, (v) => ((settings.speed = v), redraw())),
    switchGroup(m('zoom'), ZOOMS, () => settings.zoom as (typeof ZOOMS)[number], (v) => `ecg-zoom-${v}`, (v) => `${v}×`, (v) => ((settings.zoom = v), redraw())),
  );
  const device = waveform?.note?.map((n) => n.text).join('; ');
  document.title = `${m('title')} · ${patient?.name?.[0]?.text ?? reportId}`;
  root.replaceChildren(
    h('header', { className: 'ecg-header' }, h('h2', { textContent: m('title') }), patientHeader(patient, waveform?.effectiveDateTime), calibration, languageSwitch()),
    controls,
    h(
      'div',
      { className: 'ecg-body' },
      h('div', { className: 'ecg-paper' }, waveform ? canvas : h('div', { className: 'status error', textContent: m('noWaveform') })),
      h('aside', { className: 'ecg-side' }, measurementsPanel(measurements), device ? h('p', { className: 'ecg-device', textContent: device }) : undefined, readingPanel(fhir, report, tasks.entry?.[0]?.resource)),
    ),
  );
  redraw();
}
