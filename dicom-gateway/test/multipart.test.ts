import { Readable } from 'node:stream';
import { parseAccept, parseMediaType, readMultipart } from '../src/web/multipart.js';

function body(parts: Buffer[], boundary: string): Buffer {
  const chunks: Buffer[] = [Buffer.from('preamble to ignore\r\n')];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), p, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\nepilogue`));
  return Buffer.concat(chunks);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function chunked(data: Buffer, size: number): AsyncIterable<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return Readable.from(pieces);
}

describe('readMultipart', () => {
  const boundary = 'b0undary';
  // Part bodies that contain near-delimiters: CRLF, "--", and the boundary without its leading CRLF.
  const parts = [Buffer.from('first\r\n--b0undar'), Buffer.from('x--b0undary'), Buffer.alloc(3000, 7)];
  const data = body(parts, boundary);

  it.each([1, 2, 3, 7, 13, 64, 100000])('yields the same parts however the body is chunked (%i bytes)', async (size) => {
    const got = await readMultipart(chunked(data, size), boundary, async (part) => ({ headers: part.headers, bytes: await collect(part.body) }));
    expect(got.map((g) => g.bytes)).toEqual(parts);
    expect(got[0]?.headers['content-type']).toBe('application/dicom');
  });

  it('ends a part cut off by the end of the body with an error for that part only', async () => {
    const cut = data.subarray(0, data.indexOf('x--b0undary') + 4);
    const got = await readMultipart(chunked(cut, 5), boundary, async (part) => collect(part.body).then((b) => b.toString(), (e: Error) => `error: ${e.message}`));
    expect(got).toEqual(['first\r\n--b0undar', 'error: the multipart body ends in the middle of a part']);
  });
});

describe('media types', () => {
  it('parses parameters, quoted or not', () => {
    expect(parseMediaType('multipart/related; type="application/dicom"; boundary=abc')).toEqual({ type: 'multipart/related', params: { type: 'application/dicom', boundary: 'abc' } });
  });

  it('splits Accept alternatives outside quotes', () => {
    const accept = parseAccept('multipart/related; type="image/jp2"; transfer-syntax=1.2.840.10008.1.2.4.91, multipart/related; type="application/octet-stream"');
    expect(accept.map((a) => a.params.type)).toEqual(['image/jp2', 'application/octet-stream']);
    expect(parseAccept(undefined)).toEqual([{ type: '*/*', params: {} }]);
  });
});

describe('readMultipart when the body breaks', () => {
  it('fails the part in progress, lets its consumer finish, and rethrows', async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('--b\r\nContent-Type: application/dicom\r\n\r\npartial bytes');
      throw new Error('aborted');
    }
    const seen: string[] = [];
    await expect(
      readMultipart(broken(), 'b', async (part) => {
        try {
          await collect(part.body);
          seen.push('complete');
        } catch (e) {
          seen.push(`consumer saw: ${(e as Error).message}`);
        }
      }),
    ).rejects.toThrow('aborted');
    expect(seen).toEqual(['consumer saw: aborted']);
  });
});
