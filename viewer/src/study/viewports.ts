import { Enums, RenderingEngine, cache, imageLoader, type Types } from '@cornerstonejs/core';
import { annotation, utilities as toolUtilities, type Types as ToolTypes } from '@cornerstonejs/tools';
import { TAG, nums, num, type DicomJson, type SeriesInfo } from '../dicomweb.js';
import { lang } from '../i18n.js';
import { createToolGroup, registerMetadata, setPrimaryTool } from './cornerstone.js';
import { overlayLines, type OverlayInput } from './overlay.js';
import { markFirstImage } from './preview.js';
import { rangeToWindow, windowToRange, type Window } from './presets.js';
import type { LayoutId, ToolId } from './shortcuts.js';

const ENGINE_ID = 'qiao-engine';
const TOOL_GROUP_ID = 'qiao-tools';
const CELLS: Record<LayoutId, number> = { '1x1': 1, '1x2': 2, '2x2': 4 };

interface Cell {
  id: string;
  element: HTMLDivElement;
  overlay: Record<'topLeft' | 'topRight' | 'bottomLeft' | 'bottomRight', HTMLDivElement>;
  series?: SeriesInfo;
  cine: boolean;
}

/**
 * The viewport grid of the study view: one stack viewport per cell, all in one tool group, the
 * active cell receiving toolbar and keyboard actions.
 */
export class ViewportGrid {
  private readonly engine = new RenderingEngine(ENGINE_ID);
  private readonly toolGroup: ToolTypes.IToolGroup = createToolGroup(TOOL_GROUP_ID);
  private cells: Cell[] = [];
  private activeIndex = 0;
  private layout: LayoutId = '1x1';
  private readonly instanceOf = new Map<string, DicomJson>();
  private firstImageMarked = false;
  onActiveChange: (series: SeriesInfo | undefined) => void = () => {};

  constructor(
    private readonly container: HTMLElement,
    private readonly series: SeriesInfo[],
    private readonly overlayInput: (instance: DicomJson) => OverlayInput,
  ) {
    for (const s of series) {
      s.imageIds.forEach((imageId, i) => {
        const instance = s.instances[Math.min(i, s.instances.length - 1)];
        if (!instance) return;
        const sop = imageId.slice(imageId.indexOf('/instances/') + 11, imageId.indexOf('/frames/'));
        const owner = s.instances.find((x) => x[TAG.sopUid]?.Value?.[0] === sop) ?? instance;
        this.instanceOf.set(imageId, owner);
        registerMetadata(imageId, owner);
      });
    }
    new ResizeObserver(() => this.engine.resize(true, true)).observe(container);
  }

  get active(): Types.IStackViewport | undefined {
    const cell = this.cells[this.activeIndex];
    return cell ? (this.engine.getViewport(cell.id) as Types.IStackViewport | undefined) : undefined;
  }

  get activeSeries(): SeriesInfo | undefined {
    return this.cells[this.activeIndex]?.series;
  }

  /** Rebuilds the grid for a layout; cells keep their series where they can, new cells take the next series. */
  async setLayout(layout: LayoutId): Promise<void> {
    const previous = this.cells.map((c) => c.series);
    for (const cell of this.cells) this.stopCine(cell);
    this.layout = layout;
    this.container.dataset.layout = layout;
    this.toolGroup.removeViewports(ENGINE_ID);
    this.engine.setViewports([]);
    this.container.replaceChildren();
    this.cells = Array.from({ length: CELLS[layout] }, (_, i) => this.createCell(i));
    this.engine.setViewports(this.cells.map((c) => ({ viewportId: c.id, element: c.element, type: Enums.ViewportType.STACK, defaultOptions: { background: [0, 0, 0] as Types.Point3 } })));
    for (const cell of this.cells) this.toolGroup.addViewport(cell.id, ENGINE_ID);
    this.activeIndex = Math.min(this.activeIndex, this.cells.length - 1);
    this.markActive();
    await Promise.all(
      this.cells.map((cell, i) => {
        const series = previous[i] ?? this.series[i % Math.max(1, this.series.length)];
        return series ? this.show(i, series) : Promise.resolve();
      }),
    );
  }

