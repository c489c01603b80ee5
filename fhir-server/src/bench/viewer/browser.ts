import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (apt install chromium); playwright-core drives it, it downloads no browser. */
export const CHROMIUM = process.env.QIAO_CHROMIUM ?? '/usr/bin/chromium';

/**
 * WebGL2 without a GPU: SwiftShader through ANGLE, which Cornerstone3D can render with. The page
 * itself is composited in software, as Chrome does on a machine without a GPU: compositing through
 * SwiftShader as well (what forcing the GPU path gives) re-uploads every canvas frame through an
 * emulated GPU and held scrolling to 6–10 frames/s here, a cost no radiologist's browser pays.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--disable-gpu-compositing',
];

export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install chromium, or set QIAO_CHROMIUM)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** Builds viewer/dist when it is missing or older than its sources (a minute or more when it builds; nothing otherwise). */
export async function ensureViewerBuilt(): Promise<void> {
  const script = fileURLToPath(new URL('../../../../viewer/scripts/build-if-stale.mjs', import.meta.url));
  await promisify(execFile)(process.execPath, [script], { maxBuffer: 16 * 1024 * 1024 });
}
