import { jest } from '@jest/globals';
import { syntheticSeries } from '@qiao/dicom-gateway';
import { Client } from 'fhir-kit-client';
import type { Browser, Page } from 'playwright-core';
import { ensureViewerBuilt, launchChromium } from '../../src/bench/viewer/browser.js';
import { stow, waitForImagingStudy } from '../../src/bench/viewer/dataset.js';
import { useTestServer } from '../support/test-server.js';
import { describeInChromium } from '../support/chromium.js';

// One viewer build (when stale), one server, one browser for the file.
jest.setTimeout(120_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const RESIDENT_ID = 'urn:oid:2.16.156.10011.1.3';
const PATIENT_ID = '360121196503120018';
const ACCESSION = 'E2E-RPT-0001';
const STUDY_UID = '2.25.7001';
const CN_IMAGING_REPORT = 'https://qiao.health/fhir/StructureDefinition/cn-diagnostic-report-imaging';
const FINDINGS = '右肺上叶见一约 8mm 结节，边缘光整。\n纵隔居中。';
const IMPRESSION = '右肺上叶小结节，建议 3 个月后复查。';

const decode = (data: string) => Buffer.from(data, 'base64').toString('utf8');

describeInChromium('the report panel of the study view', () => {
  const server = useTestServer('postgres');
  let client: Client;
  let browser: Browser;
  let page: Page;
  let patient: Json;
  let order: Json;
  let study: Json;

  const message = () => page.getByTestId('report-message').innerText();
  const reportsOfStudy = async () => {
    const bundle = (await client.search({ resourceType: 'DiagnosticReport', searchParams: { 'based-on': `ServiceRequest/${order.id}` } })) as Json;
    return (bundle.entry ?? []).map((e: Json) => e.resource);
  };

  beforeAll(async () => {
    await ensureViewerBuilt();
    client = new Client({ baseUrl: server.base });
    const create = (resource: Json): Promise<Json> => client.create({ resourceType: resource.resourceType, body: resource });
    patient = await create({
      resourceType: 'Patient',
      identifier: [{ system: RESIDENT_ID, value: PATIENT_ID }],
      name: [{ text: '李雷', family: '李', given: ['雷'] }],
      gender: 'male',
      birthDate: '1965-03-12',
    });
    order = await create({
      resourceType: 'ServiceRequest',
      identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] }, value: ACCESSION }],
      status: 'active',
      intent: 'order',
      code: { text: '胸部CT平扫' },
      subject: { reference: `Patient/${patient.id}` },
    });
    // A signed report of an earlier visit: the panel lists it as a prior.
    await create({
      resourceType: 'DiagnosticReport',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
      code: { text: '胸部X线（既往）' },
      subject: { reference: `Patient/${patient.id}` },
      issued: '2025-01-10T10:00:00+08:00',
      conclusion: '既往胸片未见异常。',
    });
    const slices = [
      ...syntheticSeries({
        modality: 'CT',
        studyInstanceUid: STUDY_UID,
        seriesInstanceUid: `${STUDY_UID}.1`,
        sopInstanceUid: (i) => `${STUDY_UID}.1.${i + 1}`,
        slices: 4,
        rows: 64,
        columns: 64,
        attributes: { PatientName: '李^雷', PatientID: PATIENT_ID, IssuerOfPatientID: '2.16.156.10011.1.3', AccessionNumber: ACCESSION, StudyDate: '20261205', StudyTime: '093000', StudyDescription: '胸部CT平扫' },
      }),
    ].map((s) => s.data);
    await stow(server.url, slices);
    await waitForImagingStudy(server.base, STUDY_UID);
    const found = (await client.search({ resourceType: 'ImagingStudy', searchParams: { identifier: `urn:dicom:uid|urn:oid:${STUDY_UID}` } })) as Json;
    study = found.entry[0].resource;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('opens with the study linked to the patient and the order, and lists the prior report', async () => {
    expect(study.subject.reference).toBe(`Patient/${patient.id}`);
    expect(study.basedOn).toEqual([{ reference: `ServiceRequest/${order.id}` }]);
    await page.goto(`${server.url}/viewer/?study=${STUDY_UID}`);
    await page.locator('[data-testid="report-panel"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('report-priors').innerText()).resolves.toContain('既往胸片未见异常。');
    await expect(page.locator('.report label').first().innerText()).resolves.toContain('检查所见');
  });

  it('saves a preliminary report, keeps a colleague\'s change, then signs the same report as final with one click', async () => {
    await page.getByTestId('report-findings').fill(FINDINGS);
    await page.getByTestId('report-impression').fill('右肺上叶小结节。');
    await page.getByTestId('report-save').click();
    await page.getByTestId('report-message').filter({ hasText: '已保存为初步报告' }).waitFor();
    const [preliminary] = await reportsOfStudy();
    expect(preliminary.status).toBe('preliminary');
    expect(preliminary.meta.versionId).toBe('1');

    // A colleague edits the draft meanwhile: saving the older copy is refused (If-Match), not written over it.
    await client.update({ resourceType: 'DiagnosticReport', id: preliminary.id, body: { ...preliminary, conclusion: '右肺上叶结节（同事修改）。' } });
    await page.getByTestId('report-impression').fill('我的修改');
    await page.getByTestId('report-save').click();
    await page.getByTestId('report-message').filter({ hasText: '报告已被他人修改，请刷新后再试' }).waitFor();
    const [kept] = await reportsOfStudy();
    expect(kept.meta.versionId).toBe('2');
    expect(kept.conclusion).toBe('右肺上叶结节（同事修改）。');

    await page.reload();
    await page.locator('[data-testid="report-panel"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('report-impression').inputValue()).resolves.toBe('右肺上叶结节（同事修改）。');
    await expect(page.getByTestId('report-findings').inputValue()).resolves.toBe(FINDINGS);
    await page.getByTestId('report-impression').fill(IMPRESSION);
    await page.getByTestId('report-critical').check();
    await page.getByTestId('report-sign').click();
    await page.getByTestId('report-message').filter({ hasText: '报告已签发' }).waitFor();

    const reports = await reportsOfStudy();
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report.id).toBe(preliminary.id);
    expect(report.meta.versionId).toBe('3');
    expect(report.status).toBe('final');
    expect(report.meta.profile).toEqual([CN_IMAGING_REPORT]);
    expect(report.category[0].coding).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ system: 'http://loinc.org', code: 'LP29684-5' }),
        expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }),
      ]),
    );
    expect(report.code.coding[0]).toEqual(expect.objectContaining({ system: 'http://loinc.org', code: '18747-6' }));
    expect(report.subject.reference).toBe(`Patient/${patient.id}`);
    expect(report.imagingStudy).toEqual([{ reference: `ImagingStudy/${study.id}` }]);
    expect(report.basedOn).toEqual([{ reference: `ServiceRequest/${order.id}` }]);
    expect(report.conclusion).toBe(IMPRESSION);
    expect(decode(report.presentedForm[0].data)).toBe(FINDINGS);
    expect(report.conclusionCode[0].coding[0]).toEqual(expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'AA' }));
    // Critical reports are found by the conclusion search parameter.
    const critical = (await client.search({ resourceType: 'DiagnosticReport', searchParams: { conclusion: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation|AA' } })) as Json;
    expect(critical.entry.map((e: Json) => e.resource.id)).toEqual([report.id]);
  });

  it('refuses politely to sign or change a signed report', async () => {
    await expect(page.getByTestId('report-findings').getAttribute('readonly')).resolves.not.toBeNull();
    await page.getByTestId('report-sign').click();
    await expect(message()).resolves.toBe('该报告已签发，不能再次修改或签发');
    const [report] = await reportsOfStudy();
    expect(report.meta.versionId).toBe('3');
  });

  it('shows the signed report read-only, in English when asked', async () => {
    await page.goto(`${server.url}/viewer/?study=${STUDY_UID}&lang=en`);
    await page.locator('[data-testid="report-panel"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('report-findings').inputValue()).resolves.toBe(FINDINGS);
    await expect(page.getByTestId('report-impression').inputValue()).resolves.toBe(IMPRESSION);
    await expect(page.getByTestId('report-status').innerText()).resolves.toBe('final');
    await expect(page.getByTestId('report-critical').isChecked()).resolves.toBe(true);
    await page.getByTestId('report-save').click();
    await expect(message()).resolves.toBe('This report is already signed and cannot be changed or signed again');
  });
});
