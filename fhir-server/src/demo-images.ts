/**
 * Imaging studies for the demo patients, stored through the gateway's DicomStore exactly as a STOW-RS
 * would store them, so the ImagingStudies, Patient links and order links come from the real sync:
 * a generated 100-slice chest CT (with an imaging order from the patient's clinic), a generated head
 * MR, and public sample files (CT, MR, a JPEG 2000 CR; see dicom-gateway/test/data/PROVENANCE.md)
 * given to demo patients. Deterministic; skipped when the database holds any ImagingStudy already.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Bundle, BundleEntry, Patient, Resource } from '@medplum/fhirtypes';
import { rewritePart10, syntheticSeries, uidFromName } from '@qiao/dicom-gateway';
import { SYSTEM_PRINCIPAL } from './auth/principal.js';
import { dicomStore } from './edges/dicom.js';
import { handle } from './router/router.js';
import type { RunningServer } from './server.js';
import { demoDataset } from './seed/bundles.js';
import { providers, doctorReference } from './seed/reference.js';
import { ID } from './seed/systems.js';

/** The DICOM Patient ID of a demo patient is the resident ID, issued by the national OID (as the gateway matches it). */
const RESIDENT_ID_ISSUER = '2.16.156.10011.1.3';
const SAMPLES = path.join(path.dirname(createRequire(import.meta.url).resolve('@qiao/dicom-gateway')), '..', 'test', 'data');
const ACSN = 'http://terminology.hl7.org/CodeSystem/v2-0203';

interface DemoPatient {
  residentId: string;
  name: string;
  family: string;
  given: string;
  birthDate: string;
  gender: string;
  organization?: Patient['managingOrganization'];
}

/** The first `count` Patients of the demo dataset, in the order the dataset creates them. */
function demoPatients(count: number): DemoPatient[] {
  const out: DemoPatient[] = [];
  for (const bundle of demoDataset()) {
    const patient = bundle.entry?.[0]?.resource;
    if (patient?.resourceType !== 'Patient') continue;
    const residentId = patient.identifier?.find((i) => i.system === ID.residentId)?.value;
    const name = patient.name?.[0];
    if (!residentId || !name?.family) continue;
    out.push({
      residentId,
      name: name.text ?? `${name.family}${name.given?.[0] ?? ''}`,
      family: name.family,
      given: name.given?.[0] ?? '',
      birthDate: patient.birthDate ?? '',
      gender: patient.gender ?? 'unknown',
      organization: patient.managingOrganization,
    });
    if (out.length === count) break;
  }
  return out;
}

function patientAttributes(p: DemoPatient): Record<string, unknown> {
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    // The ideographic group (PS3.5 6.2.1.2): the overlay shows the name as written, family name first.
    PatientName: `=${p.family}^${p.given}`,
    PatientID: p.residentId,
    IssuerOfPatientID: RESIDENT_ID_ISSUER,
    PatientBirthDate: p.birthDate.replaceAll('-', ''),
    PatientSex: p.gender === 'male' ? 'M' : p.gender === 'female' ? 'F' : 'O',
  };
}

function studyAttributes(key: string, o: { accession: string; date: string; time: string; description: string; series: string }): Record<string, unknown> {
  return {
    StudyInstanceUID: uidFromName(`qiao-demo/${key}/study`),
    SeriesInstanceUID: uidFromName(`qiao-demo/${key}/series`),
    StudyID: key.slice(0, 16),
    AccessionNumber: o.accession,
    StudyDate: o.date,
    StudyTime: o.time,
    SeriesDate: o.date,
    SeriesTime: o.time,
    StudyDescription: o.description,
    SeriesDescription: o.series,
    ReferringPhysicianName: '',
    InstitutionName: '南昌县人民医院',
  };
}

