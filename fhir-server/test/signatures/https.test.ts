import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { jest } from '@jest/globals';
import { call } from '../support/http.js';
import { startTestServer, useTestServer, type TestServer } from '../support/test-server.js';

// Two servers start in this file, slowly on a loaded two-core machine.
jest.setTimeout(300000);

/** A request over TLS trusting only `ca`, as a client with the site's certificate pinned would. */
function requestTls(url: string, ca: Buffer, o: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string; protocol: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: o.method ?? 'GET', ca, agent: false, headers: { accept: 'application/fhir+json', ...o.headers } }, (res) => {
      const protocol = (res.socket as TLSSocket).getProtocol() ?? '';
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), protocol, ...(res.headers.location ? { location: res.headers.location } : {}) }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const patient = JSON.stringify({ resourceType: 'Patient', name: [{ text: '张三' }] });

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
    const reply = await requestTls(`${server.base}/metadata`, readFileSync(cert));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).resourceType).toBe('CapabilityStatement');
    expect(reply.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('refuses a client that does not trust the certificate', async () => {
    await expect(requestTls(`${server.base}/metadata`, Buffer.from(''))).rejects.toThrow();
  });

  it('ignores X-Forwarded-Proto when no proxy is trusted', async () => {
    const reply = await requestTls(`${server.base}/Patient`, readFileSync(cert), { method: 'POST', body: patient, headers: { 'content-type': 'application/fhir+json', 'x-forwarded-proto': 'http' } });
    expect(reply.status).toBe(201);
    expect(reply.location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/fhir\/Patient\//);
  });
});

describe('behind a TLS-terminating gateway (QIAO_TRUST_PROXY=loopback)', () => {
  const server = useTestServer('pglite', { trustProxy: 'loopback' });

  it('takes the scheme from X-Forwarded-Proto of the trusted proxy', async () => {
    const behind = await call(server.base, 'POST', 'Patient', patient, { 'x-forwarded-proto': 'https' });
    expect(behind.status).toBe(201);
    expect(behind.headers.get('location')).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/fhir\/Patient\//);
  });
});
