import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ensureViewerBuilt, launchChromium } from '../../src/bench/viewer/browser.js';
import type { PageCanvas, PageDocument } from '../../src/bench/viewer/page.js';
import { call } from '../support/http.js';
import { useTestServer } from '../support/test-server.js';
import { describeInChromium } from '../support/chromium.js';

declare const document: PageDocument;

// One viewer build (when stale), one server, one browser for the file.
jest.setTimeout(120_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const FDA = readFileSync(new URL('../ecg/data/FDA_ectd_example_subject1_0.xml', import.meta.url));
const TWELVE = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
const CSS_PX_PER_MM = 96 / 25.4;

/** Pixels of the ECG canvas dark enough to be ink (trace, labels, pulse), not the pink paper. */
async function inkPixels(page: Page): Promise<{ ink: number; height: number }> {
  return page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="ecg-canvas"]') as PageCanvas | null;
    if (!canvas) throw new Error('no ECG canvas');
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let p = 0; p < data.length; p += 4) if (data[p]! < 100 && data[p + 1]! < 100 && data[p + 2]! < 100) ink += 1;
    return { ink, height: canvas.height };
  });
}

describeInChromium('the ECG view in Chromium', () => {
  const server = useTestServer('postgres');
  let browser: Browser;
  let page: Page;
  let reportId: string;
  let taskRef: string;

  beforeAll(async () => {
    await ensureViewerBuilt();
    const imported = await call(server.base, 'POST', '$ecg-import', FDA, { 'content-type': 'application/xml' });
    expect(imported.status).toBe(200);
    const locations = (imported.body.entry as Json[]).map((e) => (e.response.location as string).replace(/\/_history\/.*/, ''));
    reportId = locations.find((l) => l.startsWith('DiagnosticReport/'))!.split('/')[1]!;
    taskRef = locations.find((l) => l.startsWith('Task/'))!;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('pageerror', (error) => console.error('page error:', error));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('draws the 12 leads and the rhythm strip on calibrated paper, with the measurements the import computed', async () => {
    await page.goto(`${server.url}/viewer/?ecg=${reportId}`);
    const canvas = page.getByTestId('ecg-canvas');
    await canvas.waitFor({ timeout: 30_000 });

    expect((await canvas.getAttribute('data-leads'))!.split(' ').sort()).toEqual([...TWELVE].sort());
    // 25 mm/s: 10 s of paper (250 mm) plus the 10 mm margin holding the 1 mV pulse, at 96 dpi.
    const width = await canvas.evaluate((c) => (c as unknown as { clientWidth: number }).clientWidth);
    expect(Math.abs(width - 260 * CSS_PX_PER_MM)).toBeLessThan(2);
    expect(await page.getByTestId('ecg-calibration').innerText()).toContain('25 mm/s');
    const at10 = await inkPixels(page);
    expect(at10.ink).toBeGreaterThan(5000);

    const report = (await call(server.base, 'GET', `DiagnosticReport/${reportId}`)).body;
    const observations: Json[] = await Promise.all((report.result as Json[]).map(async (r) => (await call(server.base, 'GET', r.reference)).body));
    const hr = observations.find((o) => o.code.coding.some((c: Json) => c.code === '8867-4'));
    expect(hr.valueQuantity.value).toEqual(expect.any(Number));
    expect(await page.getByTestId('ecg-measure-hr').innerText()).toContain(String(hr.valueQuantity.value));
    expect(await page.getByTestId('ecg-patient').innerText()).toContain('性别');

    // Doubling the gain doubles the rows and stretches every deflection: more ink.
    await page.getByTestId('ecg-gain-20').click();
    expect(await canvas.getAttribute('data-gain')).toBe('20');
    const at20 = await inkPixels(page);
    expect(at20.height).toBeGreaterThan(at10.height * 1.5);
    expect(at20.ink).toBeGreaterThan(at10.ink);
    await page.getByTestId('ecg-speed-50').click();
    expect(await page.getByTestId('ecg-calibration').innerText()).toContain('50 mm/s');
  });

  it('lets the reader accept the reading, choose coded statements, sign the diagnosis and send the report', async () => {
    await call(server.base, 'PUT', 'Organization/ecg-centre-e2e', { resourceType: 'Organization', id: 'ecg-centre-e2e', name: '县心电诊断中心' });
    const dispatched = await call(server.base, 'POST', `${taskRef}/$ecg-transition`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'action', valueCode: 'dispatch' }, { name: 'centre', valueReference: { reference: 'Organization/ecg-centre-e2e' } }],
    });
    expect(dispatched.status).toBe(200);

    await page.goto(`${server.url}/viewer/?ecg=${reportId}`);
    const state = page.getByTestId('ecg-task-state');
    await state.waitFor({ timeout: 30_000 });
    expect(await state.getAttribute('data-state')).toBe('dispatched');
    await page.getByTestId('ecg-accept').click();
    await page.waitForSelector('[data-testid="ecg-task-state"][data-state="accepted"]', { timeout: 15_000 });

    const pick = async (text: string, code: string) => {
      await page.getByTestId('ecg-statement-search').fill(text);
      await page.locator(`[data-testid="ecg-statement-results"] button[data-code="${code}"]`).click({ timeout: 15_000 });
    };
    await pick('窦性心律', 'A01');
    await pick('室性早搏', 'A09');
    await page.getByTestId('ecg-conclusion').fill('窦性心律，偶发室性早搏。');
    await page.getByTestId('ecg-sign').click();
    await page.waitForSelector('[data-testid="ecg-task-state"][data-state="diagnosed"]', { timeout: 15_000 });

    const signed = (await call(server.base, 'GET', `DiagnosticReport/${reportId}`)).body;
    expect(signed.status).toBe('preliminary');
    expect(signed.conclusion).toBe('窦性心律，偶发室性早搏。');
    const statements = (signed.conclusionCode as Json[]).map((cc) => [cc.coding[0].code, cc.extension?.[0]?.valueCode]);
    expect(statements).toEqual([
      ['A01', 'primary'],
      ['A09', 'secondary'],
    ]);

    // Sending it back to the clinic makes the report final.
    await page.getByTestId('ecg-send').click();
    await page.waitForSelector('[data-testid="ecg-task-state"][data-state="reported"]', { timeout: 15_000 });
    expect((await call(server.base, 'GET', `DiagnosticReport/${reportId}`)).body.status).toBe('final');

    // Opened again, the page shows the signed statements by name, in their ranks.
    await page.reload();
    const primary = page.locator('[data-testid="ecg-statements"] li[data-rank="primary"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="ecg-statements"] li[data-rank="primary"]')?.textContent?.includes('窦性心律'), undefined, { timeout: 15_000 });
    expect(await primary.getAttribute('data-code')).toBe('A01');
    expect(await page.locator('[data-testid="ecg-statements"] li[data-rank="secondary"]').innerText()).toContain('室性早搏');

    await page.goto(`${server.url}/viewer/?ecg=${reportId}&lang=en`);
    await page.getByTestId('ecg-canvas').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('ecg-calibration').innerText()).toContain('Paper speed 25 mm/s, gain 10 mm/mV');
    expect(await page.getByTestId('ecg-task-state').innerText()).toBe('State: reported');
  });
});
