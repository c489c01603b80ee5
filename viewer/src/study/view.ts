import type { Bundle, ImagingStudy, Patient } from '@medplum/fhirtypes';
import { TAG, groupSeries, nums, personName, seriesThumbnail, str, studyMetadata, type DicomJson, type SeriesInfo } from '../dicomweb.js';
import { h } from '../dom.js';
import type { FhirApi } from '../fhir-api.js';
import { lang, languageSwitch, t, type MessageId } from '../i18n.js';
import { mountReportPanel } from '../report/index.js';
import { startCornerstone } from './cornerstone.js';
import { displayName, type OverlayInput } from './overlay.js';
import { CT_PRESETS, imagePresets, type Preset } from './presets.js';
import { HELP, TOOL_KEYS, actionFor, type Action, type LayoutId, type ToolId } from './shortcuts.js';
import { ViewportGrid } from './viewports.js';

interface StudyContext {
  imagingStudy?: ImagingStudy;
  patient?: Patient;
}

async function findStudy(fhir: FhirApi, studyUid: string): Promise<StudyContext> {
  const bundle = await fhir.get<Bundle>(`ImagingStudy?identifier=${encodeURIComponent(`urn:dicom:uid|urn:oid:${studyUid}`)}&_include=ImagingStudy:subject`);
  const resources = (bundle.entry ?? []).map((e) => e.resource);
  const imagingStudy = resources.find((r): r is ImagingStudy => r?.resourceType === 'ImagingStudy');
  const patient = resources.find((r): r is Patient => r?.resourceType === 'Patient');
  return { ...(imagingStudy ? { imagingStudy } : {}), ...(patient ? { patient } : {}) };
}

