/**
 * Body-like phantoms with realistic values, so that window presets visibly differ: a chest/upper
 * abdomen CT in stored values (Hounsfield units + 1024, for RescaleIntercept −1024) and a T1-like
 * head MR. Shapes are ellipses whose size follows the slice; noise comes from a seeded xorshift,
 * so every pixel follows from the arguments.
 */

export interface PhantomOptions {
  /** Index of the first slice (0 = top of the volume). */
  first: number;
  frames: number;
  rows: number;
  columns: number;
  /** Slices in the whole volume, which the anatomy is spread over (default 100). */
  volume?: number;
}

/** `(x, y)` in units of the image (−1…1 across) inside the ellipse at `(cx, cy)` with half-axes `a`, `b`. */
function inside(x: number, y: number, cx: number, cy: number, a: number, b: number): boolean {
  return ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1;
}

/** `count` noise values in −amplitude…amplitude from a seeded xorshift32 (its state kept in a local, unboxed). */
function noiseField(seed: number, amplitude: number, count: number): Int8Array {
  const out = new Int8Array(count);
  let state = (0x9e3779b9 ^ seed) >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) % (2 * amplitude + 1)) - amplitude;
  }
  return out;
}

/**
 * The CT is painted, not evaluated per pixel: each structure is an ellipse filled row span by row
 * span, from the back (air) to the front (spinal canal), so a 512×512 slice costs a few fills
 * rather than a dozen shape tests per pixel.
 */
class Canvas {
  readonly hu: Int16Array;
  constructor(
    readonly rows: number,
    readonly columns: number,
  ) {
    this.hu = new Int16Array(rows * columns).fill(-1000);
  }

  /**
   * Calls `span(row, from, to)` for the pixel columns `from…to` of each row inside the ellipse at
   * `(cx, cy)` with half-axes `a`, `b` (image units: −1…1 across).
   */
  spans(cx: number, cy: number, a: number, b: number, span: (row: number, from: number, to: number) => void): void {
    const { rows, columns } = this;
    const first = Math.max(0, Math.ceil(((cy - b + 1) * rows) / 2));
    const last = Math.min(rows - 1, Math.floor(((cy + b + 1) * rows) / 2));
    for (let row = first; row <= last; row++) {
      const dy = ((2 * row) / rows - 1 - cy) / b;
      const half = a * Math.sqrt(Math.max(0, 1 - dy * dy));
      const from = Math.max(0, Math.ceil(((cx - half + 1) * columns) / 2));
      const to = Math.min(columns - 1, Math.floor(((cx + half + 1) * columns) / 2));
      if (from <= to) span(row, from, to);
    }
  }

  fill(cx: number, cy: number, a: number, b: number, value: number): void {
    this.spans(cx, cy, a, b, (row, from, to) => this.hu.fill(value, row * this.columns + from, row * this.columns + to + 1));
  }
}

