import { init as coreInit } from '@cornerstonejs/core';
import { init as loaderInit, wadors } from '@cornerstonejs/dicom-image-loader';
import {
  AngleTool,
  EllipticalROITool,
  Enums as ToolEnums,
  LengthTool,
  PanTool,
  ProbeTool,
  RectangleROITool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  addTool,
  init as toolsInit,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';
import { authHeaders } from '../fhir-api.js';
import { TAG, type DicomJson } from '../dicomweb.js';
import type { ToolId } from './shortcuts.js';

export const TOOL_NAMES: Record<ToolId, string> = {
  windowLevel: WindowLevelTool.toolName,
  pan: PanTool.toolName,
  zoom: ZoomTool.toolName,
  length: LengthTool.toolName,
  angle: AngleTool.toolName,
  rectangleRoi: RectangleROITool.toolName,
  ellipseRoi: EllipticalROITool.toolName,
  probe: ProbeTool.toolName,
};

/**
 * Stacks are drawn on the CPU when WebGL is a software emulation (SwiftShader, llvmpipe: headless
 * browsers, virtual desktops without a GPU), where it is slower than Cornerstone's 2D path;
 * `?render=cpu|gpu` overrides.
 */
function renderOnCpu(): boolean {
  const asked = new URLSearchParams(window.location.search).get('render');
  if (asked === 'cpu' || asked === 'gpu') return asked === 'cpu';
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return true;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
}

let ready: Promise<void> | undefined;

/** Starts Cornerstone once: rendering core, the DICOM image loader (its fetches carry the token), the tools. */
export function startCornerstone(): Promise<void> {
  ready ??= (async () => {
    coreInit({ rendering: { useCPURendering: renderOnCpu(), preferSizeOverAccuracy: true }, debug: {} });
    loaderInit({
      maxWebWorkers: Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)),
      beforeSend: () => authHeaders(),
    });
    toolsInit();
    for (const tool of [StackScrollTool, WindowLevelTool, PanTool, ZoomTool, LengthTool, AngleTool, RectangleROITool, EllipticalROITool, ProbeTool]) addTool(tool);
  })();
  return ready;
}

/** Hands the WADO-RS metadata of each frame to the image loader before its pixels are asked for. */
export function registerMetadata(imageId: string, instance: DicomJson): void {
  // Secondary-capture files often lack Modality (Type 1 in General Series), and the image loader's
  // metadata provider fails on its absence: such an image is "OT" (other), as DICOM names it.
  const complete = instance[TAG.modality]?.Value?.length ? instance : { ...instance, [TAG.modality]: { vr: 'CS', Value: ['OT'] } };
  wadors.metaDataManager.add(imageId, complete as unknown as Parameters<typeof wadors.metaDataManager.add>[1]);
}

const { MouseBindings } = ToolEnums;

/** One tool group for every viewport: wheel scrolls, middle pans, right zooms, left runs the chosen tool. */
export function createToolGroup(id: string): ToolTypes.IToolGroup {
  ToolGroupManager.destroyToolGroup(id);
  const group = ToolGroupManager.createToolGroup(id);
  if (!group) throw new Error(`tool group ${id} could not be created`);
  group.addTool(StackScrollTool.toolName);
  for (const name of Object.values(TOOL_NAMES)) group.addTool(name);
  group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  setPrimaryTool(group, 'windowLevel');
  return group;
}

/** Makes `tool` the left-button tool; measurements already drawn stay visible (passive). */
export function setPrimaryTool(group: ToolTypes.IToolGroup, tool: ToolId): void {
  const primary = TOOL_NAMES[tool];
  for (const [id, name] of Object.entries(TOOL_NAMES) as [ToolId, string][]) {
    if (name === primary) continue;
    if (id === 'pan') group.setToolActive(name, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
    else if (id === 'zoom') group.setToolActive(name, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
    else group.setToolPassive(name);
  }
  const extra = tool === 'pan' ? [{ mouseButton: MouseBindings.Auxiliary }] : tool === 'zoom' ? [{ mouseButton: MouseBindings.Secondary }] : [];
  group.setToolActive(primary, { bindings: [{ mouseButton: MouseBindings.Primary }, ...extra] });
}
