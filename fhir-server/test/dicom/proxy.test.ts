/**
 * Proxy mode (互认调阅代理) against a real remote archive: Orthanc with its DICOMweb plugin (Debian
 * `orthanc`, `orthanc-dicomweb`), started here in a temporary directory on a free loopback port, with
 * its DICOM listener off and remote access refused (its HTTP server binds every interface: acceptable
 * on the CI machine, which `.ci/run` provisions). Skipped, saying so, when Orthanc is not installed.
 */
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { DicomwebProxy, parseDicomwebPeers, type DicomwebPeer } from '@qiao/dicom-gateway';
import { freePort } from '../../src/testing/throwaway-postgres.js';
import { useTestServer } from '../support/test-server.js';
import { dicomwebClient, failure } from './client.js';

jest.setTimeout(120_000);

const ORTHANC = '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
const missing = [ORTHANC, DICOMWEB_PLUGIN].filter((f) => !existsSync(f));
if (missing.length) console.warn(`proxy mode test skipped: ${missing.join(', ')} not installed (apt-get install orthanc orthanc-dicomweb)`);

const SAMPLES = path.resolve(import.meta.dirname, '../../../dicom-gateway/test/data');
/** Held by Orthanc only. */
const MR = { study: '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457', series: '1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457', sop: '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457' };
/** Held by Qiao only. */
const CT = { study: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const values = (json: Json, tag: string): unknown[] => json?.[tag]?.Value ?? [];
const arrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

interface Orthanc {
  url: string;
  stop(): Promise<void>;
}

async function startOrthanc(port: number): Promise<Orthanc> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-orthanc-'));
  const config = path.join(dir, 'orthanc.json');
  await writeFile(
    config,
    JSON.stringify({
      Name: 'qiao-proxy-test',
      StorageDirectory: path.join(dir, 'storage'),
      IndexDirectory: path.join(dir, 'storage'),
      HttpPort: port,
      DicomServerEnabled: false,
      RemoteAccessAllowed: false,
      // The archive of another hospital wants credentials: Qiao sends the ones configured for the peer.
      AuthenticationEnabled: true,
      RegisteredUsers: { [ORTHANC_USER]: ORTHANC_PASSWORD },
      Plugins: [DICOMWEB_PLUGIN],
      DicomWeb: { Enable: true, Root: '/dicom-web/' },
    }),
  );
  const child: ChildProcess = spawn(ORTHANC, [config], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/system`, { headers: { authorization: ORTHANC_AUTH } }).then((r) => r.ok, () => false);
    if (ok) return { url, stop };
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error('Orthanc did not start within 30 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const ORTHANC_USER = 'qiao';
const ORTHANC_PASSWORD = 'p@ss:w,rd';
const ORTHANC_AUTH = `Basic ${Buffer.from(`${ORTHANC_USER}:${ORTHANC_PASSWORD}`).toString('base64')}`;
const orthancPort = await freePort();
let orthanc: Orthanc | undefined;

(missing.length ? describe.skip : describe)('DICOMweb proxy mode with Orthanc as the remote archive', () => {
  // The peer's port is chosen before the server starts; Orthanc is started on it in beforeAll.
  const [peer] = parseDicomwebPeers(`orthanc@http://${ORTHANC_USER}:${encodeURIComponent(ORTHANC_PASSWORD)}@127.0.0.1:${orthancPort}/dicom-web`) as [DicomwebPeer];
  const server = useTestServer('postgres', { dicomwebPeers: [peer] });
  const client = () => dicomwebClient(`${server.url}/dicomweb`);
  let mrFile: Buffer;

  beforeAll(async () => {
    orthanc = await startOrthanc(orthancPort);
    mrFile = await readFile(path.join(SAMPLES, 'MR_small.dcm'));
    const upload = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: mrFile, headers: { authorization: ORTHANC_AUTH } });
    expect(upload.status).toBe(200);
    const stored = await client().storeInstances({ datasets: [arrayBuffer(await readFile(path.join(SAMPLES, 'CT_small.dcm')))] });
    expect(stored).toBeDefined();
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  it('answers QIDO-RS with its own studies and the remote archive’s, each retrievable through Qiao', async () => {
    const studies = await client().searchForStudies();
    const byUid = new Map(studies.map((s: Json) => [values(s, '0020000D')[0], s]));
    expect([...byUid.keys()].sort()).toEqual([CT.study, MR.study].sort());
    expect(values(byUid.get(MR.study), '00081190')).toEqual([`${server.url}/dicomweb/studies/${MR.study}`]);
    expect(values(byUid.get(CT.study), '00081190')).toEqual([`${server.url}/dicomweb/studies/${CT.study}`]);
    const instances = await client().searchForInstances({ studyInstanceUID: MR.study });
    expect(instances.map((i: Json) => values(i, '00080018')[0])).toEqual([MR.sop]);
    expect(values(instances[0], '00081190')[0]).toBe(`${server.url}/dicomweb/studies/${MR.study}/series/${MR.series}/instances/${MR.sop}`);
  });

  it('passes WADO-RS for a remote study through: metadata with URLs on Qiao, the instance as stored, a frame', async () => {
    const [metadata] = await client().retrieveStudyMetadata({ studyInstanceUID: MR.study });
    expect(values(metadata, '00080018')).toEqual([MR.sop]);
    const text = JSON.stringify(metadata);
    expect(text).not.toContain(peer.url);
    const bulk = JSON.stringify(metadata['7FE00010'] ?? {});
    if (bulk.includes('BulkDataURI')) expect(bulk).toContain(`${server.url}/dicomweb/`);

    const instance = await client().retrieveInstance({ studyInstanceUID: MR.study, seriesInstanceUID: MR.series, sopInstanceUID: MR.sop });
    const copy = Buffer.from(instance as ArrayBuffer);
    const parsed = dicomParser.parseDicom(new Uint8Array(copy));
    expect(parsed.string('x00080018')).toBe(MR.sop);
    expect(Buffer.compare(copy, mrFile)).toBe(0);

    const [frame] = await client().retrieveInstanceFrames({ studyInstanceUID: MR.study, seriesInstanceUID: MR.series, sopInstanceUID: MR.sop, frameNumbers: '1' });
    expect((frame as ArrayBuffer).byteLength).toBe(64 * 64 * 2);
  });

  it('is refused by the archive without the credentials, which the answer reports without failing', async () => {
    expect(peer.url).toBe(`http://127.0.0.1:${orthancPort}/dicom-web`);
    const without = new DicomwebProxy({ peers: [{ name: peer.name, url: peer.url }] });
    expect(await without.query('/studies', `${server.url}/dicomweb`)).toEqual({ results: [], failures: [{ peer: 'orthanc', why: 'HTTP 401' }] });
    const withThem = new DicomwebProxy({ peers: [peer] });
    const answer = await withThem.query('/studies', `${server.url}/dicomweb`);
    expect(answer.results.map((r) => values(r.item, '0020000D')[0])).toEqual([MR.study]);
  });

  it('still answers 404 for a study neither archive holds', async () => {
    const miss = await failure(client().retrieveStudyMetadata({ studyInstanceUID: '1.2.3.4.5.6.7.8.9' }));
    expect(miss.status).toBe(404);
  });
});
