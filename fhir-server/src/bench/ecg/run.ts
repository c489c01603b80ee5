#!/usr/bin/env node
/**
 * Entry point of `npm run bench:ecg` (issue 10, figures): ECG ingest per second.
 *  1. in process, parse + measure + map (no database): the FDA aECG example, the DICOM 12-lead
 *     sample, a synthetic 12-lead aECG and DICOM (10 s, 500 Hz);
 *  2. over HTTP, `POST /fhir/$ecg-import` of distinct synthetic DICOM and aECG files against a
 *     server on a throwaway PostgreSQL, one client and four concurrent clients.
 * Prints a Markdown table with the load average before and after. Writes nothing outside its
 * temporary directory. `--http-count=<n>` (default 200) imports per HTTP run.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseEcg, type EcgFormat } from '../../ecg/import.js';
import { digestsOf, ecgTransaction } from '../../ecg/map.js';
import { syntheticAecg, syntheticDicomEcg } from '../../ecg/synthetic.js';
import { withBenchServer } from '../in-process-server.js';
import { codeRevision } from '../machine.js';

const args = process.argv.slice(2);
const httpCount = Number(args.find((a) => a.startsWith('--http-count='))?.slice('--http-count='.length) ?? 200);
const root = new URL('../../../../', import.meta.url);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const progress = (line: string) => process.stderr.write(`[bench:ecg] ${line}\n`);

const fda = readFileSync(new URL('fhir-server/test/ecg/data/FDA_ectd_example_subject1_0.xml', root));
const dicom = readFileSync(new URL('dicom-gateway/test/data/anonymous_ecg_12lead_waveform.dcm', root));

function inProcess(name: string, format: EcgFormat, bytes: Uint8Array, seconds = 3): { name: string; kb: number; perSecond: number } {
  const once = () => {
    const rec = parseEcg(format, bytes, '+08:00');
    ecgTransaction(rec, bytes, digestsOf(bytes), { now: new Date().toISOString(), binaryStored: false });
  };
  for (let i = 0; i < 5; i++) once();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    once();
    n++;
  }
  return { name, kb: Math.round(bytes.length / 1024), perSecond: n / ((performance.now() - start) / 1000) };
}

async function overHttp(base: string, files: { bytes: Buffer; type: string }[], concurrency: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) {
        const f = files[next++] as { bytes: Buffer; type: string };
        const res = await fetch(`${base}/$ecg-import`, { method: 'POST', body: f.bytes, headers: { 'content-type': f.type, accept: 'application/fhir+json' } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`$ecg-import answered ${res.status}`);
      }
    }),
  );
  return files.length / ((performance.now() - start) / 1000);
}

const rows: string[] = [];
const loadBefore = load();
progress(`load average ${loadBefore}; in-process runs`);
const synthXml = Buffer.from(syntheticAecg({ bpm: 72, seed: 'bench' }));
const synthDcm = syntheticDicomEcg({ bpm: 72, seed: 'bench' });
for (const r of [
  inProcess('FDA aECG example (12 leads × 5000, annotated)', 'aecg', fda),
  inProcess('DICOM 12-lead sample (12 × 10000 at 1 kHz + median beat)', 'dicom', dicom),
  inProcess('synthetic aECG (12 × 5000, HR by R-peak detection)', 'aecg', synthXml),
  inProcess('synthetic DICOM (12 × 5000, HR by R-peak detection)', 'dicom', synthDcm),
]) {
  rows.push(`| in process: parse + measure + map | ${r.name} | ${r.kb} KiB | ${r.perSecond.toFixed(1)} |`);
  progress(`${r.name}: ${r.perSecond.toFixed(1)}/s`);
}

await withBenchServer('ecg', async (server) => {
  const { base } = server;
  for (const [format, type] of [['dicom', 'application/dicom'], ['aecg', 'application/xml']] as const) {
    for (const concurrency of [1, 4]) {
      const files = Array.from({ length: httpCount }, (_, i) => {
        const o = { bpm: 60 + (i % 40), seed: `bench-${format}-${concurrency}-${i}`, patientId: `1101011990${String(100000 + i).slice(-6)}00` };
        return { bytes: format === 'dicom' ? syntheticDicomEcg(o) : Buffer.from(syntheticAecg(o)), type };
      });
      const perSecond = await overHttp(base, files, concurrency);
      rows.push(`| HTTP \`$ecg-import\`, ${concurrency} client${concurrency > 1 ? 's' : ''} | synthetic ${format === 'dicom' ? 'DICOM' : 'aECG'} (distinct files, new patients) | ${Math.round((files[0]?.bytes.length ?? 0) / 1024)} KiB | ${perSecond.toFixed(1)} |`);
      progress(`HTTP ${format} ×${concurrency}: ${perSecond.toFixed(1)}/s`);
    }
  }
});

process.stdout.write(
  [
    `ECG ingest (revision ${codeRevision(new URL('.', root).pathname)}, ${os.cpus().length} CPUs, Node ${process.version}); load average before ${loadBefore}, after ${load()}`,
    '',
    '| run | file | size | ECGs per second |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
