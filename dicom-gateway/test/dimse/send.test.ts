/**
 * The C-STORE SCU against DCMTK's storescp: instances go out as stored when the peer takes their
 * syntax, transcoded when it insists on another, a report goes out as a Basic Text SR, and a peer
 * that is not there fails them all.
 */
import { jest } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { reportToBasicTextSr } from '../../src/dimse/report-sr.js';
import { sendInstances } from '../../src/dimse/send.js';

// DCMTK's tools start a process each: the suite-wide 5 s default is too short on a busy machine.

const run = promisify(execFile);
const CT = new URL('../data/CT_small.dcm', import.meta.url).pathname;
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

  it('sends a DiagnosticReport as a Basic Text SR that DCMTK reads as one, in Chinese', async () => {
    const report = {
      resourceType: 'DiagnosticReport',
      id: 'ct-chest-1',
      meta: { versionId: '2' },
      status: 'final',
      issued: '2026-12-06T10:15:00+08:00',
      resultsInterpreter: [{ display: '王医生' }],
      performer: [{ display: '县影像中心' }],
      conclusion: '右肺上叶小结节，建议随访。',
      presentedForm: [{ contentType: 'text/plain; charset=utf-8', data: Buffer.from('右肺上叶见一约5mm结节。').toString('base64') }],
    };
    const patient = { resourceType: 'Patient', identifier: [{ value: 'MWL-42' }], name: [{ family: '李', given: ['四'] }, { family: 'Li', given: ['Si'] }], gender: 'male', birthDate: '1980-02-03' };
    const sr = reportToBasicTextSr(report, patient, { studyInstanceUid: '1.2.826.0.1.3680043.2.1125.1', accessionNumber: 'ACC-CT-1' });
    const peer = await storescp(dir, []);
    children.push(peer.process);
    expect(await sendInstances({ aeTitle: 'ANY', host: '127.0.0.1', port: peer.port }, 'QIAO', [sr])).toMatchObject({ completed: 1 });
    const [file] = readdirSync(dir);
    const { stdout } = await run('dsrdump', ['+Pc', '+Pl', join(dir, file as string)]);
    expect(stdout).toMatch(/^Basic Text SR Document/);
    expect(stdout).toContain('Li^Si=李^四');
    expect(stdout).toMatch(/Verification Flag\s*: VERIFIED/);
    expect(stdout).toContain('(121073,DCM,"Impression")="右肺上叶小结节，建议随访。"');
    expect(stdout).toContain('(121071,DCM,"Finding")="右肺上叶见一约5mm结节。"');
    expect(await dump(join(dir, file as string), '0020,000d', '0008,0050')).toMatch(/1\.2\.826\.0\.1\.3680043\.2\.1125\.1[\s\S]*ACC-CT-1/);
  });

  it('counts every instance failed when the peer is not there', async () => {
    const outcome = await sendInstances({ aeTitle: 'ANY', host: '127.0.0.1', port: await freePort() }, 'QIAO', [instance]);
    expect(outcome).toEqual({ completed: 0, warnings: 0, failed: 1, failedUids: [instance.sopInstanceUid] });
  });
});
