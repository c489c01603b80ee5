/**
 * WADO-RS passed through to a peer: the first peer that has it answers, its own URLs in DICOM JSON
 * become the gateway's, binary bodies stream unchanged, and every remote retrieval is logged.
 * The peers are small HTTP servers here; a real archive (Orthanc) is in fhir-server/test/dicom/proxy.test.ts.
 */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DicomwebProxy } from '../../src/proxy/proxy.js';

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('DicomwebProxy.forward', () => {
  const logs: { message: string; fields?: Record<string, unknown> }[] = [];
  const seen: string[] = [];
  let empty: Awaited<ReturnType<typeof listen>>;
  let archive: Awaited<ReturnType<typeof listen>>;
  let gateway: Awaited<ReturnType<typeof listen>>;
  const bytes = Buffer.alloc(300_000).map((_, i) => i % 253);

  beforeAll(async () => {
    empty = await listen((req, res) => {
      seen.push(`empty ${req.url} ${req.headers.via}`);
      res.writeHead(404).end();
    });
    archive = await listen((req, res) => {
      seen.push(`archive ${req.url} ${req.headers.accept}`);
      if (req.url?.endsWith('/metadata')) {
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        res.end(JSON.stringify([{ '7FE00010': { vr: 'OW', BulkDataURI: `${archive.url}/dicom-web/studies/1.2/series/3.4/instances/5.6/bulk/7FE00010` } }]));
      } else {
        res.writeHead(200, { 'content-type': 'multipart/related; type="application/octet-stream"; boundary=b' });
        res.end(bytes);
      }
    });
    const proxy = new DicomwebProxy({
      peers: [
        { name: 'empty', url: `${empty.url}/dicom-web` },
        { name: 'county', url: `${archive.url}/dicom-web` },
      ],
      log: { log: (_level, message, fields) => logs.push({ message, ...(fields ? { fields } : {}) }) },
    });
    const app = express();
    app.use('/dicomweb', (req, res, next) => {
      proxy.forward(req, res, 'http://qiao.example/dicomweb').then((served) => (served ? undefined : res.status(404).end()), next);
    });
    const server = http.createServer(app);
    gateway = await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) })));
  });
  afterAll(async () => {
    await Promise.all([empty.close(), archive.close(), gateway.close()]);
  });

  it('asks the peers in turn and rewrites the answering peer’s URLs in DICOM JSON to the gateway’s', async () => {
    const reply = await fetch(`${gateway.url}/dicomweb/studies/1.2/metadata`, { headers: { accept: 'application/dicom+json' } });
    expect(reply.status).toBe(200);
    const text = await reply.text();
    expect(text).toContain('"BulkDataURI":"http://qiao.example/dicomweb/studies/1.2/series/3.4/instances/5.6/bulk/7FE00010"');
    expect(text).not.toContain(archive.url);
    expect(seen).toContain('empty /dicom-web/studies/1.2/metadata 1.1 qiao-dicomweb-proxy');
    expect(logs).toContainEqual({ message: 'DICOMweb proxy retrieval', fields: expect.objectContaining({ peer: 'county', path: '/studies/1.2/metadata', status: 200, bytes: Buffer.byteLength(text) }) });
  });

  it('streams a binary answer through unchanged, with its content type, and logs its size', async () => {
    const accept = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
    const reply = await fetch(`${gateway.url}/dicomweb/studies/1.2/series/3.4/instances/5.6/frames/1`, { headers: { accept } });
    expect(reply.headers.get('content-type')).toBe('multipart/related; type="application/octet-stream"; boundary=b');
    expect(Buffer.compare(Buffer.from(await reply.arrayBuffer()), bytes)).toBe(0);
    expect(seen).toContain(`archive /dicom-web/studies/1.2/series/3.4/instances/5.6/frames/1 ${accept}`);
    expect(logs).toContainEqual({ message: 'DICOMweb proxy retrieval', fields: expect.objectContaining({ peer: 'county', status: 200, bytes: bytes.length }) });
  });
});
