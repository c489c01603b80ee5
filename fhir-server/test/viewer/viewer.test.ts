import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureViewerBuilt, launchChromium } from '../../src/bench/viewer/browser.js';
import { stow, storeCtStudy, waitForImagingStudy, type CtStudy } from '../../src/bench/viewer/dataset.js';
import type { PageCanvas, PageDocument } from '../../src/bench/viewer/page.js';
import { useTestServer } from '../support/test-server.js';
import { describeInChromium } from '../support/chromium.js';

declare const document: PageDocument;

// One viewer build (when stale), one server, one browser for the file; each step waits on the page.
jest.setTimeout(120_000);

const SAMPLES = path.resolve(import.meta.dirname, '../../../dicom-gateway/test/data');
const J2K_STUDY = '1.3.6.1.4.1.5962.1.2.11.20040826185059.5457';
const MR_STUDY = '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457';
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/**
 * One image per compressed transfer syntax a PACS commonly sends: pydicom's files where they have
 * a study of their own, and dcmtk's encoders over CT_small (with new UIDs) for the rest.
 */
async function compressedSamples(dir: string): Promise<{ syntax: string; file: string }[]> {
  const ct = path.join(SAMPLES, 'CT_small.dcm');
  const encode = (tool: string, out: string, ...options: string[]): string => {
    const file = path.join(dir, out);
    execFileSync(tool, [...options, ct, file]);
    execFileSync('dcmodify', ['-nb', '-gst', '-gse', '-gin', file]);
    return file;
  };
  return [
    { syntax: 'JPEG baseline (1.2.840.10008.1.2.4.50), RGB', file: path.join(PYDICOM, 'SC_jpeg_no_color_transform.dcm') },
    { syntax: 'JPEG extended (1.2.840.10008.1.2.4.51), 12-bit', file: path.join(PYDICOM, 'JPEG-lossy.dcm') },
    { syntax: 'JPEG lossless SV1 (1.2.840.10008.1.2.4.70)', file: encode('dcmcjpeg', 'jpeg-lossless.dcm', '+e1') },
    { syntax: 'JPEG-LS lossless (1.2.840.10008.1.2.4.80)', file: encode('dcmcjpls', 'jpeg-ls.dcm') },
    { syntax: 'RLE lossless (1.2.840.10008.1.2.5), 16-bit', file: encode('dcmcrle', 'rle.dcm') },
    { syntax: 'RLE lossless (1.2.840.10008.1.2.5), RGB', file: path.join(PYDICOM, 'SC_rgb_rle.dcm') },
  ];
}

function studyUidOf(file: string): string {
  const dump = execFileSync('dcmdump', ['+P', '0020,000d', file], { encoding: 'utf8' });
  const uid = /\[([0-9.]+)\]/.exec(dump)?.[1];
  if (!uid) throw new Error(`no StudyInstanceUID in ${file}`);
  return uid;
}

/** Summary of what the viewport's canvas shows: how many pixels are not black, and a checksum of them all. */
interface Pixels {
  lit: number;
  sum: number;
  width: number;
}

async function canvasPixels(page: Page, index = 0): Promise<Pixels> {
  return page.evaluate((i) => {
    const canvas = document.querySelectorAll('[data-testid="viewport"] canvas')[i] as PageCanvas | undefined;
    if (!canvas) throw new Error('no viewport canvas');
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(canvas, 0, 0);
    const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
    let lit = 0;
    let sum = 0;
    for (let p = 0; p < data.length; p += 4) {
      const v = data[p]! + data[p + 1]! + data[p + 2]!;
      if (v > 24) lit += 1;
      sum = (sum * 31 + v) % 1_000_000_007;
    }
    return { lit, sum, width: copy.width };
  }, index);
}

/**
 * The canvas once it differs from `sum`, or as it is after 10 s: the overlay text is updated
 * before the next frame is drawn, so a busy machine can show the new W/L over the old pixels.
 */
