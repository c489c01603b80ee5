import { jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call } from '../support/http.js';
import { synthInstance } from '../../../dicom-gateway/test/support/synth.js';
import { dicomwebClient, failure } from './client.js';

// A server start and a STOW of the samples per backend: more than jest's default 5 s on a busy machine.
jest.setTimeout(120_000);

const SAMPLES = path.resolve(import.meta.dirname, '../../../dicom-gateway/test/data');
const read = async (name: string): Promise<ArrayBuffer> => {
  const b = await readFile(path.join(SAMPLES, name));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

const CT = { study: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322', series: '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322', sop: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322' };
const X1 = { study: '1.3.6.1.4.1.5962.1.2.0.1175775771.5711.0' };
const RG3 = { study: '1.3.6.1.4.1.5962.1.2.11.20040826185059.5457', series: '1.3.6.1.4.1.5962.1.3.11.1.20040826185059.5457', sop: '1.3.6.1.4.1.5962.1.1.11.1.3.20040826185059.5457' };
const P776 = 'patient-77654033';
const P776_FILES = ['CR1_6154.dcm', 'CR2_6247.dcm', 'CR3_6278.dcm', 'CT2_17106.dcm', 'CT2_17136.dcm', 'CT2_17166.dcm', 'CT2_17196.dcm'].map((f) => `${P776}/${f}`);
const P776_CT_STUDY = '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const values = (json: Json, tag: string): unknown[] => json?.[tag]?.Value ?? [];

describe.each(BACKENDS)('DICOMweb through dicomweb-client (%s)', (backend) => {
  const server = useTestServer(backend);
  const client = () => dicomwebClient(`${server.url}/dicomweb`);

  beforeAll(async () => {
    // A scheduled order with the accession number of the patient-77654033 studies, for ImagingStudy.basedOn.
    const order = await call(server.base, 'POST', 'ServiceRequest', {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] }, value: '2' }],
      subject: { display: 'Doe^Archibald' },
    });
    expect(order.status).toBe(201);
    const datasets = await Promise.all(['CT_small.dcm', 'MR_small.dcm', 'chrX1_ISO_IR_192_chinese_name.dcm', 'chrX2_GB18030_chinese_name.dcm', 'RG3_J2KI_CR_jpeg2000.dcm', ...P776_FILES].map(read));
    const reply = await client().storeInstances({ datasets });
    const response = typeof reply === 'string' ? JSON.parse(reply) : JSON.parse(Buffer.from(reply as ArrayBuffer).toString());
    expect(values(response, '00081199')).toHaveLength(datasets.length);
  });

  it('finds studies by fuzzy, wildcard and ideographic person name, date range and modality', async () => {
    const c = client();
    expect(await c.searchForStudies()).toHaveLength(7);
    const fuzzy = await c.searchForStudies({ queryParams: { PatientName: 'xiao', fuzzymatching: 'true' } });
    expect(fuzzy).toHaveLength(2);
    expect(values(fuzzy[0], '00100010')[0]).toMatchObject({ Alphabetic: 'Wang^XiaoDong' });
    const ideographic = await c.searchForStudies({ queryParams: { PatientName: '王^小東' } });
    expect(ideographic.map((s: Json) => values(s, '0020000D')[0])).toEqual([X1.study]);
    expect(await c.searchForStudies({ queryParams: { PatientName: 'wang*' } })).toHaveLength(2);
    const range = await c.searchForStudies({ queryParams: { StudyDate: '20040101-20041231' } });
    expect(range.map((s: Json) => values(s, '00080020')[0]).sort()).toEqual(['20040119', '20040826', '20040826']);
    const cr = await c.searchForStudies({ queryParams: { ModalitiesInStudy: 'CR' } });
    expect(cr.map((s: Json) => values(s, '00100020')[0]).sort()).toEqual(['11RG3', '77654033']);
    const page = await c.searchForStudies({ queryParams: { limit: '2', offset: '1' } });
    expect(page).toHaveLength(2);
  });

  it('counts series and instances and answers series and instance queries with includefield', async () => {
    const c = client();
    const [study] = await c.searchForStudies({ queryParams: { StudyInstanceUID: P776_CT_STUDY } });
    expect(values(study, '00201206')).toEqual([1]);
    expect(values(study, '00201208')).toEqual([4]);
    expect(values(study, '00080061')).toEqual(['CT']);
    const instances = await c.searchForInstances({ studyInstanceUID: P776_CT_STUDY, queryParams: { includefield: 'PatientPosition,SliceThickness' } });
    expect(instances.map((i: Json) => values(i, '00200013')[0])).toEqual([18, 180, 181, 182]);
    expect(instances[0]['00185100']).toBeDefined();
    const series = await c.searchForSeries({ queryParams: { Modality: 'CR' } });
    expect(series).toHaveLength(4);
  });

  it('serves metadata with person name groups and retrieves bulk data, frames and instances byte for byte', async () => {
    const c = client();
    const [x1] = await c.retrieveStudyMetadata({ studyInstanceUID: X1.study });
    expect(values(x1, '00100010')).toEqual([{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' }]);

    const file = Buffer.from(await read('CT_small.dcm'));
    const pixel = dicomParser.parseDicom(file).elements.x7fe00010!;
    const expected = file.subarray(pixel.dataOffset, pixel.dataOffset + pixel.length);
    const [meta] = await c.retrieveSeriesMetadata({ studyInstanceUID: CT.study, seriesInstanceUID: CT.series });
    const uri = meta['7FE00010'].BulkDataURI as string;
    expect(uri).toBe(`${server.url}/dicomweb/studies/${CT.study}/series/${CT.series}/instances/${CT.sop}/bulk/7FE00010`);
    const [bulk] = await c.retrieveBulkData({ BulkDataURI: uri });
    expect(Buffer.from(bulk)).toEqual(expected);
    const [frame] = await c.retrieveInstanceFrames({ studyInstanceUID: CT.study, seriesInstanceUID: CT.series, sopInstanceUID: CT.sop, frameNumbers: '1' });
    expect(Buffer.from(frame)).toEqual(expected);
    const instance = await c.retrieveInstance({ studyInstanceUID: CT.study, seriesInstanceUID: CT.series, sopInstanceUID: CT.sop });
    expect(Buffer.from(instance)).toEqual(file);
    const study = await c.retrieveStudy({ studyInstanceUID: P776_CT_STUDY });
    expect(study).toHaveLength(4);
  });

  it('sends JPEG 2000 frames as stored when asked for, decoded when uncompressed is asked for, 406 for a syntax it cannot make', async () => {
    const c = client();
    const ids = { studyInstanceUID: RG3.study, seriesInstanceUID: RG3.series, sopInstanceUID: RG3.sop, frameNumbers: '1' };
    const file = Buffer.from(await read('RG3_J2KI_CR_jpeg2000.dcm'));
    const set = dicomParser.parseDicom(file);
    // Lossy JPEG 2000 has no exact original to compare with (the codec tests compare lossless ones): the size and a real image.
    const [decoded] = await c.retrieveInstanceFrames(ids);
    expect(decoded.byteLength).toBe(set.uint16('x00280010')! * set.uint16('x00280011')! * (set.uint16('x00280100')! / 8));
    expect(new Set(new Uint16Array(decoded.slice(0))).size).toBeGreaterThan(100);
    expect((await failure(c.retrieveInstanceFrames({ ...ids, mediaTypes: [{ mediaType: 'image/jls', transferSyntaxUID: '1.2.840.10008.1.2.4.80' }] }))).status).toBe(406);
    const [frame] = await c.retrieveInstanceFrames({ ...ids, mediaTypes: [{ mediaType: 'image/jp2', transferSyntaxUID: '1.2.840.10008.1.2.4.91' }] });
    const fragments = set.elements.x7fe00010!.fragments!;
    const expected = Buffer.concat(fragments.map((f) => file.subarray(f.position, f.position + f.length)));
    expect(Buffer.from(frame)).toEqual(expected);
    // A JPEG 2000 codestream begins with SOC (FF4F) — or a JP2 box; either way not DICOM framing.
    expect(Buffer.from(frame).readUInt16BE(0)).toBe(0xff4f);
  });

  it('keeps ImagingStudy in step: searchable right after STOW, with patient, counts, endpoint and order', async () => {
    const found = await call(server.base, 'GET', `ImagingStudy?identifier=urn:dicom:uid|urn:oid:${P776_CT_STUDY}`);
    expect(found.body.total ?? found.body.entry?.length).toBe(1);
    const study = found.body.entry[0].resource;
    // The files declare TimezoneOffsetFromUTC (+0000 here, -0400 for the MR); the site's zone is for files without one.
    expect(study).toMatchObject({ status: 'available', numberOfSeries: 1, numberOfInstances: 4, started: '1995-09-03T17:30:32+00:00' });
    expect(study.series[0].instance.map((i: Json) => i.number)).toEqual([18, 180, 181, 182]);
    expect(study.basedOn[0].reference).toMatch(/^ServiceRequest\//);
    const patient = await call(server.base, 'GET', study.subject.reference);
    expect(patient.body.identifier).toEqual([{ system: 'urn:qiao:dicom:patient-id', value: '77654033' }]);
    // The second study of the same patient links the same Patient.
    const cr = await call(server.base, 'GET', 'ImagingStudy?identifier=urn:dicom:uid|urn:oid:1.3.6.1.4.1.5962.1.1.0.0.0.1196527414.5534.0.1');
    expect(cr.body.entry[0].resource.subject.reference).toBe(study.subject.reference);
    const endpoint = await call(server.base, 'GET', study.endpoint[0].reference);
    expect(endpoint.body).toMatchObject({ connectionType: { code: 'dicom-wado-rs' }, address: `${server.url}/dicomweb` });
    const mr = await call(server.base, 'GET', 'ImagingStudy?identifier=urn:dicom:uid|urn:oid:1.3.6.1.4.1.5962.1.2.4.20040826185059.5457');
    expect(mr.body.entry[0].resource.started).toBe('2004-08-26T18:50:59-04:00');
    const chinese = await call(server.base, 'GET', 'Patient?identifier=urn:qiao:dicom:patient-id|X2EXAMPLE');
    expect(chinese.body.entry[0].resource.name[0]).toMatchObject({ text: '王小东', family: '王', given: ['小东'] });
  });

  it('accepts an identical duplicate, refuses different content under a stored UID with 409', async () => {
    const c = client();
    const same = await read('MR_small.dcm');
    await expect(c.storeInstances({ datasets: [same] })).resolves.toBeDefined();
    const changed = Buffer.from(same);
    // A pixel: the file's last bytes are Data Set Trailing Padding, which is no part of the instance (PS3.10 7.2).
    const pixel = dicomParser.parseDicom(changed).elements.x7fe00010!;
    const last = pixel.dataOffset + pixel.length - 1;
    changed[last] = (changed[last] ?? 0) ^ 0xff;
    const refused = await failure(c.storeInstances({ datasets: [changed.buffer.slice(changed.byteOffset, changed.byteOffset + changed.length)] }));
    expect(refused.status).toBe(409);
    const body = JSON.parse(Buffer.from(refused.response as ArrayBuffer).toString());
    expect(values(values(body, '00081198')[0], '00081197')).toEqual([0x0111]);
  });

  it('fails only the bad parts of a STOW request (202) and says why in both languages', async () => {
    const ct = Buffer.from(await read('CT_small.dcm'));
    const truncated = ct.subarray(0, 20000);
    const junk = Buffer.from('not a DICOM file');
    const good = Buffer.from(await read(P776_FILES[0]!));
    const boundary = 'qiao-test-boundary';
    const body = Buffer.concat([
      ...[truncated, junk, good].flatMap((p) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), p, Buffer.from('\r\n')]),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const reply = await call(server.url, 'POST', 'dicomweb/studies', body, { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' });
    expect(reply.status).toBe(202);
    const failed = values(reply.body, '00081198') as Json[];
    expect(failed.map((f) => values(f, '00081197')[0])).toEqual([0xc000, 0xc000]);
    expect(String(values(failed[0], '00000902')[0])).toMatch(/截断|truncated/);
    expect(values(reply.body, '00081199')).toHaveLength(1);
    // The server is still serving.
    expect((await call(server.url, 'GET', 'healthz')).status).toBe(200);
  });

  it('refuses an instance of another study than the STOW path names (A900), with 409 when nothing was stored', async () => {
    const refused = await failure(client().storeInstances({ studyInstanceUID: X1.study, datasets: [await read('MR_small.dcm')] }));
    expect(refused.status).toBe(409);
    const body = JSON.parse(Buffer.from(refused.response as ArrayBuffer).toString());
    expect(values(values(body, '00081198')[0], '00081197')).toEqual([0xa900]);
  });

  it('returns every attribute of the first instance with includefield=all', async () => {
    const [study] = await client().searchForStudies({ queryParams: { StudyInstanceUID: CT.study, includefield: 'all' } });
    expect(values(study, '00180050')).toEqual([expect.any(Number)]);
    expect(study['7FE00010']).toBeUndefined();
  });

  it('answers junk UIDs, dates and parameters in URLs with 400 and a bilingual OperationOutcome', async () => {
    for (const url of ['dicomweb/studies/1.2.x/metadata', 'dicomweb/studies/..%2F..%2Fetc/series', 'dicomweb/studies?StudyDate=2020-13', 'dicomweb/studies?limit=-1', 'dicomweb/studies?NotAKeyword=1', `dicomweb/studies/${CT.study}/series/${CT.series}/instances/${CT.sop}/frames/0,x`]) {
      const reply = await call(server.url, 'GET', url);
      expect([url, reply.status]).toEqual([url, 400]);
      expect(reply.body.resourceType).toBe('OperationOutcome');
      expect(reply.body.issue[0].details.text).toMatch(/[\u4e00-\u9fff].* \| .*[a-z]/);
    }
    expect((await call(server.url, 'GET', 'dicomweb/studies/1.2.3/metadata')).status).toBe(404);
  });

  it('serves WADO-URI', async () => {
    const res = await fetch(`${server.url}/dicomweb/wado?requestType=WADO&studyUID=${CT.study}&seriesUID=${CT.series}&objectUID=${CT.sop}&contentType=application%2Fdicom`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(await read('CT_small.dcm')));
  });
});

describe.each(BACKENDS)('DICOMweb multi-frame and rendering (%s)', (backend) => {
  const server = useTestServer(backend);
  const client = () => dicomwebClient(`${server.url}/dicomweb`);
  const ids = { studyUid: '1.2.826.0.1.3680043.9.7433.2.1', seriesUid: '1.2.826.0.1.3680043.9.7433.2.1.1', sopUid: '1.2.826.0.1.3680043.9.7433.2.1.1.1' };

  beforeAll(async () => {
    const multiframe = synthInstance({ ...ids, frames: 50, rows: 16, columns: 16, patientName: 'Li^Lei=李^雷', accession: 'ACC-MF-1' });
    const slices = Array.from({ length: 10 }, (_, i) => synthInstance({ studyUid: ids.studyUid, seriesUid: `${ids.seriesUid}0`, sopUid: `${ids.seriesUid}0.${i + 1}`, instanceNumber: i + 1, patientName: 'Li^Lei=李^雷' }));
    await client().storeInstances({ datasets: [multiframe, ...slices].map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.length)) });
  });

  it('reads any frame of a multi-frame instance by its indexed offset', async () => {
    const frames = await client().retrieveInstanceFrames({ studyInstanceUID: ids.studyUid, seriesInstanceUID: ids.seriesUid, sopInstanceUID: ids.sopUid, frameNumbers: '37,2' });
    expect(frames).toHaveLength(2);
    const f37 = new Uint16Array(frames[0].slice(0));
    const f2 = new Uint16Array(frames[1].slice(0));
    // synthInstance writes (frame index × 1000 + pixel index) mod 65536.
    expect([f37.length, f37[0], f37[255], f2[0]]).toEqual([256, 36000, 36255, 1000]);
    const beyond = await call(server.url, 'GET', `dicomweb/studies/${ids.studyUid}/series/${ids.seriesUid}/instances/${ids.sopUid}/frames/51`);
    expect(beyond.status).toBe(404);
  });

  it('sends every large frame byte for byte when many are asked for at once and again (buffers are reused between responses)', async () => {
    const big = { studyUid: ids.studyUid, seriesUid: `${ids.seriesUid}9`, sopUid: `${ids.seriesUid}9.1` };
    const instance = synthInstance({ ...big, frames: 12, rows: 512, columns: 512, patientName: 'Li^Lei=李^雷' });
    await client().storeInstances({ datasets: [instance.buffer.slice(instance.byteOffset, instance.byteOffset + instance.length)] });
    const frame = (n: number) => client().retrieveInstanceFrames({ studyInstanceUID: big.studyUid, seriesInstanceUID: big.seriesUid, sopInstanceUID: big.sopUid, frameNumbers: String(n) });
    // A client that reads slowly: its 8 MiB frame outgrows the socket buffers and stays queued in the
    // server while other frames of the instance are read (into reused buffers) and sent.
    const huge = { studyUid: ids.studyUid, seriesUid: `${ids.seriesUid}8`, sopUid: `${ids.seriesUid}8.1` };
    const hugeInstance = synthInstance({ ...huge, frames: 3, rows: 2048, columns: 2048 });
    await client().storeInstances({ datasets: [hugeInstance.buffer.slice(hugeInstance.byteOffset, hugeInstance.byteOffset + hugeInstance.length)] });
    const hugeFrame = (n: number) => client().retrieveInstanceFrames({ studyInstanceUID: huge.studyUid, seriesInstanceUID: huge.seriesUid, sopInstanceUID: huge.sopUid, frameNumbers: String(n) });
    const heads: http.IncomingHttpHeaders[] = [];
    const slow = await new Promise<Buffer>((resolve, reject) => {
      const req = http.get(`${server.url}/dicomweb/studies/${huge.studyUid}/series/${huge.seriesUid}/instances/${huge.sopUid}/frames/1`, { headers: { accept: 'multipart/related; type="application/octet-stream"' } }, (res) => {
        heads.push(res.headers);
        res.pause();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
        void Promise.all([2, 3, 2].map(hugeFrame)).then(() => res.resume(), reject);
      });
      req.on('error', reject);
    });
    // The reply's length is known before it is sent: no chunked framing, and the boundary closes it.
    expect(Number(heads[0]?.['content-length'])).toBe(slow.length);
    const boundary = /boundary=([^;]+)/.exec(heads[0]?.['content-type'] ?? '')?.[1];
    expect(slow.subarray(slow.length - (boundary?.length ?? 0) - 6).toString()).toBe(`--${boundary}--\r\n`);
    const start = slow.indexOf('\r\n\r\n') + 4;
    const first = new Uint16Array(slow.buffer.slice(slow.byteOffset + start, slow.byteOffset + start + 2048 * 2048 * 2));
    expect(first.every((v, k) => v === k % 65536)).toBe(true);
    for (let pass = 0; pass < 3; pass++) {
      const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => frame(i + 1)));
      replies.forEach(([data], i) => {
        const pixels = new Uint16Array((data as ArrayBuffer).slice(0));
        expect([pixels.length, pixels[0]]).toEqual([262144, (i * 1000) % 65536]);
        expect(pixels.every((v, k) => v === (i * 1000 + k) % 65536)).toBe(true);
      });
    }
  });

  it('serves series metadata of every instance, in instance order', async () => {
    const metadata = await client().retrieveSeriesMetadata({ studyInstanceUID: ids.studyUid, seriesInstanceUID: `${ids.seriesUid}0` });
    expect(metadata.map((m: Json) => values(m, '00200013')[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(values(metadata[0], '00100010')).toEqual([{ Alphabetic: 'Li^Lei', Ideographic: '李^雷' }]);
  });

  it('keeps study counters exact when requests store into one study at the same time', async () => {
    const study = '1.2.826.0.1.3680043.9.7433.3.1';
    const requests = Array.from({ length: 8 }, (_, i) => {
      const b = synthInstance({ studyUid: study, seriesUid: `${study}.${(i % 3) + 1}`, sopUid: `${study}.${(i % 3) + 1}.${i + 1}`, instanceNumber: i + 1, modality: i % 2 ? 'CT' : 'PT' });
      return client().storeInstances({ datasets: [b.buffer.slice(b.byteOffset, b.byteOffset + b.length)] });
    });
    await Promise.all(requests);
    const [found] = await client().searchForStudies({ queryParams: { StudyInstanceUID: study } });
    expect([values(found, '00201206')[0], values(found, '00201208')[0], [...values(found, '00080061')].sort()]).toEqual([3, 8, ['CT', 'PT']]);
    const imaging = await call(server.base, 'GET', `ImagingStudy?identifier=urn:dicom:uid|urn:oid:${study}`);
    expect(imaging.body.entry[0].resource).toMatchObject({ numberOfSeries: 3, numberOfInstances: 8 });
  });

  it('renders a frame with the requested window as PNG, and a JPEG thumbnail', async () => {
    const base = `${server.url}/dicomweb/studies/${ids.studyUid}/series/${ids.seriesUid}/instances/${ids.sopUid}`;
    // Frame 3 holds 2000…2255: a window of 2000–2255 maps pixel i to grey i.
    const png = await fetch(`${base}/frames/3/rendered?window=2127.5,255,linear-exact`, { headers: { accept: 'image/png' } });
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([16, 16]);
    const { inflateSync } = await import('node:zlib');
    const idatLength = bytes.readUInt32BE(33);
    const raw = inflateSync(bytes.subarray(41, 41 + idatLength));
    // Row 1 (after its filter byte) holds pixels 16…31.
    expect([...raw.subarray(17 + 1, 17 + 4)]).toEqual([16, 17, 18]);
    const thumb = await fetch(`${server.url}/dicomweb/studies/${ids.studyUid}/thumbnail`, { headers: { accept: 'image/jpeg' } });
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await thumb.arrayBuffer()).readUInt16BE(0)).toBe(0xffd8);
    const bad = await call(server.url, 'GET', `dicomweb/studies/${ids.studyUid}/series/${ids.seriesUid}/instances/${ids.sopUid}/rendered?window=abc`);
    expect(bad.status).toBe(400);
  });
});

/** Debian's python3-pydicom test files (installed by .ci/run): every transfer syntax, broken files among them. */
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

(existsSync(PYDICOM) ? describe : describe.skip)('DICOMweb with the pydicom transfer-syntax matrix (postgres)', () => {
  const server = useTestServer('postgres');

  it('stores what is readable, fails the rest one by one, and serves native frames little endian', async () => {
    const names = (await readdir(PYDICOM)).filter((f) => f.endsWith('.dcm')).sort();
    const datasets = await Promise.all(names.map(async (n) => {
      const b = await readFile(path.join(PYDICOM, n));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    }));
    const c = dicomwebClient(`${server.url}/dicomweb`);
    // The MR_small variants (big endian, implicit VR, RLE, JPEG 2000 …) share one SOP Instance UID, and
    // parts of one request are indexed concurrently: the big-endian one goes first, alone, so it is
    // the one stored, whose frames the checks below read.
    const first = names.indexOf('MR_small_bigendian.dcm');
    await c.storeInstances({ datasets: [datasets[first] as ArrayBuffer] });
    const reply = await c.storeInstances({ datasets: datasets.filter((_, i) => i !== first) });
    const response = JSON.parse(Buffer.from(reply as ArrayBuffer).toString());
    // … plus the big-endian one stored first.
    const storedCount = (values(response, '00081199') as Json[]).length + 1;
    const failed = values(response, '00081198') as Json[];
    // Several files share a SOP Instance UID with different content: those are refused as conflicting duplicates.
    expect(storedCount + failed.length).toBe(names.length);
    expect(new Set(failed.map((f) => values(f, '00081197')[0]))).toEqual(new Set([0xc000, 0x0111]));
    expect(storedCount).toBeGreaterThan(25);

    for (const [name, ts] of [['MR_small_bigendian.dcm', 'big endian'], ['MR_small_implicit.dcm', 'implicit VR'], ['MR_small.dcm', 'explicit VR']] as const) {
      const whole = dicomParser.parseDicom(await readFile(path.join(PYDICOM, name)));
      const instance = await c.searchForInstances({ queryParams: { SOPInstanceUID: whole.string('x00080018') } });
      expect([name, ts, instance.length]).toEqual([name, ts, 1]);
      const uids = { studyInstanceUID: whole.string('x0020000d'), seriesInstanceUID: whole.string('x0020000e'), sopInstanceUID: whole.string('x00080018') };
      const [frame] = await c.retrieveInstanceFrames({ ...uids, frameNumbers: '1' });
      const pixels = new Uint16Array(frame.slice(0));
      // dicom-parser reads the values in the file's own byte order; the frame must carry them little endian.
      expect([name, pixels[0], pixels[4095]]).toEqual([name, whole.uint16('x7fe00010', 0), whole.uint16('x7fe00010', 4095)]);
    }
  });
});