  get currentLayout(): LayoutId {
    return this.layout;
  }

  private createCell(index: number): Cell {
    const id = `vp-${index}`;
    const element = document.createElement('div');
    element.className = 'viewport';
    element.dataset.testid = 'viewport';
    element.dataset.index = String(index);
    element.tabIndex = 0;
    element.oncontextmenu = (e) => e.preventDefault();
    const corner = (name: string): HTMLDivElement => {
      const div = document.createElement('div');
      div.className = `overlay overlay-${name}`;
      return div;
    };
    const overlay = { topLeft: corner('tl'), topRight: corner('tr'), bottomLeft: corner('bl'), bottomRight: corner('br') };
    const wrapper = document.createElement('div');
    wrapper.className = 'viewport-cell';
    wrapper.append(element, ...Object.values(overlay));
    wrapper.addEventListener('pointerdown', () => this.activate(index));
    this.container.append(wrapper);
    element.addEventListener(Enums.Events.STACK_NEW_IMAGE, () => this.updateOverlay(index));
    element.addEventListener(Enums.Events.VOI_MODIFIED, () => this.updateOverlay(index));
    element.addEventListener(Enums.Events.IMAGE_RENDERED, () => {
      if (this.firstImageMarked) return;
      // Renders happen before any pixels arrive too (empty viewport, resize): only a drawn image counts.
      const viewport = this.engine.getViewport(id) as Types.IStackViewport | undefined;
      if (viewport?.viewportStatus !== Enums.ViewportStatus.RENDERED || !viewport.getCurrentImageId() || !viewport.getImageData()) return;
      this.firstImageMarked = true;
      markFirstImage();
      performance.mark('viewport-image');
    });
    return { id, element, overlay, cine: false };
  }

  private activate(index: number): void {
    if (index === this.activeIndex) return;
    this.activeIndex = index;
    this.markActive();
    this.onActiveChange(this.activeSeries);
  }

  private markActive(): void {
    this.cells.forEach((c, i) => c.element.parentElement?.classList.toggle('active', i === this.activeIndex));
  }

  /** Shows a series in the active cell (thumbnail click). */
  showInActive(series: SeriesInfo): Promise<void> {
    return this.show(this.activeIndex, series);
  }

  private async show(index: number, series: SeriesInfo): Promise<void> {
    const cell = this.cells[index];
    if (!cell) return;
    this.stopCine(cell);
    cell.series = series;
    const viewport = this.engine.getViewport(cell.id) as Types.IStackViewport;
    cell.element.dataset.loaded = `0/${series.imageIds.length}`;
    await viewport.setStack(series.imageIds, 0);
    viewport.render();
    this.updateOverlay(index);
    if (index === this.activeIndex) this.onActiveChange(series);
    this.prefetch(cell, series);
  }

  /** Loads the whole stack into the cache so scrolling never waits on the network; progress on `data-loaded`. */
  private prefetch(cell: Cell, series: SeriesInfo): void {
    let done = 0;
    const total = series.imageIds.length;
    const tick = (): void => {
      done += 1;
      if (cell.series === series) cell.element.dataset.loaded = `${done}/${total}`;
    };
    for (const imageId of series.imageIds) {
      if (cache.getImageLoadObject(imageId)) {
        void cache.getImageLoadObject(imageId)!.promise.then(tick, tick);
        continue;
      }
      void imageLoader.loadAndCacheImage(imageId, { priority: 0, requestType: Enums.RequestType.Prefetch }).then(tick, tick);
    }
  }

