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

function noiseSource(seed: number, amplitude: number): () => number {
  let state = (0x9e3779b9 ^ seed) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) % (2 * amplitude + 1)) - amplitude;
  };
}

/** What a chest slice at position `z` (0 = apex of the lungs, 1 = upper abdomen) is made of. */
interface ChestSlice {
  bodyA: number;
  bodyB: number;
  ribs: [number, number][];
  lungs: number;
  heart: boolean;
  liver: number;
  stomach: boolean;
}

function chestSlice(z: number): ChestSlice {
  const bodyA = 0.78 + 0.04 * Math.sin(z * 3);
  const bodyB = 0.56;
  const ribs: [number, number][] = [];
  for (let k = 0; k < 8; k++) {
    const angle = Math.PI * (0.1 + (0.8 * k) / 7);
    ribs.push([(bodyA - 0.09) * Math.cos(angle), 0.05 - (bodyB - 0.09) * Math.sin(angle)]);
  }
  return {
    bodyA,
    bodyB,
    ribs,
    lungs: z < 0.7 ? Math.sin(Math.PI * Math.min(1, (z + 0.15) / 0.85)) : 0,
    heart: z > 0.3 && z < 0.65,
    liver: z > 0.55 ? Math.min(1, (z - 0.55) * 4) : 0,
    stomach: z > 0.7,
  };
}

/** Hounsfield units at one point of a chest slice. */
function chestHu(x: number, y: number, s: ChestSlice): number {
  if (!inside(x, y, 0, 0.05, s.bodyA, s.bodyB)) return -1000;
  if (!inside(x, y, 0, 0.05, s.bodyA - 0.04, s.bodyB - 0.04)) return -100; // subcutaneous fat
  // Spine: cortical rim and cancellous body, with the spinal canal behind it.
  if (inside(x, y, 0, 0.38, 0.035, 0.03)) return 20;
  if (inside(x, y, 0, 0.3, 0.09, 0.075)) return inside(x, y, 0, 0.3, 0.07, 0.055) ? 250 : 900;
  for (const [rx, ry] of s.ribs) if (inside(x, y, rx, ry, 0.03, 0.022)) return 700;
  if (inside(x, y, 0.06, 0.15, 0.05, 0.05)) return 45; // descending aorta
  if (s.lungs > 0.05) {
    if (s.heart && inside(x, y, -0.05, -0.05, 0.24, 0.2)) return 40;
    for (const side of [-1, 1]) {
      if (inside(x, y, side * 0.34, 0, 0.26 * s.lungs, 0.38 * s.lungs)) {
        // Vessels in cross-section: small dots on some cells of a grid, so the lung window shows structure.
        const gx = (x - side * 0.34) * 14;
        const gy = y * 14;
        const u = gx - Math.round(gx);
        const v = gy - Math.round(gy);
        return u * u + v * v < 0.02 && (Math.round(gx) * 7 + Math.round(gy) * 13) % 3 === 0 ? -300 : -860;
      }
    }
  }
  if (s.liver > 0 && inside(x, y, -0.3, 0.0, 0.35, 0.35 * s.liver)) return 60;
  if (s.stomach && inside(x, y, 0.35, -0.05, 0.18, 0.16)) return 35;
  return 40; // muscle and mediastinum
}

/** `frames` CT slices from `first`, 16-bit stored values with intercept −1024. */
export function ctPhantom(o: PhantomOptions): Uint16Array {
  const { rows, columns } = o;
  const volume = o.volume ?? 100;
  const pixels = new Uint16Array(o.frames * rows * columns);
  for (let f = 0; f < o.frames; f++) {
    const slice = o.first + f;
    const anatomy = chestSlice(slice / Math.max(1, volume - 1));
    const noise = noiseSource(slice, 12);
    for (let row = 0; row < rows; row++) {
      const y = (2 * row) / rows - 1;
      for (let column = 0; column < columns; column++) {
        const x = (2 * column) / columns - 1;
        pixels[(f * rows + row) * columns + column] = Math.max(0, chestHu(x, y, anatomy) + 1024 + noise());
      }
    }
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
    const noise = noiseSource(slice + 7919, 15);
    for (let row = 0; row < rows; row++) {
      const y = (2 * row) / rows - 1;
      for (let column = 0; column < columns; column++) {
        const x = (2 * column) / columns - 1;
        pixels[(f * rows + row) * columns + column] = Math.max(0, headSignal(x, y, z) + noise());
      }
    }
  }
  return pixels;
}
