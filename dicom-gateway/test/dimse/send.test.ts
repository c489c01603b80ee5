/**
 * The C-STORE SCU against DCMTK's storescp: instances go out as stored when the peer takes their
 * syntax, transcoded when it insists on another, and a peer that is not there fails them all.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sendInstances } from '../../src/dimse/send.js';

const run = promisify(execFile);
const CT = new URL('../../../../shared/data/dicom/CT_small.dcm', import.meta.url).pathname;
const instance = { sopInstanceUid: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322', sopClassUid: '1.2.840.10008.5.1.4.1.1.2', part10: readFileSync(CT) };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** storescp with extra options, answering once it listens. */
async function storescp(dir: string, options: string[]): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn('storescp', [...options, '-od', dir, String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const ok = await run('echoscu', ['127.0.0.1', String(port)]).then(() => true, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, process: child };
}

const dump = async (file: string, ...tags: string[]): Promise<string> => (await run('dcmdump', [...tags.flatMap((t) => ['+P', t]), file])).stdout;

describe('C-STORE SCU (sendInstances) with storescp', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qiao-send-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => children.forEach((c) => c.kill()));

  it('sends the stored bytes when the peer accepts the stored syntax (private elements kept)', async () => {
    const peer = await storescp(dir, []);
    children.push(peer.process);
    const outcome = await sendInstances({ aeTitle: 'ANY', host: '127.0.0.1', port: peer.port }, 'QIAO', [instance]);
    expect(outcome).toEqual({ completed: 1, warnings: 0, failed: 0, failedUids: [] });
    const [file] = readdirSync(dir);
    expect(await dump(join(dir, file as string), '0002,0010', '0009,0010')).toMatch(/LittleEndianExplicit[\s\S]*GEMS_IDEN_01/);
  });

  it('transcodes when the peer takes implicit VR only', async () => {
    const peer = await storescp(dir, ['+xi']);
    children.push(peer.process);
    const outcome = await sendInstances({ aeTitle: 'ANY', host: '127.0.0.1', port: peer.port }, 'QIAO', [instance]);
    expect(outcome.completed).toBe(1);
    const [file] = readdirSync(dir);
    const text = await dump(join(dir, file as string), '0002,0010', '0010,0010', '7fe0,0010');
    expect(text).toMatch(/LittleEndianImplicit/);
    expect(text).toContain('CompressedSamples^CT1');
    expect(text).toMatch(/PixelData/);
  });

  it('counts every instance failed when the peer is not there', async () => {
    const outcome = await sendInstances({ aeTitle: 'ANY', host: '127.0.0.1', port: await freePort() }, 'QIAO', [instance]);
    expect(outcome).toEqual({ completed: 0, warnings: 0, failed: 1, failedUids: [instance.sopInstanceUid] });
  });
});
