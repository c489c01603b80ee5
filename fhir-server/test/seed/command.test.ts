import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Bundle } from '@medplum/fhirtypes';
import { runSeedCommand, type SeedIo } from '../../src/seed/command.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function io(): SeedIo & { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(), stderr: new Capture(), fetch };
}

async function body(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
}

describe('seed command', () => {
  it('writes one numbered file per bundle with --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qiao-seed-'));
    try {
      const streams = io();
      expect(await runSeedCommand(['--patients', '5', '--seed', 'files', '--out', dir], streams)).toBe(0);
      expect((await readdir(dir)).sort()).toEqual(['0000.json', '0001.json', '0002.json', '0003.json', '0004.json', '0005.json']);
      const reference = JSON.parse(await readFile(join(dir, '0000.json'), 'utf8')) as Bundle;
      expect(reference.entry?.[0]?.resource?.resourceType).toBe('Organization');
      const patient = JSON.parse(await readFile(join(dir, '0001.json'), 'utf8')) as Bundle;
      expect(patient.entry?.[0]?.resource?.resourceType).toBe('Patient');
      expect(streams.stderr.text).toMatch(/wrote 6 bundles .* resources\/s/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints newline-delimited bundles without --out or --url', async () => {
    const streams = io();
    expect(await runSeedCommand(['--patients', '2', '--start-date', '2023-05-01'], streams)).toBe(0);
    const lines = streams.stdout.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => (JSON.parse(l) as Bundle).type)).toEqual(['transaction', 'transaction', 'transaction']);
  });

  it('posts the reference data first, then patients four at a time, with --url', async () => {
    const events: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const server = createServer((request, response) => {
      void (async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const bundle = JSON.parse(await body(request)) as Bundle;
        const kind = bundle.entry?.[0]?.resource?.resourceType;
        events.push(`start ${kind} ${request.method} ${request.url} ${request.headers['content-type']}`);
        // Patient bundles are held until four are in flight (or 300 ms pass), so a busy machine's
        // scheduling cannot hide whether the command keeps four going.
        const until = Date.now() + 300;
        do await new Promise((resolve) => setTimeout(resolve, 5));
        while (kind === 'Patient' && inFlight < 4 && Date.now() < until);
        events.push(`end ${kind}`);
        inFlight--;
        response.writeHead(200, { 'Content-Type': 'application/fhir+json' });
        response.end(JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response', entry: [] }));
      })();
    });
    const url = await listen(server);
    try {
      const streams = io();
      expect(await runSeedCommand(['--patients', '12', '--url', `${url}/`], streams)).toBe(0);
      expect(events[0]).toBe('start Organization POST /fhir application/fhir+json');
      expect(events[1]).toBe('end Organization');
      expect(events.filter((e) => e.startsWith('start Patient'))).toHaveLength(12);
      expect(maxInFlight).toBe(4);
      expect(streams.stderr.text).toMatch(/posted 13 bundles to .*\/fhir: \d+ resources in .* resources\/s/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('stops and fails when the server rejects a bundle', async () => {
    let requests = 0;
    const server = createServer((request, response) => {
      requests++;
      void body(request).then(() => {
        response.writeHead(requests === 1 ? 200 : 422, { 'Content-Type': 'application/fhir+json' });
        response.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] }));
      });
    });
    const url = await listen(server);
    try {
      const streams = io();
      expect(await runSeedCommand(['--patients', '50', '--url', url, '--concurrency', '2'], streams)).toBe(1);
      expect(streams.stderr.text).toContain('answered 422');
      // Workers stop at the first failure instead of sending all 50 patients.
      expect(requests).toBeLessThan(10);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('rejects bad arguments with exit code 2 and the usage', async () => {
    for (const argv of [
      [],
      ['--patients', 'ten'],
      ['--patients', '1', '--out', 'x', '--url', 'http://127.0.0.1:1/fhir'],
      ['--patients', '1', '--start-date', '2024-13-01'],
      ['--patients', '1', '--colour', 'red'],
      ['--patients', '1', '--concurrency', '0'],
    ]) {
      const streams = io();
      expect(await runSeedCommand(argv, streams)).toBe(2);
      expect(streams.stderr.text).toContain('usage: seed --patients N');
    }
  });
});
