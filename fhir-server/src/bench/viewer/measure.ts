import type { Browser, Page } from 'playwright-core';
import type { PageDocument } from './page.js';

declare const document: PageDocument;
declare const KeyboardEvent: new (type: string, init: { key: string; bubbles: boolean }) => unknown;

export interface RunFigures {
  /** Navigation start → `performance.mark('first-image')`, ms: the first pixels on screen (the preview, or the viewport when it comes first). */
  firstImageMs: number;
  /** Navigation start → `performance.mark('viewport-image')`, ms: the first image in the interactive viewport (tools, scrolling). */
  viewportImageMs: number;
  /** Navigation start → every slice of the stack in the image cache, ms. */
  allLoadedMs: number;
  /** Slices shown per second when stepping through the whole loaded stack with the arrow key. */
  scrollFps: number;
}

/**
 * One reading of a study: open `/viewer/?study=…` in `page`, wait for the first image and for the
 * whole stack, then step through every slice with ArrowDown, waiting for each to be rendered.
 */
export async function readStudy(page: Page, origin: string, studyUid: string, slices: number, render?: string): Promise<RunFigures> {
  await page.goto(`${origin}/viewer/?study=${encodeURIComponent(studyUid)}${render ? `&render=${render}` : ''}`);
  await page.waitForFunction(() => performance.getEntriesByName('first-image').length > 0, undefined, { timeout: 60_000 });
  const firstImageMs = await page.evaluate(() => performance.getEntriesByName('first-image')[0]!.startTime);
  await page.waitForFunction(() => performance.getEntriesByName('viewport-image').length > 0, undefined, { timeout: 60_000 });
  const viewportImageMs = await page.evaluate(() => performance.getEntriesByName('viewport-image')[0]!.startTime);
  await page.waitForFunction((n) => document.querySelector('[data-testid="viewport"]')?.getAttribute('data-loaded') === `${n}/${n}`, slices, { timeout: 120_000, polling: 20 });
  const allLoadedMs = await page.evaluate(() => performance.now());
  const scrollFps = await page.evaluate(async (n) => {
    const element = document.querySelector('[data-testid="viewport"]')!;
    const rendered = () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no image rendered within 5 s of ArrowDown')), 5000);
        element.addEventListener('CORNERSTONE_IMAGE_RENDERED', () => (clearTimeout(timer), resolve()), { once: true });
      });
    const start = performance.now();
    for (let i = 1; i < n; i++) {
      const next = rendered();
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
      await next;
    }
    const index = Number(element.dataset.imageIndex);
    if (index !== n - 1) throw new Error(`scrolled to ${index}, expected ${n - 1}`);
    return ((n - 1) * 1000) / (performance.now() - start);
  }, slices);
  return { firstImageMs, viewportImageMs, allLoadedMs, scrollFps };
}

/** A cold reading (new browser context: nothing cached) and a warm one (the same context reloaded: the app's files cached). */
export async function coldAndWarm(browser: Browser, origin: string, studyUid: string, slices: number, render?: string): Promise<{ cold: RunFigures; warm: RunFigures }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const cold = await readStudy(page, origin, studyUid, slices, render);
    const warm = await readStudy(page, origin, studyUid, slices, render);
    return { cold, warm };
  } finally {
    await context.close();
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