async function pixelsOtherThan(page: Page, sum: number): Promise<Pixels> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pixels = await canvasPixels(page);
    if (pixels.sum !== sum || Date.now() > deadline) return pixels;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function overlayText(page: Page, corner: 'tl' | 'tr' | 'bl' | 'br'): Promise<string> {
  return (await page.locator(`.viewport-cell.active .overlay-${corner}`).innerText()).trim();
}

/**
 * The interactive viewport has drawn its first image. Not `first-image`: the quick preview may set
 * that, and the viewport's overlay is filled on a new stack before its canvas is painted.
 */
async function waitForImage(page: Page): Promise<void> {
  await page.waitForFunction(() => performance.getEntriesByName('viewport-image').length > 0, undefined, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('.viewport-cell.active .overlay-bl')?.textContent?.includes('/'), undefined, { timeout: 30_000 });
}

describeInChromium('the radiologist viewer in Chromium', () => {
  const server = useTestServer('postgres');
  let browser: Browser;
  let page: Page;
  let ct: CtStudy;

  beforeAll(async () => {
    await ensureViewerBuilt();
    browser = await launchChromium();
    ct = await storeCtStudy(server.url, { slices: 12, rows: 128, columns: 128, patientName: 'Zhang^San=张^三', patientId: 'E2E-CT-1' });
    const samples = await Promise.all(['MR_small.dcm', 'RG3_J2KI_CR_jpeg2000.dcm'].map((f) => readFile(path.join(SAMPLES, f))));
    await stow(server.url, samples);
    for (const uid of [ct.studyUid, J2K_STUDY, MR_STUDY]) await waitForImagingStudy(server.base, uid);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 600_000); // a stale viewer/dist is rebuilt first: minutes on a busy 2-core machine

  afterAll(async () => {
    await browser?.close();
  });

  it('lists the studies in Chinese, newest received first, and filters by modality and patient', async () => {
    await page.goto(`${server.url}/viewer/`);
    const rows = page.getByTestId('worklist-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(3);
    // The two samples were stored after the CT: the CT is the oldest received.
    expect(await rows.last().getAttribute('data-study')).toBe(ct.studyUid);
    await expect(page.locator('th').first().innerText()).resolves.toBe('患者姓名');
    await expect(rows.last().innerText()).resolves.toContain('张三');
    await expect(rows.last().innerText()).resolves.toContain('未出报告');

    await page.getByTestId('filter-modality').selectOption('MR');
    await page.getByTestId('filter-submit').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="worklist-row"]').length === 1);
    expect(await rows.first().getAttribute('data-study')).toBe(MR_STUDY);

    await page.getByTestId('filter-modality').selectOption('');
    await page.getByTestId('filter-patientName').fill('张');
    await page.getByTestId('filter-submit').click();
    await page.waitForFunction((uid) => {
      const found = Array.from(document.querySelectorAll('[data-testid="worklist-row"]'));
      return found.length === 1 && found[0]?.getAttribute('data-study') === uid;
    }, ct.studyUid);
  });

  it('opens a study from the worklist and shows a non-blank image with the Chinese overlay', async () => {
    await page.locator(`[data-testid="worklist-row"][data-study="${ct.studyUid}"] [data-testid="open-study"]`).click();
    await page.waitForURL(/\?study=/);
    await waitForImage(page);
    const pixels = await canvasPixels(page);
    expect(pixels.lit).toBeGreaterThan(1000);
    await expect(overlayText(page, 'tl')).resolves.toContain('张三');
    await expect(overlayText(page, 'bl')).resolves.toContain('层 1/12');
    expect(await page.getByTestId('preset-lung').count()).toBe(1);
    // The image's own windows (SOFT TISSUE, LUNG) are offered beside the clinical presets.
    await expect(page.getByTestId('preset-image-2').innerText()).resolves.toBe('LUNG');
  });

  it('changes the window with a preset and shows different pixels', async () => {
    const before = await canvasPixels(page);
    await page.getByTestId('preset-lung').click();
    await page.waitForFunction(() => document.querySelector('.viewport-cell.active .overlay-br')?.textContent?.includes('1500/-600'));
    const lung = await pixelsOtherThan(page, before.sum);
    expect(lung.sum).not.toBe(before.sum);
    await page.getByTestId('preset-bone').click();
    await page.waitForFunction(() => document.querySelector('.viewport-cell.active .overlay-br')?.textContent?.includes('2500/480'));
    expect((await pixelsOtherThan(page, lung.sum)).sum).not.toBe(lung.sum);
  });

  it('scrolls with the arrow keys and the wheel', async () => {
    const first = await canvasPixels(page);
    await page.getByTestId('viewport').first().click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => document.querySelector('.viewport-cell.active .overlay-bl')?.textContent?.includes('3/12'));
    await page.waitForFunction(() => document.querySelector('[data-testid="viewport"]')?.getAttribute('data-image-index') === '2');
    const third = await pixelsOtherThan(page, first.sum);
    expect(third.sum).not.toBe(first.sum);
    const box = (await page.getByTestId('viewport').first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 100);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="viewport"]')?.getAttribute('data-image-index')) > 2);
  });

  it('measures a length and shows its value in mm', async () => {
    await page.keyboard.press('l');
    const box = (await page.getByTestId('viewport').first().boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx - 100, cy);
    await page.mouse.down();
    await page.mouse.move(cx, cy, { steps: 5 });
    await page.mouse.move(cx + 100, cy, { steps: 5 });
    await page.mouse.up();
    // The label is drawn from the first mouse-down (0 mm) and redrawn as the drag is rendered: wait for the drawn length.
    const drawn = await page.waitForFunction(
      () => Array.from(document.querySelectorAll('[data-testid="viewport"] svg text')).map((t) => /(\d+(?:\.\d+)?)\s*mm/.exec(t.textContent ?? '')?.[1]).find((v) => v !== undefined && Number(v) > 0),
      undefined,
      { timeout: 10_000 },
    );
    const value = Number(await drawn.jsonValue());
    // 200 screen pixels across a 128-pixel image of 400 mm shown in a ~800 px viewport: tens of mm to a few hundred.
    expect(value).toBeGreaterThan(10);
    expect(value).toBeLessThan(400);
  });

  it('lists the shortcuts in a help panel and switches to English', async () => {
    await page.keyboard.press('?');
    await expect(page.getByTestId('help-panel').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('help-panel').innerText()).resolves.toContain('窗宽窗位预设');
    await page.keyboard.press('Escape');
    await page.getByTestId('lang').click();
    await page.waitForURL(/lang=en/);
    await waitForImage(page);
    await expect(overlayText(page, 'bl')).resolves.toContain('Image 1/12');
    await expect(page.getByTestId('preset-lung').innerText()).resolves.toBe('Lung');
  });

  it('decodes JPEG baseline, extended and lossless, JPEG-LS and RLE images', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-viewer-ts-'));
    try {
      const samples = await compressedSamples(dir);
      await stow(server.url, await Promise.all(samples.map((s) => readFile(s.file))));
      for (const sample of samples) {
        const uid = studyUidOf(sample.file);
        await waitForImagingStudy(server.base, uid);
        const fresh = await browser.newPage({ viewport: { width: 1000, height: 800 } });
        const errors: string[] = [];
        fresh.on('pageerror', (error) => errors.push(error.message));
        await fresh.goto(`${server.url}/viewer/?study=${uid}`);
        await waitForImage(fresh);
        await fresh.waitForFunction(() => document.querySelector('[data-testid="viewport"]')?.getAttribute('data-loaded') === '1/1');
        const pixels = await canvasPixels(fresh);
        expect({ syntax: sample.syntax, errors, drawn: pixels.lit > 1000 }).toEqual({ syntax: sample.syntax, errors: [], drawn: true });
        await fresh.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('decodes a JPEG 2000 image through the image loader codecs', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await fresh.goto(`${server.url}/viewer/?study=${J2K_STUDY}`);
    await waitForImage(fresh);
    await fresh.waitForFunction(() => document.querySelector('[data-testid="viewport"]')?.getAttribute('data-loaded') === '1/1');
    expect((await canvasPixels(fresh)).lit).toBeGreaterThan(1000);
    await fresh.close();
  });
});