/** The demo patients' imaging: stored, synced to FHIR, and counted in the log. */
export async function loadDemoImages(running: RunningServer): Promise<void> {
  const { ctx, logger } = running;
  if ((await ctx.repo.count(ctx.db, 'ImagingStudy')) > 0) return;
  const started = Date.now();
  const [chest, head, prior] = demoPatients(3);
  if (!chest || !head || !prior) return;
  const store = dicomStore(ctx, logger);
  const studies = new Set<string>();
  let instances = 0;
  const put = async (data: Buffer) => {
    const result = await store.storeInstance(data, { sync: 'defer' });
    if (result.status === 'failed') throw new Error(`demo image refused: ${result.reason?.en ?? result.failureReason}`);
    if (result.studyInstanceUID) studies.add(result.studyInstanceUID);
    instances++;
  };
  /** Stores a series while its next slice is drawn: the file and database work of one overlaps the drawing of the next. */
  const putAll = async (slices: Iterable<{ data: Buffer }>) => {
    let previous = Promise.resolve();
    for (const slice of slices) {
      await previous;
      previous = put(slice.data);
    }
    await previous;
  };

  // The order comes first, so the study is linked to it by its accession number when it is synced.
  await transaction(running, [imagingOrder(chest, 'DEMO-CT-0001', '胸部CT平扫 | CT chest without contrast')]);
  const ct = studyAttributes('ct-chest', { accession: 'DEMO-CT-0001', date: '20261205', time: '093000', description: '胸部CT平扫', series: '胸部 轴位 2.5mm' });
  await putAll(
    syntheticSeries({
      modality: 'CT',
      studyInstanceUid: ct.StudyInstanceUID as string,
      seriesInstanceUid: ct.SeriesInstanceUID as string,
      sopInstanceUid: (i) => uidFromName(`qiao-demo/ct-chest/${i}`),
      slices: 100,
      rows: 512,
      columns: 512,
      attributes: { ...patientAttributes(chest), ...ct, Manufacturer: 'Qiao phantom', BodyPartExamined: 'CHEST' },
    }),
  );

  const mr = studyAttributes('mr-head', { accession: 'DEMO-MR-0001', date: '20261205', time: '141000', description: '头颅MR平扫', series: 'T1 轴位' });
  await putAll(
    syntheticSeries({
      modality: 'MR',
      studyInstanceUid: mr.StudyInstanceUID as string,
      seriesInstanceUid: mr.SeriesInstanceUID as string,
      sopInstanceUid: (i) => uidFromName(`qiao-demo/mr-head/${i}`),
      slices: 20,
      rows: 256,
      columns: 256,
      attributes: { ...patientAttributes(head), ...mr, Manufacturer: 'Qiao phantom', BodyPartExamined: 'HEAD' },
    }),
  );

  // Public samples, each re-identified as a study of a demo patient (new UIDs, so they never clash with the originals).
  const samples = [
    { file: 'CT_small.dcm', patient: chest, key: 'sample-ct', accession: 'DEMO-CT-0000', date: '20250611', description: 'CT 胸部（既往）', series: 'CT 样例' },
    { file: 'MR_small.dcm', patient: prior, key: 'sample-mr', accession: 'DEMO-MR-0002', date: '20261120', description: 'MR 样例', series: 'MR 样例' },
    { file: 'RG3_J2KI_CR_jpeg2000.dcm', patient: prior, key: 'sample-cr', accession: 'DEMO-CR-0001', date: '20261203', description: '胸部正位片', series: 'CR JPEG 2000' },
  ];
  for (const s of samples) {
    const original = await readFile(path.join(SAMPLES, s.file)).catch(() => undefined);
    if (!original) {
      logger.log('warn', 'demo sample file missing', { file: s.file });
      continue;
    }
    await put(
      rewritePart10(original, {
        ...patientAttributes(s.patient),
        ...studyAttributes(s.key, { accession: s.accession, date: s.date, time: '100000', description: s.description, series: s.series }),
        SOPInstanceUID: uidFromName(`qiao-demo/${s.key}/instance`),
      }),
    );
  }

  await store.syncStudies(studies, `${ctx.config.baseUrl ?? running.url}/dicomweb`);
  await transaction(running, [priorReport(chest, uidFromName('qiao-demo/sample-ct/study'))]);
  logger.log('info', 'demo images loaded', { studies: studies.size, instances, ms: Date.now() - started });
}

async function transaction(running: RunningServer, entries: BundleEntry[]): Promise<void> {
  const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries };
  const reply = await handle(running.ctx, { method: 'POST', path: '', query: [], body: bundle as Resource, prefer: { return: 'minimal' }, baseUrl: `${running.url}/fhir`, principal: SYSTEM_PRINCIPAL });
  if (reply.status >= 300) throw new Error(`demo imaging transaction failed with ${reply.status}`);
}

function patientReference(p: DemoPatient): { reference: string; display: string } {
  return { reference: `Patient?identifier=${ID.residentId}|${p.residentId}`, display: p.name };
}

/** A CT order from the patient's own clinic to the county hospital (远程影像). */
function imagingOrder(p: DemoPatient, accession: string, text: string): BundleEntry {
  return {
    request: { method: 'POST', url: 'ServiceRequest', ifNoneExist: `identifier=${accession}` },
    resource: {
      resourceType: 'ServiceRequest',
      identifier: [{ type: { coding: [{ system: ACSN, code: 'ACSN' }] }, value: accession }],
      status: 'active',
      intent: 'order',
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' }], text: '影像检查' }],
      code: { coding: [{ system: 'http://loinc.org', code: '30745-4', display: 'CT Chest' }], text },
      subject: patientReference(p),
      authoredOn: '2026-12-05T08:40:00+08:00',
      ...(p.organization ? { requester: p.organization } : {}),
      reasonCode: [{ text: '咳嗽两周，排除肺部病变 | Cough for two weeks, exclude lung disease' }],
    },
  };
}

/** A signed report on the older sample CT, so the report panel has a prior to show. */
function priorReport(p: DemoPatient, studyUid: string): BundleEntry {
  const doctor = providers().find((o) => o.row.kind === 'hospital')?.doctors[0];
  return {
    request: { method: 'POST', url: 'DiagnosticReport', ifNoneExist: `identifier=urn:qiao:demo-report|sample-ct` },
    resource: {
      resourceType: 'DiagnosticReport',
      identifier: [{ system: 'urn:qiao:demo-report', value: 'sample-ct' }],
      status: 'final',
      category: [{ coding: [{ system: 'http://loinc.org', code: 'LP29684-5', display: 'Radiology' }, { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '18747-6', display: 'CT Study report' }], text: 'CT 胸部（既往）' },
      subject: patientReference(p),
      effectiveDateTime: '2025-06-11T10:00:00+08:00',
      issued: '2025-06-11T15:20:00+08:00',
      ...(doctor ? { resultsInterpreter: [doctorReference(doctor)] } : {}),
      imagingStudy: [{ reference: `ImagingStudy?identifier=urn:dicom:uid|urn:oid:${studyUid}` }],
      presentedForm: [{ contentType: 'text/plain; charset=utf-8', language: 'zh-CN', title: '检查所见', data: Buffer.from('双肺纹理清晰，未见明确结节及实变影。纵隔居中，心影不大。').toString('base64') }],
      conclusion: '胸部CT平扫未见明显异常。',
    },
  };
}
