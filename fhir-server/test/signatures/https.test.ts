import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { jest } from '@jest/globals';
import { call } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

jest.setTimeout(120000);

/** GET over TLS trusting only `ca`, as a client with the site's certificate pinned would. */
function getTls(url: string, ca: Buffer): Promise<{ status: number; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false, headers: { accept: 'application/fhir+json' } }, (res) => {
      const protocol = (res.socket as TLSSocket).getProtocol() ?? '';
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), protocol }));
    });
    req.on('error', reject);
  });
}

describe('built-in HTTPS (QIAO_TLS_CERT, QIAO_TLS_KEY)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qiao-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  let server: TestServer;

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    server = await startTestServer('pglite', { tls: { certFile: cert, keyFile: key } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the FHIR API over TLS on the configured port', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const reply = await getTls(`${server.base}/metadata`, readFileSync(cert));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).resourceType).toBe('CapabilityStatement');
    expect(reply.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('refuses a client that does not trust the certificate', async () => {
    await expect(getTls(`${server.base}/metadata`, Buffer.from(''))).rejects.toThrow();
  });
});

describe('behind a TLS-terminating gateway (QIAO_TRUST_PROXY)', () => {
  let trusting: TestServer;
  let plain: TestServer;
  beforeAll(async () => {
    [trusting, plain] = await Promise.all([startTestServer('pglite', { trustProxy: 'loopback' }), startTestServer('pglite')]);
  });
  afterAll(async () => {
    await Promise.all([trusting?.close(), plain?.close()]);
  });

  const patient = { resourceType: 'Patient', name: [{ text: '张三' }] };

  it('takes the scheme from X-Forwarded-Proto of a trusted proxy, and ignores it otherwise', async () => {
    const forwarded = { 'x-forwarded-proto': 'https' };
    const behind = await call(trusting.base, 'POST', 'Patient', patient, forwarded);
    expect(behind.status).toBe(201);
    expect(behind.headers.get('location')).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/fhir\/Patient\//);
    const direct = await call(plain.base, 'POST', 'Patient', patient, forwarded);
    expect(direct.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/Patient\//);
  });
});
