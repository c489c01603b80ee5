/**
 * What a tester's probe found at the edges of DICOMweb and DIMSE, against the running server with
 * dcmtk's storescu and findscu: control characters and impossible dates in queries, impossible or
 * ACR-NEMA study times, the same instance resent by another AE or the other protocol, a patient
 * known by resident ID and by Patient ID, files cut after their pixel data, and the rendered study,
 * metadata media types and frame labels PS3.18 defines.
 */
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { call } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { freePort } from '../../src/testing/throwaway-postgres.js';
import { synthInstance, type SynthOptions } from '../../../dicom-gateway/test/support/synth.js';
import { part10 } from '../../../dicom-gateway/test/charset/part10.js';

jest.setTimeout(120_000);

const run = promisify(execFile);
const env = { ...process.env, TCP_NODELAY: '1' };
const uid = (): string => `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString()}`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('DICOM edge cases with dcmtk and DICOMweb (postgres)', () => {
  let server: TestServer;
  let port: number;
  let dir: string;
  const file = (name: string, bytes: Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const instance = (o: Partial<SynthOptions> = {}): SynthOptions & { bytes: Buffer } => {
    const ids = { studyUid: uid(), seriesUid: uid(), sopUid: uid(), ...o };
    return { ...ids, bytes: synthInstance(ids) };
  };
  const stow = async (...parts: Buffer[]) => {
    const boundary = 'qiao-edge-cases';
    const body = Buffer.concat([...parts.flatMap((p) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), p, Buffer.from('\r\n')]), Buffer.from(`--${boundary}--\r\n`)]);
    return call(server.url, 'POST', 'dicomweb/studies', body, { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' });
  };
  const storescu = async (aet: string, path: string): Promise<string> => {
    // storescu exits with an error when the status is a failure: its output says which.
    const { stderr } = await run('storescu', ['-v', '-aet', aet, '-aec', 'QIAO', '127.0.0.1', String(port), path], { env }).catch((error: { stderr: string }) => error);
    return /Received Store Response \(([^)]*)\)/.exec(stderr)?.[1] ?? stderr;
  };
  const findscu = async (args: string[]): Promise<string> => {
    const { stdout, stderr } = await run('findscu', ['-v', '-S', '-aet', 'FINDSCU', '-aec', 'QIAO', '127.0.0.1', String(port), ...args], { env });
    return `${stdout}${stderr}`;
  };
  /** The instance's index row is written just after the acknowledgement. */
  const eventuallyIndexed = async (sop: string): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      if ((await server.ctx.db.query('SELECT 1 FROM dicom_instance WHERE sop_instance_uid = $1', [sop])).length) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${sop} was not indexed`);
  };
  const imagingStudy = async (study: string): Promise<Json> => (await call(server.base, 'GET', `ImagingStudy?identifier=urn:dicom:uid|urn:oid:${study}`)).body.entry?.[0]?.resource;
  const failureReasons = (reply: { body: Json }): unknown[] => (reply.body?.['00081198']?.Value ?? []).map((f: Json) => f['00081197'].Value[0]);

  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'qiao-dicom-edges-'));
    // The data directory is the test's own, to see which files the store keeps.
    server = await startTestServer('postgres', { dimsePort: port, dataDir: join(dir, 'data') });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('refuses a NUL in a QIDO matching value (400 naming the key) and in a C-FIND identifier (A900)', async () => {
    for (const [query, key] of [['studies?PatientName=%00', 'PatientName'], ['studies?PatientID=a%00b', 'PatientID'], ['studies?AccessionNumber=%00', 'AccessionNumber'], ['series?Modality=CT%00', 'Modality'], ['studies?PatientName=a%00&fuzzymatching=true', 'PatientName']]) {
      const reply = await call(server.url, 'GET', `dicomweb/${query}`);
      expect([query, reply.status, reply.body.issue[0].expression]).toEqual([query, 400, [key]]);
      expect(reply.body.issue[0].details.text).toMatch(/控制字符.* \| .*control character/);
    }
    const query = file('nul.dcm', part10([[0x0008, 0x0052, 'CS', Buffer.from('STUDY')], [0x0010, 0x0010, 'PN', Buffer.from('a\0b*')], [0x0020, 0x000d, 'UI', Buffer.alloc(0)]]));
    expect(await findscu([query])).toMatch(/Final Find Response \(Error: DataSetDoesNotMatchSOPClass\)/);
  });

  it('refuses impossible dates and times in QIDO (400) and C-FIND (A900) as it refuses malformed ones', async () => {
    for (const query of ['StudyDate=20241301', 'StudyDate=20240230', 'StudyTime=256000']) expect([query, (await call(server.url, 'GET', `dicomweb/studies?${query}`)).status]).toEqual([query, 400]);
    expect(await findscu(['-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyDate=20241301'])).toMatch(/Final Find Response \(Error: DataSetDoesNotMatchSOPClass\)/);
  });

  it('makes the ImagingStudy of a study with an impossible date or time, without started; reads ACR-NEMA hh:mm:ss', async () => {
    const studies = {
      badTime: instance({ extra: { StudyTime: '2500' } }),
      badMinute: instance({ extra: { StudyTime: '096000' } }),
      impossibleDate: instance({ studyDate: '20250230' }),
      acrNema: instance({ studyDate: '20250301', extra: { StudyTime: '14:45:30' } }),
    };
    expect((await stow(...Object.values(studies).map((s) => s.bytes))).status).toBe(200);
    const badTime = instance({ extra: { StudyTime: '24' } });
    expect(await storescu('MODALITY', file('badtime.dcm', badTime.bytes))).toBe('Success');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const s of [studies.badTime, studies.badMinute, studies.impossibleDate, badTime]) {
      const found = await imagingStudy(s.studyUid);
      expect(found).toMatchObject({ status: 'available', numberOfInstances: 1 });
      expect(found.started).toBeUndefined();
    }
    expect((await imagingStudy(studies.acrNema.studyUid)).started).toBe('2025-03-01T14:45:30+08:00');
    const byTime = await call(server.url, 'GET', `dicomweb/studies?StudyTime=1440-1450&StudyInstanceUID=${studies.acrNema.studyUid}`);
    expect(byTime.status).toBe(200);
  });

  it('takes the same instance resent from another AE or by the other protocol as a duplicate, and never keeps a second file', async () => {
    // Data Set Trailing Padding, which storescu leaves out when it sends.
    const padded = (o: Partial<SynthOptions> = {}) => instance({ ...o, extra: { DataSetTrailingPadding: new Uint8Array(126).buffer } });
    const a = padded();
    const path = file('a.dcm', a.bytes);
    expect([await storescu('MODALITY1', path), await storescu('ROUTER2', path), (await stow(a.bytes)).status]).toEqual(['Success', 'Success', 200]);
    const b = padded();
    expect([(await stow(b.bytes)).status, await storescu('MODALITY1', file('b.dcm', b.bytes))]).toEqual([200, 'Success']);
    // Different content under a stored UID is still refused.
    const changed = synthInstance({ studyUid: b.studyUid, seriesUid: b.seriesUid, sopUid: b.sopUid, patientName: 'Other^Name' });
    expect(await storescu('MODALITY1', file('b2.dcm', changed))).toMatch(/0x0?111/i);
    const { stdout } = await run('find', [join(dir, 'data', 'dicom'), '-name', '*.dcm'], { env });
    expect(stdout.split('\n').filter((l) => l.includes(a.sopUid) || l.includes(b.sopUid))).toHaveLength(2);
  });

  it('takes a resend of an instance indexed before data-set hashes (its row holds the whole file\'s) as a duplicate, and records the data-set hash', async () => {
    const a = instance();
    const path = file('legacy.dcm', a.bytes);
    expect(await storescu('MODALITY1', path)).toBe('Success');
    await eventuallyIndexed(a.sopUid);
    // Such a row: the whole file's hash in its column and at the end of its storage key (the file renamed to it).
    const wholeFile = createHash('sha256').update(a.bytes).digest('hex');
    const [stored] = await server.ctx.db.query<{ storage_key: string }>('SELECT storage_key FROM dicom_instance WHERE sop_instance_uid = $1', [a.sopUid]);
    const legacyKey = (stored?.storage_key ?? '').replace(/\.[0-9a-f]{16}\.dcm$/, `.${wholeFile.slice(0, 16)}.dcm`);
    renameSync(join(dir, 'data', 'dicom', stored?.storage_key ?? ''), join(dir, 'data', 'dicom', legacyKey));
    await server.ctx.db.query('UPDATE dicom_instance SET sha256 = $1, storage_key = $2 WHERE sop_instance_uid = $3', [wholeFile, legacyKey, a.sopUid]);
    expect(await storescu('ROUTER2', path)).toBe('Success');
    const [row] = await server.ctx.db.query<{ sha256: string }>('SELECT sha256 FROM dicom_instance WHERE sop_instance_uid = $1', [a.sopUid]);
    expect(row?.sha256).not.toBe(wholeFile);
    // Other content under that UID is still a conflict.
    expect(await storescu('MODALITY1', file('legacy2.dcm', synthInstance({ studyUid: a.studyUid, seriesUid: a.seriesUid, sopUid: a.sopUid, patientName: 'Other^Name' })))).toMatch(/0x0?111/i);
  });

  it('adds the Patient ID + issuer to the Patient matched by resident ID, so a later study without it finds the same Patient', async () => {
    const resident = `11010119900101${String(Date.now()).slice(-4)}`;
    const patient = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: resident }], name: [{ text: '张三' }] });
    expect(patient.status).toBe(201);
    const first = instance({ patientId: 'P-GBK-1', extra: { IssuerOfPatientID: 'HOSP-A', OtherPatientIDsSequence: [{ PatientID: resident, IssuerOfPatientID: '2.16.156.10011.1.3' }] } });
    const second = instance({ patientId: 'P-GBK-1', extra: { IssuerOfPatientID: 'HOSP-A' } });
    expect((await stow(first.bytes)).status).toBe(200);
    expect((await stow(second.bytes)).status).toBe(200);
    const subjects = await Promise.all([first, second].map(async (s) => (await imagingStudy(s.studyUid)).subject.reference));
    expect(subjects).toEqual([`Patient/${patient.body.id}`, `Patient/${patient.body.id}`]);
    const updated = await call(server.base, 'GET', `Patient/${patient.body.id}`);
    expect(updated.body.identifier).toEqual([{ system: 'urn:oid:2.16.156.10011.1.3', value: resident }, { system: 'urn:qiao:dicom:issuer:HOSP-A', value: 'P-GBK-1' }]);
  });

  it('refuses, part by part, a file cut after its pixel data and one without a SOP Instance UID (C000)', async () => {
    const padded = instance({ extra: { DataSetTrailingPadding: new Uint8Array(226).buffer } });
    const noSop = instance({ extra: { SOPInstanceUID: undefined } });
    const good = instance();
    const reply = await stow(padded.bytes.subarray(0, padded.bytes.length - 100), noSop.bytes, good.bytes);
    expect(reply.status).toBe(202);
    expect(failureReasons(reply)).toEqual([0xc000, 0xc000]);
    const comments = reply.body['00081198'].Value.map((f: Json) => f['00000902'].Value[0]);
    expect(comments).toEqual([expect.stringMatching(/truncated after the pixel data/), expect.stringMatching(/SOPInstanceUID 缺失 \| SOPInstanceUID missing/)]);
  });

  it('finds by a UTF-8 name in a C-FIND identifier without Specific Character Set', async () => {
    const named = instance({ patientName: '王^小明' });
    expect((await stow(named.bytes)).status).toBe(200);
    const output = await findscu(['-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientName=王^小*', '-k', 'StudyInstanceUID']);
    expect(output).toContain(named.studyUid);
  });

  it('renders a study and a series (one image per instance), serves metadata only as DICOM JSON, labels frames with the syntax asked for', async () => {
    const study = uid();
    const series = uid();
    const slices = [1, 2, 3].map((n) => synthInstance({ studyUid: study, seriesUid: series, sopUid: `${series}.${n}`, instanceNumber: n }));
    expect((await stow(...slices)).status).toBe(200);
    for (const path of [`studies/${study}`, `studies/${study}/series/${series}`]) {
      const res = await fetch(`${server.url}/dicomweb/${path}/rendered`, { headers: { accept: 'multipart/related; type="image/png"' } });
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 200, expect.stringMatching(/^multipart\/related; type="image\/png"; boundary=/)]);
      expect(Buffer.from(await res.arrayBuffer()).toString('latin1').match(/\x89PNG/g)).toHaveLength(3);
    }
    const metadata = (accept: string) => fetch(`${server.url}/dicomweb/studies/${study}/metadata`, { headers: { accept } });
    expect((await metadata('image/png')).status).toBe(406);
    expect((await metadata('multipart/related; type="application/dicom+xml"')).status).toBe(406);
    const json = await metadata('application/dicom+json');
    expect([json.status, json.headers.get('content-type')]).toEqual([200, 'application/dicom+json']);
    const frames = await fetch(`${server.url}/dicomweb/studies/${study}/series/${series}/instances/${series}.1/frames/1`, { headers: { accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2' } });
    expect(Buffer.from(await frames.arrayBuffer()).toString('latin1')).toMatch(/Content-Type: application\/octet-stream; transfer-syntax=1\.2\.840\.10008\.1\.2\r\n/);
  });
});