function overlayInputOf(instance: DicomJson): OverlayInput {
  const name = displayName(str(instance, TAG.patientName), personName(instance, TAG.patientName));
  const fields: Partial<Record<keyof OverlayInput, string | undefined>> = {
    patientName: name || undefined,
    patientSex: str(instance, TAG.patientSex),
    patientBirthDate: str(instance, TAG.patientBirthDate),
    patientAge: str(instance, TAG.patientAge),
    studyDate: str(instance, TAG.studyDate),
    seriesNumber: str(instance, TAG.seriesNumber),
    seriesDescription: str(instance, TAG.seriesDescription),
    modality: str(instance, TAG.modality),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as OverlayInput;
}

function label(preset: Preset): string {
  return typeof preset.label === 'string' ? t(preset.label) : preset.label.text;
}

/** The study view: series thumbnails, the viewport grid with its toolbar, and the report panel. */
export async function renderStudy(root: HTMLElement, studyUid: string, fhir: FhirApi, metadata: Promise<DicomJson[]> = studyMetadata(studyUid)): Promise<void> {
  // The page may already show the first image (preview.ts); it stays until the viewport takes over.
  if (root.dataset.view !== 'loading') root.replaceChildren(h('div', { className: 'status' }, t('loading')));
  root.dataset.view = 'loading';
  const [context, instances] = await Promise.all([findStudy(fhir, studyUid).catch(() => ({}) as StudyContext), metadata.catch(() => [] as DicomJson[]), startCornerstone()]);
  const series = groupSeries(instances, window.location.origin);
  if (series.length === 0) {
    root.dataset.view = 'error';
    root.replaceChildren(h('div', { className: 'status error' }, `${t('studyNotFound')}: ${studyUid}`), h('a', { href: './', className: 'back' }, t('backToWorklist')));
    return;
  }

  const grid = h('main', { className: 'grid' });
  const seriesList = h('nav', { className: 'series-list', ariaLabel: t('series') });
  const presetBar = h('div', { className: 'presets', role: 'group', ariaLabel: t('presets') });
  const help = h('div', { className: 'help', hidden: true, role: 'dialog', testid: 'help-panel' });
  const reportPanel = h('aside', { className: 'report-panel', testid: 'report-panel' });
  let presets: Preset[] = [];

  const viewports = new ViewportGrid(grid, series, overlayInputOf);

  const toolButtons = new Map<ToolId, HTMLButtonElement>();
  const selectTool = (tool: ToolId): void => {
    viewports.setTool(tool);
    for (const [id, button] of toolButtons) button.classList.toggle('on', id === tool);
  };
  const cineButton = h('button', { type: 'button', textContent: `${t('cine')} (C)`, testid: 'cine' });
  const layoutButtons = new Map<LayoutId, HTMLButtonElement>();
  const selectLayout = async (layout: LayoutId): Promise<void> => {
    for (const [id, button] of layoutButtons) button.classList.toggle('on', id === layout);
    cineButton.classList.remove('on');
    await viewports.setLayout(layout);
  };

  const applyPreset = (preset: Preset | undefined): void => {
    if (preset) viewports.applyWindow(preset);
  };
  const refreshPresets = (): void => {
    const instance = viewports.currentInstance();
    const own = instance ? imagePresets({ windowCenter: nums(instance, TAG.windowCenter), windowWidth: nums(instance, TAG.windowWidth), explanation: strings(instance, TAG.windowExplanation) }) : [];
    presets = [...CT_PRESETS, ...own];
    presetBar.replaceChildren(
      ...presets.map((p, i) =>
        h('button', { type: 'button', textContent: label(p), title: `${p.width}/${p.center}${i < 5 ? ` (${i + 1})` : ''}`, testid: `preset-${p.name}`, onclick: () => applyPreset(p) }),
      ),
    );
  };
  viewports.onActiveChange = (active) => {
    refreshPresets();
    for (const button of seriesList.querySelectorAll('button')) button.classList.toggle('on', button.dataset.series === active?.seriesUid);
  };

  const run = (action: Action): void => {
    switch (action.kind) {
      case 'scroll':
        return viewports.scroll(action.delta);
      case 'first':
      case 'last':
        return viewports.scrollTo(action.kind);
      case 'preset':
        return applyPreset(presets[action.index]);
      case 'tool':
        return selectTool(action.tool);
      case 'rotate':
        return viewports.rotate();
      case 'flipH':
        return viewports.flip('h');
      case 'flipV':
        return viewports.flip('v');
      case 'invert':
        return viewports.invert();
      case 'reset':
        return viewports.reset();
      case 'cine':
        cineButton.classList.toggle('on', viewports.toggleCine());
        return;
      case 'layout':
        void selectLayout(action.layout);
        return;
      case 'clearMeasurements':
        return viewports.clearMeasurements();
      case 'help':
        help.hidden = !help.hidden;
        return;
    }
  };
  const onKey = (event: KeyboardEvent): void => {
    // Typing in the report or a form field is not a shortcut; events sent to the document itself are.
    if (event.target instanceof Element && event.target.closest('input, textarea, select, [contenteditable="true"], .report-panel')) return;
    if (event.key === 'Escape' && !help.hidden) {
      help.hidden = true;
      return;
    }
    const action = actionFor(event);
    if (!action) return;
    event.preventDefault();
    run(action);
  };
  document.addEventListener('keydown', onKey);

  const button = (message: MessageId, action: Action, key?: string, testid?: string): HTMLButtonElement =>
    h('button', { type: 'button', textContent: key ? `${t(message)} (${key})` : t(message), ...(testid ? { testid } : {}), onclick: () => (run(action), viewports.focus()) });
  const tools: [ToolId, MessageId][] = [
    ['windowLevel', 'windowLevel'],
    ['pan', 'pan'],
    ['zoom', 'zoom'],
    ['length', 'length'],
    ['angle', 'angle'],
    ['rectangleRoi', 'rectangleRoi'],
    ['ellipseRoi', 'ellipseRoi'],
    ['probe', 'probe'],
  ];
  for (const [tool, message] of tools) toolButtons.set(tool, button(message, { kind: 'tool', tool }, TOOL_KEYS[tool].toUpperCase(), `tool-${tool}`));
  cineButton.onclick = () => run({ kind: 'cine' });
  for (const layout of ['1x1', '1x2', '2x2'] as const) layoutButtons.set(layout, h('button', { type: 'button', textContent: layout.replace('x', '×'), testid: `layout-${layout}`, onclick: () => void selectLayout(layout) }));

  help.append(
    h('h2', {}, t('help')),
    h('table', {}, ...HELP.map((row) => h('tr', {}, h('th', {}, row.keys), h('td', {}, t(row.message))))),
    h('button', { type: 'button', textContent: t('close'), onclick: () => (help.hidden = true) }),
  );

  const toolbar = h(
    'header',
    { className: 'toolbar' },
    h('a', { href: './', className: 'back', testid: 'back' }, `← ${t('backToWorklist')}`),
    h('div', { className: 'group', role: 'group', ariaLabel: t('tools') }, ...toolButtons.values()),
    h(
      'div',
      { className: 'group' },
      button('rotate', { kind: 'rotate' }, 'R', 'rotate'),
      button('flipH', { kind: 'flipH' }, 'H', 'flip-h'),
      button('flipV', { kind: 'flipV' }, 'V', 'flip-v'),
      button('invert', { kind: 'invert' }, 'I', 'invert'),
      button('reset', { kind: 'reset' }, 'Space', 'reset'),
      cineButton,
      button('clearMeasurements', { kind: 'clearMeasurements' }, 'Del', 'clear'),
    ),
    h('div', { className: 'group', role: 'group', ariaLabel: t('layout') }, ...layoutButtons.values()),
    h('button', { type: 'button', textContent: `${t('help')} (?)`, testid: 'help', onclick: () => run({ kind: 'help' }) }),
    languageSwitch(),
  );

  for (const s of series) {
    const img = h('img', { alt: '', width: 96, height: 96 });
    const thumb = h(
      'button',
      { type: 'button', className: 'thumb', dataset: { series: s.seriesUid }, title: s.description ?? '', onclick: () => void viewports.showInActive(s).then(() => viewports.focus()) },
      img,
      h('span', {}, `${s.modality ?? ''} ${s.number ?? ''} · ${s.imageIds.length} ${t('images')}`),
      s.description ? h('span', { className: 'desc' }, s.description) : undefined,
    );
    seriesList.append(thumb);
    void seriesThumbnail(studyUid, s.seriesUid).then((url) => {
      if (url) img.src = url;
    });
  }

  root.dataset.view = 'study';
  root.replaceChildren(h('div', { className: 'study' }, toolbar, h('div', { className: 'study-body' }, seriesList, h('div', { className: 'grid-area' }, presetBar, grid), reportPanel), help));
  await selectLayout('1x1');
  selectTool('windowLevel');
  refreshPresets();
  viewports.focus();

  if (context.imagingStudy) {
    mountReportPanel(reportPanel, { studyUid, imagingStudy: context.imagingStudy, ...(context.patient ? { patient: context.patient } : {}), lang: lang(), fhir });
  }
}

function strings(instance: DicomJson, tag: string): string[] {
  return (instance[tag]?.Value ?? []).map(String);
}
