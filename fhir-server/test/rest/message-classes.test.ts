/**
 * The server's requests and responses are born with the Express application's prototypes, so
 * Express's per-request prototype swap changes nothing (see `expressMessageClasses`) — and they
 * still behave as Node's and Express's objects, over kept-alive connections.
 */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMessageClasses } from '../../src/http/app.js';

describe('expressMessageClasses', () => {
  it('gives requests and responses the application prototypes from birth; Express helpers and Node streams work', async () => {
    const app = express();
    const seen: boolean[] = [];
    app.post('/echo', express.raw({ type: () => true }), (req, res) => {
      seen.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response);
      res.status(201).setHeader('X-Got', req.get('x-test') ?? '');
      res.end(req.body as Buffer);
    });
    const server = http.createServer({ ...expressMessageClasses(app) }, app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: string) =>
      new Promise<{ status: number; header: string; body: string }>((resolve, reject) => {
        const req = http.request({ agent, port, host: '127.0.0.1', method: 'POST', path: '/echo', headers: { 'X-Test': body.length } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, header: String(res.headers['x-got']), body: Buffer.concat(chunks).toString() }));
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await post('first')).toEqual({ status: 201, header: '5', body: 'first' });
    expect(await post('x'.repeat(100_000))).toMatchObject({ status: 201, header: '100000' });
    expect(seen).toEqual([true, true, true, true]);
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});
