import type { MessageId } from '../i18n.js';

/** A window: width and centre in the image's output units (HU for CT). */
export interface Window {
  width: number;
  center: number;
}

export interface Preset extends Window {
  /** Stable name, used in `data-testid="preset-<name>"` and by the number keys. */
  name: string;
  /** Message id of the label, or a literal label for windows the image itself carries. */
  label: MessageId | { text: string };
}

/** The clinical CT windows, in the order of the number keys 1–5. */
export const CT_PRESETS: readonly Preset[] = [
  { name: 'brain', label: 'preset_brain', width: 80, center: 40 },
  { name: 'lung', label: 'preset_lung', width: 1500, center: -600 },
  { name: 'bone', label: 'preset_bone', width: 2500, center: 480 },
  { name: 'soft', label: 'preset_soft', width: 400, center: 40 },
  { name: 'liver', label: 'preset_liver', width: 150, center: 90 },
];

/** The image's own windows (Window Center/Width, with their explanations when present). */
export function imagePresets(voi: { windowCenter?: number | number[]; windowWidth?: number | number[]; explanation?: string | string[] } | undefined): Preset[] {
  if (!voi) return [];
  const centers = toArray(voi.windowCenter);
  const widths = toArray(voi.windowWidth);
  const explanations = voi.explanation === undefined ? [] : Array.isArray(voi.explanation) ? voi.explanation : [voi.explanation];
  const presets: Preset[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    const center = centers[i];
    const width = widths[i];
    if (center === undefined || width === undefined || !Number.isFinite(center) || !Number.isFinite(width) || width <= 0) continue;
    const explanation = explanations[i]?.trim();
    presets.push({ name: `image-${i + 1}`, label: explanation ? { text: explanation } : 'preset_image', width, center });
  }
  return presets;
}

function toArray(v: number | number[] | undefined): number[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Cornerstone's VOI range for a window (linear VOI LUT function, PS3.3 C.11.2.1.2). */
export function windowToRange(w: Window): { lower: number; upper: number } {
  return { lower: w.center - w.width / 2, upper: w.center + w.width / 2 };
}

export function rangeToWindow(range: { lower: number; upper: number }): Window {
  return { width: range.upper - range.lower, center: (range.upper + range.lower) / 2 };
}
