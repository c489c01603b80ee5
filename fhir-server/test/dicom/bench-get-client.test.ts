/**
 * The DICOM benchmark's measuring client against a node:http server: replies of known length and
 * chunked ones, kept or only counted, over one kept-alive connection, and again after the server
 * closes it. A wrong byte count here would be a wrong frames figure in docs/benchmarks.md.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { GetClient } from '../../src/bench/dicom/get-client.js';

const body = randomBytes(700_000);
let server: http.Server;
let base: URL;
const connections = new Set<string>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    connections.add(`${req.socket.remotePort}`);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/base/length') {
      res.setHeader('Content-Length', body.length);
      res.end(body);
    } else if (url.pathname === '/base/chunked') {
      // Pieces of odd sizes, so chunk headers fall anywhere in the client's reads.
      for (let at = 0; at < body.length; at += 99_991) res.write(body.subarray(at, at + 99_991));
      res.end();
    } else if (url.pathname === '/base/close') {
      res.setHeader('Connection', 'close');
      res.end('bye');
    } else if (url.pathname === '/base/empty') {
      res.statusCode = 204;
      res.end();
    } else {
      res.statusCode = 404;
      res.end(`no ${url.pathname} here, accept was ${req.headers.accept}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('GetClient (the DICOM benchmark client)', () => {
  it('reads replies of known length and chunked ones, keeping or counting their bodies, on one connection', async () => {
    const client = new GetClient(base);
    connections.clear();
    const kept = await client.get('/length', {}, { keep: true });
    expect(kept.status).toBe(200);
    expect(kept.length).toBe(body.length);
    expect(kept.body.equals(body)).toBe(true);
    const counted = await client.get('/chunked', {}, { keep: false });
    expect(counted.length).toBe(body.length);
    expect(counted.body.length).toBeLessThan(1000);
    expect(counted.body.equals(body.subarray(0, counted.body.length))).toBe(true);
    const chunked = await client.get('/chunked', {}, { keep: true });
    expect(chunked.body.equals(body)).toBe(true);
    expect(await client.get('/empty', {}, { keep: true })).toMatchObject({ status: 204, length: 0 });
    expect(connections.size).toBe(1);
    client.close();
  });

  it('sends the headers asked for, reports the status of a refusal with its text, and reconnects after the server closes', async () => {
    const client = new GetClient(base);
    const missing = await client.get('/nothing', { Accept: 'application/dicom+json' }, { keep: false });
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).toBe('no /base/nothing here, accept was application/dicom+json');
    expect((await client.get('/close', {}, { keep: true })).body.toString()).toBe('bye');
    expect((await client.get('/length', {}, { keep: false })).length).toBe(body.length);
    await expect(client.get('/length', {}, { keep: false }).then(() => client.get('/length', {}, { keep: false }))).resolves.toMatchObject({ status: 200 });
    client.close();
  });

  it('finds the end of a head that arrives split across reads, wherever the split falls', async () => {
    const reply = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n`), body.subarray(0, 5000)]);
    const headEnd = reply.indexOf('\r\n\r\n');
    // The split points: inside the status line, then at each byte of the blank line that ends the head.
    const splits = [5, headEnd, headEnd + 1, headEnd + 2, headEnd + 3, headEnd + 4];
    let next = 0;
    const raw = net.createServer((socket) => {
      socket.setNoDelay(true);
      socket.on('data', () => {
        const at = splits[next++ % splits.length] as number;
        socket.write(reply.subarray(0, at));
        setTimeout(() => socket.write(reply.subarray(at)), 20);
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const client = new GetClient(new URL(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/`));
    try {
      for (const _ of splits) {
        const got = await client.get('/split', {}, { keep: true });
        expect(got.status).toBe(200);
        expect(got.body.equals(body.subarray(0, 5000))).toBe(true);
      }
    } finally {
      client.close();
      await new Promise((resolve) => raw.close(resolve));
    }
  });
});
