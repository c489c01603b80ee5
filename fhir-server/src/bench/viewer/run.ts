#!/usr/bin/env node
/**
 * Entry point of `npm run bench:viewer` (issue 7, "Performance"): a fresh Qiao (child process, throwaway
 * PostgreSQL, auth off) receives a 100-slice 512×512 16-bit CT through STOW-RS; headless Chromium
 * (Debian's, driven by playwright-core) opens `/viewer/?study=…` and measures first image and scrolling
 * (measure.ts), cold and warm, several runs, medians printed. Then writes the screenshots of the
 * worklist and the study view into docs/screenshots/.
 *
 * Options: `--runs=<n>` (default 5; 0 = screenshots only), `--no-screenshots`, `--render=cpu|gpu` (default: the viewer's own
 * choice, CPU when WebGL is software as in headless Chromium).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startThrowawayPostgres } from '../../testing/throwaway-postgres.js';
import { codeRevision, machineFacts } from '../machine.js';
import { script, startServerChild } from '../processes.js';
import { CHROMIUM, chromiumMissing, ensureViewerBuilt, launchChromium } from './browser.js';
import { stow, storeCtStudy, waitForImagingStudy } from './dataset.js';
import { coldAndWarm, median, type RunFigures } from './measure.js';
import { takeScreenshots } from './screenshots.js';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 5);
const screenshots = !args.includes('--no-screenshots');
const render = args.find((a) => a.startsWith('--render='))?.slice(9);
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const SLICES = 100;
const SIZE = 512;

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  await ensureViewerBuilt();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-viewer-bench-'));
  const pg = await startThrowawayPostgres();
  const databaseUrl = await pg.createDatabase('qiao_viewer_bench');
  const server = await startServerChild(script('main.js'), { DATABASE_URL: databaseUrl, QIAO_DATA_DIR: dir, QIAO_DEMO_DATA: 'off', QIAO_LOG_LEVEL: 'silent', QIAO_DIMSE_PORT: 'off', QIAO_AUTH: 'off' });
  const browser = await launchChromium();
  try {
    const machine = await machineFacts(databaseUrl);
    const storeStart = performance.now();
    const ct = await storeCtStudy(server.url, { slices: SLICES, rows: SIZE, columns: SIZE });
    await waitForImagingStudy(`${server.url}/fhir`, ct.studyUid);
    const storeMs = performance.now() - storeStart;
    const results: { cold: RunFigures; warm: RunFigures }[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await coldAndWarm(browser, server.url, ct.studyUid, SLICES, render);
      results.push(r);
      console.error(`run ${i + 1}/${runs}: cold first image ${r.cold.firstImageMs.toFixed(0)} ms, ${r.cold.scrollFps.toFixed(1)} fps; warm ${r.warm.firstImageMs.toFixed(0)} ms, ${r.warm.scrollFps.toFixed(1)} fps`);
    }
    const row = (name: string, pick: (f: { cold: RunFigures; warm: RunFigures }) => number, unit: string, target: string) =>
      `| ${name} | ${median(results.map(pick)).toFixed(unit === 'fps' ? 1 : 0)} ${unit} | ${Math.min(...results.map(pick)).toFixed(unit === 'fps' ? 1 : 0)}–${Math.max(...results.map(pick)).toFixed(unit === 'fps' ? 1 : 0)} | ${target} |`;
    const chromiumVersion = browser.version();
    if (runs > 0) console.log(
      [
        `Viewer benchmark — ${new Date().toISOString().slice(0, 10)}, code ${codeRevision(root)}`,
        `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}, PostgreSQL ${machine.postgres}, load before ${machine.loadBefore.toFixed(2)}`,
        `Browser: Chromium ${chromiumVersion} (${CHROMIUM}), headless, SwiftShader WebGL2; viewport 1280×900`,
        `Dataset: synthetic CT, ${SLICES} slices ${SIZE}×${SIZE} 16-bit, explicit VR little endian (${((SLICES * SIZE * SIZE * 2) / 2 ** 20).toFixed(0)} MB of pixels), stored by STOW-RS in ${(storeMs / 1000).toFixed(1)} s`,
        `Runs: ${runs} (median, min–max); rendering: ${render ?? 'the viewer\'s choice (CPU under SwiftShader)'}`,
        '',
        '| Measure | Median | Range | Target |',
        '|---|---|---|---|',
        row('First image, cold (new browser context)', (f) => f.cold.firstImageMs, 'ms', '≤ 1000 ms'),
        row('First image, warm (app files cached)', (f) => f.warm.firstImageMs, 'ms', '≤ 1000 ms'),
        row('Interactive viewport shows it, cold', (f) => f.cold.viewportImageMs, 'ms', '—'),
        row('Interactive viewport shows it, warm', (f) => f.warm.viewportImageMs, 'ms', '—'),
        row('All 100 slices loaded, cold', (f) => f.cold.allLoadedMs, 'ms', '—'),
        row('Scrolling once loaded, cold', (f) => f.cold.scrollFps, 'fps', '≥ 30 fps'),
        row('Scrolling once loaded, warm', (f) => f.warm.scrollFps, 'fps', '≥ 30 fps'),
      ].join('\n'),
    );
    if (screenshots) {
      const samples = path.join(root, 'dicom-gateway/test/data');
      await stow(server.url, await Promise.all(['MR_small.dcm', 'RG3_J2KI_CR_jpeg2000.dcm', 'chrX2_GB18030_chinese_name.dcm'].map((f) => readFile(path.join(samples, f)))));
      const small = await storeCtStudy(server.url, { slices: 40, rows: 256, columns: 256, patientName: 'Li^Na=李^娜', patientId: 'CT-0002', studyDate: '20261204', description: '头颅 CT 平扫' });
      await waitForImagingStudy(`${server.url}/fhir`, small.studyUid);
      const out = path.join(root, 'docs/screenshots');
      await mkdir(out, { recursive: true });
      await takeScreenshots(browser, server.url, ct.studyUid, out);
      console.error(`screenshots written to ${path.relative(root, out)}/`);
    }
  } finally {
    await browser.close();
    await server.stop();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
