import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/testing/throwaway-postgres.js';
import { createTestDatabase } from '../support/test-server.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/main.js');
const OBSERVATIONS = 20;

// Its keys and DICOM folder go to a temporary directory, not the working directory's ./data.
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qiao-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function startProcess(databaseUrl: string, port: number): ChildProcess {
  return spawn(process.execPath, [MAIN], {
    env: { ...process.env, DATABASE_URL: databaseUrl, QIAO_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', QIAO_DEMO_DATA: 'off', QIAO_LOG_LEVEL: 'silent', QIAO_AUTH: 'off', QIAO_DIMSE_PORT: 'off' },
    stdio: 'ignore',
  });
}

async function waitHealthy(base: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become healthy');
}

function bundle(n: number) {
  const tag = { system: 'https://qiao.health/test', code: `kill-${n}` };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, resource: { resourceType: 'Patient', meta: { tag: [tag] }, name: [{ text: `患者${n}` }] }, request: { method: 'POST', url: 'Patient' } },
      ...Array.from({ length: OBSERVATIONS }, (_, i) => ({
        resource: {
          resourceType: 'Observation',
          meta: { tag: [tag] },
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
          subject: { reference: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}` },
          valueQuantity: { value: 100 + i, unit: 'g/L', system: 'http://unitsofmeasure.org', code: 'g/L' },
        },
        request: { method: 'POST', url: 'Observation' },
      })),
    ],
  };
}

// SIGKILL in the middle of a transaction load: every bundle is afterwards wholly stored or wholly absent.
it('keeps transactions atomic when the process is killed mid-load', async () => {
  const databaseUrl = await createTestDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child = startProcess(databaseUrl, port);
  await waitHealthy(base);

  let sent = 0;
  let acknowledged = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const n = sent++;
      try {
        const r = await fetch(`${base}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle(n)) });
        if (r.status === 200) acknowledged++;
      } catch {
        return;
      }
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  expect(acknowledged).toBeGreaterThan(0);

  child = startProcess(databaseUrl, port);
  try {
    await waitHealthy(base);
    const partial: number[] = [];
    let complete = 0;
    for (let n = 0; n < sent; n++) {
      const r = await fetch(`${base}/fhir?_tag=kill-${n}&_summary=count`);
      const total = ((await r.json()) as { total: number }).total;
      if (total === OBSERVATIONS + 1) complete++;
      else if (total !== 0) partial.push(n);
    }
    expect(partial).toEqual([]);
    // Every bundle the server acknowledged is there (it may have committed some it could not acknowledge).
    expect(complete).toBeGreaterThanOrEqual(acknowledged);
  } finally {
    child.kill('SIGTERM');
  }
});