  private updateOverlay(index: number): void {
    const cell = this.cells[index];
    const viewport = cell ? (this.engine.getViewport(cell.id) as Types.IStackViewport | undefined) : undefined;
    if (!cell || !viewport || !cell.series) return;
    const imageId = viewport.getCurrentImageId();
    const instance = imageId ? this.instanceOf.get(imageId) : undefined;
    if (!instance) return;
    const voi = viewport.getProperties().voiRange;
    const position = slicePosition(instance);
    const lines = overlayLines(
      this.overlayInput(instance),
      { index: viewport.getCurrentImageIdIndex() + 1, total: cell.series.imageIds.length, ...(position !== undefined ? { position } : {}), ...(voi ? { window: rangeToWindow(voi) } : {}) },
      lang(),
    );
    for (const corner of ['topLeft', 'topRight', 'bottomLeft', 'bottomRight'] as const) {
      cell.overlay[corner].replaceChildren(...lines[corner].map((text) => Object.assign(document.createElement('div'), { textContent: text })));
    }
    cell.element.dataset.imageIndex = String(viewport.getCurrentImageIdIndex());
  }

  /** The DICOM JSON of the image on screen in the active cell. */
  currentInstance(): DicomJson | undefined {
    const id = this.active?.getCurrentImageId();
    return id ? this.instanceOf.get(id) : undefined;
  }

  refreshOverlays(): void {
    this.cells.forEach((_, i) => this.updateOverlay(i));
  }

  scroll(delta: number): void {
    const vp = this.active;
    if (!vp) return;
    const last = vp.getImageIds().length - 1;
    const target = Math.max(0, Math.min(last, vp.getCurrentImageIdIndex() + delta));
    if (target !== vp.getCurrentImageIdIndex()) void vp.setImageIdIndex(target);
  }

  scrollTo(which: 'first' | 'last'): void {
    const vp = this.active;
    if (vp) void vp.setImageIdIndex(which === 'first' ? 0 : vp.getImageIds().length - 1);
  }

  applyWindow(window: Window): void {
    const vp = this.active;
    if (!vp) return;
    vp.setProperties({ voiRange: windowToRange(window) });
    vp.render();
  }

  rotate(): void {
    const vp = this.active;
    if (!vp) return;
    vp.setViewPresentation({ rotation: (vp.getRotation() + 90) % 360 });
    vp.render();
  }

  flip(direction: 'h' | 'v'): void {
    const vp = this.active;
    if (!vp) return;
    const camera = vp.getCamera();
    vp.setCamera(direction === 'h' ? { flipHorizontal: !camera.flipHorizontal } : { flipVertical: !camera.flipVertical });
    vp.render();
  }

  invert(): void {
    const vp = this.active;
    if (!vp) return;
    vp.setProperties({ invert: !vp.getProperties().invert });
    vp.render();
  }

  reset(): void {
    const vp = this.active;
    if (!vp) return;
    vp.resetProperties();
    vp.resetCamera();
    vp.render();
    this.updateOverlay(this.activeIndex);
  }

  setTool(tool: ToolId): void {
    setPrimaryTool(this.toolGroup, tool);
  }

  clearMeasurements(): void {
    annotation.state.removeAllAnnotations();
    this.engine.render();
  }

  /** Starts or stops cine in the active cell; returns whether it now plays. */
  toggleCine(): boolean {
    const cell = this.cells[this.activeIndex];
    if (!cell) return false;
    if (cell.cine) this.stopCine(cell);
    else {
      toolUtilities.cine.playClip(cell.element, { framesPerSecond: 15, loop: true });
      cell.cine = true;
    }
    return cell.cine;
  }

  private stopCine(cell: Cell): void {
    if (!cell.cine) return;
    toolUtilities.cine.stopClip(cell.element);
    cell.cine = false;
  }

  /** Keyboard focus on the active cell, so shortcuts keep working after a toolbar click. */
  focus(): void {
    this.cells[this.activeIndex]?.element.focus();
  }
}

/** Slice position in mm: Slice Location, else the position along the slice normal. */
function slicePosition(instance: DicomJson): number | undefined {
  const location = num(instance, TAG.sliceLocation);
  if (location !== undefined) return location;
  const pos = nums(instance, TAG.imagePosition);
  const ori = nums(instance, TAG.imageOrientation);
  if (pos.length !== 3 || ori.length !== 6) return undefined;
  const [a, b, c, d, e, f] = ori as [number, number, number, number, number, number];
  return (b * f - c * e) * pos[0]! + (c * d - a * f) * pos[1]! + (a * e - b * d) * pos[2]!;
}
