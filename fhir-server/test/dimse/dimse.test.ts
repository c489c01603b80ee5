/**
 * DIMSE against the running server with DCMTK's clients: a CT series and the Chinese-named samples
 * sent with storescu land in the store, findscu finds them at every level of both query models
 * with their names in the right groups, movescu moves the series to storescp, getscu gets it, and the Modality
 * Worklist answers from FHIR ServiceRequests.
 */
import { jest } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { call } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { freePort } from '../../src/testing/throwaway-postgres.js';

// DCMTK's tools start a process each: the suite-wide 5 s default is too short on a busy machine.

const run = promisify(execFile);
const DATA = new URL('../../../dicom-gateway/test/data/', import.meta.url).pathname;
const env = { ...process.env, TCP_NODELAY: '1' };
const uid = (): string => `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString()}`;


/** One response identifier per `# Dicom-Data-Set` block that findscu prints (-v), as tag → value (padding removed; sequence items flattened). */
function findResponses(output: string): Record<string, string>[] {
  return output
    .split(/I: Find Response: \d+ \(Pending\)/)
    .slice(1)
    .map((block) => {
      const values: Record<string, string> = {};
      for (const m of block.matchAll(/^I:\s+\(([0-9a-f]{4},[0-9a-f]{4})\) \w\w (?:\[(.*?)\]|\(no value available\))/gm)) values[m[1] as string] = (m[2] ?? '').replace(/[\s\0]+$/, '');
      return values;
    });
}

/**
 * A data set as DCMTK reads it, without what a transfer may legitimately change: the File Meta
 * Information, trailing padding, and how sequences are delimited.
 */