/** One chest slice at position `z` (0 = apex of the lungs, 1 = upper abdomen), in Hounsfield units. */
function chestSlice(z: number, rows: number, columns: number): Int16Array {
  const canvas = new Canvas(rows, columns);
  const bodyA = 0.78 + 0.04 * Math.sin(z * 3);
  const bodyB = 0.56;
  const lungs = z < 0.7 ? Math.sin(Math.PI * Math.min(1, (z + 0.15) / 0.85)) : 0;
  canvas.fill(0, 0.05, bodyA, bodyB, -100); // subcutaneous fat
  canvas.fill(0, 0.05, bodyA - 0.04, bodyB - 0.04, 40); // muscle and mediastinum
  if (z > 0.7) canvas.fill(0.35, -0.05, 0.18, 0.16, 35); // stomach wall
  if (z > 0.55) canvas.fill(-0.3, 0, 0.35, 0.35 * Math.min(1, (z - 0.55) * 4), 60); // liver
  if (lungs > 0.05) {
    for (let side = -1; side <= 1; side += 2) {
      const cx = side * 0.34;
      canvas.spans(cx, 0, 0.26 * lungs, 0.38 * lungs, (row, from, to) => {
        // Vessels in cross-section: small dots on some cells of a grid, so the lung window shows structure.
        const gy = ((2 * row) / rows - 1) * 14;
        const v = gy - Math.round(gy);
        for (let column = from; column <= to; column++) {
          const gx = ((2 * column) / columns - 1 - cx) * 14;
          const u = gx - Math.round(gx);
          canvas.hu[row * columns + column] = u * u + v * v < 0.02 && (Math.round(gx) * 7 + Math.round(gy) * 13) % 3 === 0 ? -300 : -860;
        }
      });
    }
    if (z > 0.3 && z < 0.65) canvas.fill(-0.05, -0.05, 0.24, 0.2, 40); // heart
  }
  canvas.fill(0.06, 0.15, 0.05, 0.05, 45); // descending aorta
  for (let k = 0; k < 8; k++) {
    // Ribs: small bone sections just inside the body wall.
    const angle = Math.PI * (0.1 + (0.8 * k) / 7);
    canvas.fill((bodyA - 0.09) * Math.cos(angle), 0.05 - (bodyB - 0.09) * Math.sin(angle), 0.03, 0.022, 700);
  }
  canvas.fill(0, 0.3, 0.09, 0.075, 900); // vertebral cortex
  canvas.fill(0, 0.3, 0.07, 0.055, 250); // cancellous bone
  canvas.fill(0, 0.38, 0.035, 0.03, 20); // spinal canal
  return canvas.hu;
}

/** `frames` CT slices from `first`, 16-bit stored values with intercept −1024. */
export function ctPhantom(o: PhantomOptions): Uint16Array {
  const { rows, columns } = o;
  const volume = o.volume ?? 100;
  const size = rows * columns;
  const pixels = new Uint16Array(o.frames * size);
  for (let f = 0; f < o.frames; f++) {
    const slice = o.first + f;
    const hu = chestSlice(slice / Math.max(1, volume - 1), rows, columns);
    const noise = noiseField(slice, 12, size);
    for (let i = 0; i < size; i++) pixels[f * size + i] = Math.max(0, (hu[i] as number) + 1024 + (noise[i] as number));
  }
  return pixels;
}

/** T1-like signal at one point of slice position `z` (0 = vertex, 1 = skull base). */
function headSignal(x: number, y: number, z: number): number {
  const size = Math.sin(Math.PI * (0.15 + 0.75 * z));
  const a = 0.7 * size;
  const b = 0.85 * size;
  if (!inside(x, y, 0, 0, a, b)) return 0;
  if (!inside(x, y, 0, 0, a - 0.05, b - 0.05)) return 650; // scalp fat
  if (!inside(x, y, 0, 0, a - 0.09, b - 0.09)) return 60; // skull
  if (!inside(x, y, 0, 0, a - 0.12, b - 0.12)) return 250; // CSF
  if (z > 0.35 && z < 0.7 && (inside(x, y, -0.1, -0.05, 0.05, 0.25) || inside(x, y, 0.1, -0.05, 0.05, 0.25))) return 250; // ventricles
  return inside(x, y, 0, 0, a - 0.22, b - 0.22) ? 900 : 700; // white, then grey matter
}

/** `frames` MR slices from `first`, unsigned 16-bit signal. */
export function mrPhantom(o: PhantomOptions): Uint16Array {
  const { rows, columns } = o;
  const volume = o.volume ?? 20;
  const pixels = new Uint16Array(o.frames * rows * columns);
  for (let f = 0; f < o.frames; f++) {
    const slice = o.first + f;
    const z = slice / Math.max(1, volume - 1);
    const noise = noiseField(slice + 7919, 15, rows * columns);
    for (let row = 0; row < rows; row++) {
      const y = (2 * row) / rows - 1;
      for (let column = 0; column < columns; column++) {
        const x = (2 * column) / columns - 1;
        pixels[(f * rows + row) * columns + column] = Math.max(0, headSignal(x, y, z) + (noise[row * columns + column] as number));
      }
    }
  }
  return pixels;
}
