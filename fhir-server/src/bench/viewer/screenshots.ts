import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { PageDocument } from './page.js';

declare const document: PageDocument;

/**
 * The pictures a newcomer sees in the docs: the worklist, and a CT in the study view with the lung
 * window and a length measurement. Made here, by script, from a running server.
 */
export async function takeScreenshots(browser: Browser, origin: string, studyUid: string, outDir: string): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 860 }, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/viewer/`);
    await page.getByTestId('worklist-row').first().waitFor();
    await page.screenshot({ path: path.join(outDir, 'worklist.png') });

    await page.goto(`${origin}/viewer/?study=${encodeURIComponent(studyUid)}`);
    await page.waitForFunction(() => performance.getEntriesByName('first-image').length > 0);
    await page.waitForFunction(() => /^(\d+)\/\1$/.test(document.querySelector('[data-testid="viewport"]')?.getAttribute('data-loaded') ?? ''));
    const viewport = page.getByTestId('viewport').first();
    await viewport.click();
    for (let i = 0; i < 45; i++) await page.keyboard.press('ArrowDown');
    await page.getByTestId('preset-lung').click();
    await page.keyboard.press('l');
    const box = (await viewport.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.55);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.55, { steps: 8 });
    await page.mouse.up();
    await page.mouse.move(box.x + box.width - 5, box.y + 5);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(outDir, 'study.png') });
  } finally {
    await context.close();
  }
}
