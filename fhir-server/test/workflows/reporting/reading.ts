/**
 * The remote-reading fixture: the clinic's PACS (a real DCMTK storescp), imaging studies of the
 * clinic's orders, and reports signed by the county radiologist as the viewer signs them.
 */
import type { Bundle, DiagnosticReport, Organization, Task } from '@medplum/fhirtypes';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import type { AuthTestServer } from '../../support/auth.js';
import { call } from '../../support/http.js';
import { CLINIC, PATIENT, put, type Sites } from '../critical-values/sites.js';
export { freePort } from '../../../src/testing/throwaway-postgres.js';

export const run = promisify(execFile);
export const HOUR = 3600_000;
export const FINDINGS = '右肺上叶见约8mm磨玻璃结节，边界清楚。';
export const IMPRESSION = '右肺上叶磨玻璃结节，建议三个月后复查CT。';
const WORKFLOW = 'https://qiao.health/fhir/CodeSystem/report-workflow';


/** The clinic's PACS: storescp into `dir`, answering once it accepts associations. */
export async function storescp(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('storescp', ['-aet', 'CLINICPACS', '-od', dir, String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await run('echoscu', ['-aec', 'CLINICPACS', '127.0.0.1', String(port)]).then(() => true, () => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('storescp did not start');
}

export const stopped = (child: ChildProcess): Promise<void> => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill())));

/** The clinic's PACS as data: an Endpoint of the organisation (DIMSE, AE@host:port). */
export async function registerClinicPacs(server: AuthTestServer, sites: Sites, port: number): Promise<void> {
  await put(server, sites.setup, {
    resourceType: 'Endpoint',
    id: 'clinic-pacs',
    status: 'active',
    connectionType: { system: 'https://qiao.health/fhir/CodeSystem/endpoint-connection-type', code: 'dicom-dimse' },
    name: '城关镇卫生院 PACS',
    managingOrganization: { reference: CLINIC },
    payloadType: [{ text: 'DICOM Basic Text SR' }],
    address: `dicom://CLINICPACS@127.0.0.1:${port}`,
  });
  const clinic = (await call(server.base, 'GET', CLINIC, undefined, sites.setup)).body as Organization;
  await put(server, sites.setup, { ...clinic, id: 'township-clinic', endpoint: [{ reference: 'Endpoint/clinic-pacs' }] });
}

/** An imaging study of an order, started `hoursAgo`; its UID ends in the digits of `id`. */
export async function study(server: AuthTestServer, sites: Sites, id: string, hoursAgo: number, serviceRequest: string): Promise<string> {
  await put(server, sites.setup, {
    resourceType: 'ImagingStudy',
    id,
    status: 'available',
    identifier: [
      { system: 'urn:dicom:uid', value: `urn:oid:1.2.826.0.1.3680043.8.498.${id.replace(/\D/g, '')}` },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] }, value: `ACC-${id}` },
    ],
    modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
    subject: { reference: PATIENT },
    basedOn: [{ reference: serviceRequest }],
    started: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
    description: '胸部CT平扫',
  });
  return `ImagingStudy/${id}`;
}

/** Signs a report on the study as the viewer does: saved preliminary, then PUT final (with the 危急值 box: conclusionCode AA). */
export async function sign(server: AuthTestServer, sites: Sites, studyRef: string, serviceRequest: string, critical = false): Promise<DiagnosticReport> {
  const reader = sites.tokens['county-reader'];
  const draft = {
    resourceType: 'DiagnosticReport',
    status: 'preliminary',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '18747-6', display: 'CT Study report' }], text: '胸部CT平扫' },
    subject: { reference: PATIENT },
    basedOn: [{ reference: serviceRequest }],
    imagingStudy: [{ reference: studyRef }],
    issued: new Date().toISOString(),
    presentedForm: [{ contentType: 'text/plain; charset=utf-8', language: 'zh-CN', title: '检查所见 | Findings', data: Buffer.from(FINDINGS).toString('base64') }],
    conclusion: IMPRESSION,
    ...(critical ? { conclusionCode: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'AA', display: 'Critical abnormal' }], text: '危急值 | Critical finding' }] } : {}),
  };
  const saved = await call(server.base, 'POST', 'DiagnosticReport', draft, reader);
  if (saved.status !== 201) throw new Error(`saving the report: ${saved.status} ${saved.text}`);
  const final = await call(server.base, 'PUT', `DiagnosticReport/${saved.body.id as string}`, { ...saved.body, status: 'final', issued: new Date().toISOString() }, reader);
  if (final.status !== 200) throw new Error(`signing the report: ${final.status} ${final.text}`);
  return final.body as DiagnosticReport;
}

/** The delivery Task of a report. */
export async function deliveryOf(server: AuthTestServer, sites: Sites, report: DiagnosticReport): Promise<Task | undefined> {
  const reply = await call(server.base, 'GET', `Task?focus=DiagnosticReport/${report.id as string}&code=${encodeURIComponent(`${WORKFLOW}|report-delivery`)}`, undefined, sites.tokens['county-reader']);
  return (reply.body as Bundle<Task>).entry?.[0]?.resource;
}