async function dataSet(file: string): Promise<string> {
  const { stdout } = await run('dcmdump', ['+L', '+U8', file], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((line) => !/^\((0002|fffc),/.test(line) && !/Delimitation|^#|^$/.test(line))
    .map((line) => line.replace(/\((Sequence|Item) with [^)]*\)/, '').replace(/\s+#.*$/, ''))
    .join('\n');
}

/** The Pixel Data line of a `dataSet` dump (all values, `+L`). */
const pixelData = (dump: string): string => dump.split('\n').find((line) => line.startsWith('(7fe0,0010)')) ?? '';

describe('DIMSE with dcmtk (storescu, findscu, movescu, getscu, echoscu, storescp)', () => {
  let server: TestServer;
  let port: number;
  let dir: string;
  let moved: string;
  let storescp: ChildProcess;
  const study = uid();
  const series = uid();
  const SERIES_SIZE = 5;

  const findscu = async (model: '-S' | '-P' | '-W', keys: string[]): Promise<Record<string, string>[]> => {
    const args = ['-v', model, '-aet', 'FINDSCU', '-aec', 'QIAO', ...keys.flatMap((k) => ['-k', k]), '127.0.0.1', String(port)];
    const { stdout, stderr } = await run('findscu', args, { env });
    return findResponses(`${stdout}${stderr}`);
  };

  beforeAll(async () => {
    port = await freePort();
    // DCMTK's storescp stands for a clinic PACS: the C-MOVE destination.
    moved = mkdtempSync(join(tmpdir(), 'qiao-dimse-moved-'));
    const destination = await freePort();
    storescp = spawn('storescp', ['-aet', 'MOVEDEST', '-od', moved, String(destination)], { env, stdio: 'ignore' });
    server = await startTestServer('postgres', { dimsePort: port, dimsePeers: [{ aeTitle: 'MOVEDEST', host: '127.0.0.1', port: destination }] });
    dir = mkdtempSync(join(tmpdir(), 'qiao-dimse-series-'));
    for (let i = 1; i <= SERIES_SIZE; i++) {
      const file = join(dir, `ct${i}.dcm`);
      copyFileSync(join(DATA, 'CT_small.dcm'), file);
      await run('dcmodify', [
        '-nb',
        '-i', '(0008,0005)=ISO_IR 192',
        '-m', '(0010,0010)=Zhang^San=张^三',
        '-m', '(0010,0020)=DIMSE-001',
        '-m', `(0020,000d)=${study}`,
        '-m', `(0020,000e)=${series}`,
        '-m', `(0008,0018)=${uid()}`,
        '-m', `(0020,0013)=${i}`,
        file,
      ]);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    storescp?.kill();
    rmSync(dir, { recursive: true, force: true });
    rmSync(moved, { recursive: true, force: true });
  }, 30_000);

  it('C-ECHO', async () => {
    const { stderr } = await run('echoscu', ['-v', '-aec', 'QIAO', '127.0.0.1', String(port)], { env });
    expect(stderr).toMatch(/Received Echo Response \(Success\)/);
  });

  it('C-STORE: a CT series and instances in ISO_IR 192 and GB18030', async () => {
    const files = [...readdirSync(dir).map((f) => join(dir, f)), join(DATA, 'chrX1_ISO_IR_192_chinese_name.dcm'), join(DATA, 'chrX2_GB18030_chinese_name.dcm')];
    const { stderr } = await run('storescu', ['-v', '-aet', 'MODALITY', '-aec', 'QIAO', '127.0.0.1', String(port), ...files], { env });
    expect(stderr.match(/Received Store Response \(Success\)/g)).toHaveLength(files.length);
  });

  it('C-FIND study root, STUDY level: the series’ study with its Chinese name and counts', async () => {
    const [answer, ...rest] = await findscu('-S', ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${study}`, 'PatientName', 'PatientID', 'NumberOfStudyRelatedInstances', 'ModalitiesInStudy']);
    expect(rest).toHaveLength(0);
    expect(answer?.['0010,0010']).toBe('Zhang^San=张^三');
    expect(answer?.['0010,0020']).toBe('DIMSE-001');
    expect(answer?.['0020,1208']).toBe(String(SERIES_SIZE));
    expect(answer?.['0008,0061']).toBe('CT');
    expect(answer?.['0008,0005']).toBe('ISO_IR 192');
  });

  it('C-FIND matches a Chinese name with a wildcard, whichever character set the instance was in', async () => {
    const answers = await findscu('-S', ['SpecificCharacterSet=ISO_IR 192', 'QueryRetrieveLevel=STUDY', 'PatientName=王*', 'StudyInstanceUID']);
    expect(answers).toHaveLength(2);
    const names = await findscu('-S', ['QueryRetrieveLevel=STUDY', 'PatientName=Wang^XiaoDong']);
    expect(names.map((a) => a['0010,0010']).sort()).toEqual(['Wang^XiaoDong=王^小东', 'Wang^XiaoDong=王^小東']);
  });

  it('C-FIND SERIES and IMAGE levels', async () => {
    const seriesAnswers = await findscu('-S', ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${study}`, 'SeriesInstanceUID', 'Modality', 'NumberOfSeriesRelatedInstances']);
    expect(seriesAnswers).toEqual([expect.objectContaining({ '0020,000e': series, '0008,0060': 'CT', '0020,1209': String(SERIES_SIZE) })]);
    const images = await findscu('-S', ['QueryRetrieveLevel=IMAGE', `StudyInstanceUID=${study}`, `SeriesInstanceUID=${series}`, 'SOPInstanceUID', 'InstanceNumber']);
    expect(images.map((a) => a['0020,0013']).sort()).toEqual(['1', '2', '3', '4', '5']);
  });

  it('C-FIND patient root, PATIENT level: one answer per patient with its study count', async () => {
    const answers = await findscu('-P', ['QueryRetrieveLevel=PATIENT', 'PatientID=DIMSE-001', 'PatientName', 'NumberOfPatientRelatedStudies']);
    expect(answers).toEqual([expect.objectContaining({ '0010,0010': 'Zhang^San=张^三', '0020,1200': '1' })]);
  });

  it('C-MOVE a series to a configured peer (storescp), and refuses an unknown destination', async () => {
    const { stderr } = await run('movescu', ['-v', '-S', '-aet', 'VIEWER', '-aec', 'QIAO', '-aem', 'MOVEDEST', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${study}`, '-k', `SeriesInstanceUID=${series}`, '127.0.0.1', String(port)], { env });
    expect(stderr).toMatch(/Received Final Move Response \(Success\)/);
    const received = readdirSync(moved).map((f) => join(moved, f));
    expect(received).toHaveLength(SERIES_SIZE);
    // What arrives is what was stored, private elements included (CT_small carries GE's).
    const sent = (await Promise.all(readdirSync(dir).map((f) => dataSet(join(dir, f))))).sort();
    const arrived = (await Promise.all(received.map((f) => dataSet(f)))).sort();
    expect(arrived).toEqual(sent);
    expect(arrived[0]).toContain('GEMS_IDEN_01');
    expect(arrived[0]).toContain('Zhang^San=张^三');
    const unknown = await run('movescu', ['-v', '-S', '-aec', 'QIAO', '-aem', 'NOWHERE', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '127.0.0.1', String(port)], { env }).catch((e: { stderr: string }) => e);
    expect(unknown.stderr).toMatch(/Move Destination Unknown|MoveDestinationUnknown/i);
  });

  it('C-GET a series back on the same association (getscu), as stored', async () => {
    const into = mkdtempSync(join(tmpdir(), 'qiao-dimse-get-'));
    try {
      const { stderr } = await run('getscu', ['-v', '-S', '-aet', 'VIEWER', '-aec', 'QIAO', '-od', into, '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${study}`, '-k', `SeriesInstanceUID=${series}`, '127.0.0.1', String(port)], { env });
      expect(stderr).toMatch(/Received C-GET Response \(Success\)/);
      expect(stderr).toMatch(/Number of Completed Suboperations\s*: 5/);
      const got = (await Promise.all(readdirSync(into).map((f) => dataSet(join(into, f))))).sort();
      const sent = (await Promise.all(readdirSync(dir).map((f) => dataSet(join(dir, f))))).sort();
      expect(got).toEqual(sent);
    } finally {
      rmSync(into, { recursive: true, force: true });
    }
  });

  it('C-MOVE and C-GET send a JPEG-LS series decompressed to a peer that takes no compressed syntax (storescp, getscu defaults)', async () => {
    const compressed = mkdtempSync(join(tmpdir(), 'qiao-dimse-jls-'));
    const into = mkdtempSync(join(tmpdir(), 'qiao-dimse-get-jls-'));
    const jlsStudy = uid();
    const originals = new Map<string, string>();
    try {
      for (let i = 1; i <= 2; i++) {
        const sop = uid();
        const file = join(compressed, `ct${i}.dcm`);
        copyFileSync(join(DATA, 'CT_small.dcm'), file);
        await run('dcmodify', ['-nb', '-m', `(0020,000d)=${jlsStudy}`, '-m', `(0020,000e)=${uid()}`, '-m', `(0008,0018)=${sop}`, file]);
        originals.set(sop, pixelData(await dataSet(file)));
        await run('dcmcjpls', [file, `${file}.jls`]);
        expect((await run('dcmdump', ['+P', '0002,0010', `${file}.jls`])).stdout).toMatch(/JPEGLSLossless/);
      }
      const { stderr } = await run('storescu', ['-v', '-xt', '-aec', 'QIAO', '127.0.0.1', String(port), join(compressed, 'ct1.dcm.jls'), join(compressed, 'ct2.dcm.jls')], { env });
      expect(stderr.match(/Received Store Response \(Success\)/g)).toHaveLength(2);

      const move = await run('movescu', ['-v', '-S', '-aet', 'VIEWER', '-aec', 'QIAO', '-aem', 'MOVEDEST', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${jlsStudy}`, '127.0.0.1', String(port)], { env });
      expect(move.stderr).toMatch(/Received Final Move Response \(Success\)/);
      const get = await run('getscu', ['-v', '-S', '-aet', 'VIEWER', '-aec', 'QIAO', '-od', into, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${jlsStudy}`, '127.0.0.1', String(port)], { env });
      expect(get.stderr).toMatch(/Number of Completed Suboperations\s*: 2/);
      const movedHere = readdirSync(moved).map((f) => join(moved, f)).filter((f) => [...originals.keys()].some((sop) => f.endsWith(sop)));
      for (const file of [...movedHere, ...readdirSync(into).map((f) => join(into, f))]) {
        const dump = await dataSet(file);
        expect((await run('dcmdump', ['+P', '0002,0010', file])).stdout).toMatch(/LittleEndianExplicit/);
        const sop = /\(0008,0018\) UI \[([0-9.]+)\]/.exec(dump)?.[1] as string;
        expect([sop, pixelData(dump)]).toEqual([sop, originals.get(sop)]);
      }
      expect(movedHere).toHaveLength(2);
    } finally {
      rmSync(compressed, { recursive: true, force: true });
      rmSync(into, { recursive: true, force: true });
    }
  });

  it('C-FIND with a bad matching value is refused, not crashed on', async () => {
    const { stdout, stderr } = await run('findscu', ['-v', '-S', '-aec', 'QIAO', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyDate=2024-13', '127.0.0.1', String(port)], { env });
    expect(`${stdout}${stderr}`).toMatch(/Received Final Find Response \(Error: DataSetDoesNotMatchSOPClass\)/);
  });

  it('Modality Worklist: active imaging ServiceRequests, with their patients', async () => {
    const patient = await call(server.base, 'POST', 'Patient', {
      resourceType: 'Patient',
      identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:oid:2.16.840.1.113883.4.1', value: 'MWL-42' }],
      name: [{ family: '李', given: ['四'] }, { family: 'Li', given: ['Si'] }],
      gender: 'male',
      birthDate: '1980-02-03',
    });
    expect(patient.status).toBe(201);
    const order = (modality: string, status: string): unknown => ({
      resourceType: 'ServiceRequest',
      status,
      intent: 'order',
      identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] }, value: `ACC-${modality}-${status}` }],
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005' }] }],
      code: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: modality }], text: `${modality} 胸部平扫` },
      subject: { reference: `Patient/${patient.body.id}` },
      occurrenceDateTime: '2026-12-06T09:30:00+08:00',
    });
    for (const [modality, status] of [['CT', 'active'], ['MR', 'active'], ['CT', 'completed']] as const) {
      expect((await call(server.base, 'POST', 'ServiceRequest', order(modality, status))).status).toBe(201);
    }
    const answers = await findscu('-W', [
      'PatientName',
      'PatientID',
      'PatientBirthDate',
      'AccessionNumber',
      'StudyInstanceUID',
      'ScheduledProcedureStepSequence[0].Modality=CT',
      'ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CT01',
      'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261201-20261231',
      'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime',
    ]);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toEqual(
      expect.objectContaining({
        '0010,0010': 'Li^Si=李^四',
        '0010,0020': 'MWL-42',
        '0010,0030': '19800203',
        '0008,0050': 'ACC-CT-active',
        '0008,0060': 'CT',
        '0040,0002': '20261206',
        '0040,0003': '093000',
      }),
    );
    expect(answers[0]?.['0020,000d']).toMatch(/^2\.25\.\d+$/);
    expect(await findscu('-W', ['PatientName', 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20270101'])).toHaveLength(0);
  });
});
