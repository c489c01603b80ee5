/**
 * Draws a 12-lead ECG as it is printed: pink millimetre paper (1 mm minor, 5 mm major lines),
 * calibrated in millimetres per second and per millivolt, mapped to CSS pixels at 96 dpi.
 */
import type { Lead } from './leads.js';

export interface PaperSettings {
  /** mm/s: 25 standard, 50 for fast rhythms. */
  speed: number;
  /** mm/mV: 10 standard; 5 and 20 for large and small complexes. */
  gain: number;
  /** Screen magnification over true size. */
  zoom: number;
}

const CSS_PX_PER_MM = 96 / 25.4;
/** Standard 3×4 layout: each column shows 2.5 s of its three leads, then a 10 s lead-II rhythm strip. */
const COLUMNS = [
  ['I', 'II', 'III'],
  ['aVR', 'aVL', 'aVF'],
  ['V1', 'V2', 'V3'],
  ['V4', 'V5', 'V6'],
] as const;
const COLUMN_SECONDS = 2.5;
const RHYTHM_LEAD = 'II';
const MINOR = '#f6c9c9';
const MAJOR = '#e07a7a';
const INK = '#101010';
/** Room for the calibration pulse (200 ms wide) before the first column. */
const marginMm = (speed: number) => 0.2 * speed + 5;

function rowHeightMm(gain: number): number {
  // Three millivolts of room per row at the chosen gain, never less than 20 mm so labels fit.
  return Math.max(20, 3 * gain);
}

export function paperSizeMm(settings: PaperSettings): { width: number; height: number } {
  return { width: marginMm(settings.speed) + COLUMN_SECONDS * COLUMNS.length * settings.speed, height: rowHeightMm(settings.gain) * 4 };
}

function median(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort();
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
}

/** Draws the page; answers the names of the leads it traced (labels are drawn for all twelve). */
export function drawPaper(canvas: HTMLCanvasElement, leads: readonly Lead[], settings: PaperSettings): string[] {
  const pxPerMm = CSS_PX_PER_MM * settings.zoom;
  const size = paperSizeMm(settings);
  const dpr = window.devicePixelRatio || 1;
  canvas.style.width = `${size.width * pxPerMm}px`;
  canvas.style.height = `${size.height * pxPerMm}px`;
  canvas.width = Math.round(size.width * pxPerMm * dpr);
  canvas.height = Math.round(size.height * pxPerMm * dpr);
  const g = canvas.getContext('2d');
  if (!g) return [];
  const traced: string[] = [];
  g.setTransform(dpr * pxPerMm, 0, 0, dpr * pxPerMm, 0, 0);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, size.width, size.height);
  drawGrid(g, size.width, size.height, pxPerMm);

  const byName = new Map(leads.map((l) => [l.name, l]));
  const baselines = new Map(leads.map((l) => [l.name, median(l.microvolts)]));
  const rowMm = rowHeightMm(settings.gain);
  const columnMm = COLUMN_SECONDS * settings.speed;
  g.strokeStyle = INK;
  g.fillStyle = INK;
  g.lineJoin = 'round';
  g.lineWidth = Math.max(0.15, 1.2 / pxPerMm);
  g.font = `${3.5}px sans-serif`;
  g.textBaseline = 'top';

  const trace = (lead: Lead | undefined, name: string, x0: number, yMid: number, fromS: number, seconds: number) => {
    g.fillText(name, x0 + 1, yMid - rowMm / 2 + 1.5);
    if (!lead) return;
    if (!traced.includes(name)) traced.push(name);
    const base = baselines.get(lead.name) ?? 0;
    const first = Math.floor((fromS * 1000) / lead.periodMs);
    const last = Math.min(lead.microvolts.length, Math.floor(((fromS + seconds) * 1000) / lead.periodMs));
    g.beginPath();
    for (let i = first; i < last; i += 1) {
      const x = x0 + ((i * lead.periodMs) / 1000 - fromS) * settings.speed;
      const y = yMid - ((lead.microvolts[i]! - base) / 1000) * settings.gain;
      if (i === first) g.moveTo(x, y);
      else g.lineTo(x, y);
    }
    g.stroke();
  };

  for (let row = 0; row < 4; row += 1) {
    const yMid = row * rowMm + rowMm * 0.6;
    drawCalibration(g, yMid, settings);
    if (row < 3) {
      COLUMNS.forEach((column, c) => {
        const name = column[row]!;
        const x0 = marginMm(settings.speed) + c * columnMm;
        trace(byName.get(name), name, x0, yMid, c * COLUMN_SECONDS, COLUMN_SECONDS);
        if (c > 0) {
          g.beginPath();
          g.moveTo(x0, yMid - 2.5);
          g.lineTo(x0, yMid + 2.5);
          g.stroke();
        }
      });
    } else {
      trace(byName.get(RHYTHM_LEAD), RHYTHM_LEAD, marginMm(settings.speed), yMid, 0, COLUMN_SECONDS * COLUMNS.length);
    }
  }
  return traced;
}

function drawGrid(g: CanvasRenderingContext2D, width: number, height: number, pxPerMm: number): void {
  // One device pixel per line whatever the zoom, major lines twice as heavy.
  for (const [step, colour, weight] of [[1, MINOR, 1], [5, MAJOR, 1.6]] as const) {
    g.strokeStyle = colour;
    g.lineWidth = weight / pxPerMm;
    g.beginPath();
    for (let x = 0; x <= width; x += step) {
      g.moveTo(x, 0);
      g.lineTo(x, height);
    }
    for (let y = 0; y <= height; y += step) {
      g.moveTo(0, y);
      g.lineTo(width, y);
    }
    g.stroke();
  }
}

/** The 1 mV standardisation pulse, 200 ms wide, at the start of each row. */
function drawCalibration(g: CanvasRenderingContext2D, yMid: number, settings: PaperSettings): void {
  const x = 2;
  const w = 0.2 * settings.speed;
  g.beginPath();
  g.moveTo(x - 1, yMid);
  g.lineTo(x, yMid);
  g.lineTo(x, yMid - settings.gain);
  g.lineTo(x + w, yMid - settings.gain);
  g.lineTo(x + w, yMid);
  g.lineTo(x + w + 1, yMid);
  g.stroke();
}
