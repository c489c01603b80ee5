import { jest } from '@jest/globals';
import { syntheticSeries } from '@qiao/dicom-gateway';
import type { Browser, Page } from 'playwright-core';
import { ensureDemoAccounts } from '../../src/auth/demo-accounts.js';
import { ensureViewerBuilt, launchChromium } from '../../src/bench/viewer/browser.js';
import { stow } from '../../src/bench/viewer/dataset.js';
import { backendToken, bearer, TEST_PASSWORD, useAuthServer } from '../support/auth.js';
import { call } from '../support/http.js';
import { describeInChromium } from '../support/chromium.js';

// One viewer build (when stale), one auth-on server, one browser for the file.
jest.setTimeout(120_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const STUDY_UID = '2.25.7002';

describeInChromium('the viewer as a SMART app (QIAO_AUTH=on)', () => {
  const server = useAuthServer('postgres');
  let browser: Browser;
  let page: Page;
  let system: Record<string, string>;
  let study: Json;

  /** Log in and allow, as the radiologist would, when the authorisation server asks. */
  const logInAndAllow = async (p: Page) => {
    await p.waitForURL(/\/auth\/(login|consent)/);
    if (p.url().includes('/auth/login')) {
      await p.locator('#username').fill('radiologist');
      await p.locator('#password').fill(TEST_PASSWORD);
      await p.locator('#login').click();
      await p.waitForURL(/\/auth\/consent|\/viewer\//);
    }
    if (p.url().includes('/auth/consent')) await p.locator('#allow').click();
  };

  beforeAll(async () => {
    await ensureViewerBuilt();
    // The viewer's client is registered the way `npm start` registers it.
    await ensureDemoAccounts(server);
    system = bearer((await backendToken(server, { scopes: 'system/*.cruds' })).accessToken);
    const slices = [
      ...syntheticSeries({
        modality: 'CT',
        studyInstanceUid: STUDY_UID,
        seriesInstanceUid: `${STUDY_UID}.1`,
        sopInstanceUid: (i) => `${STUDY_UID}.1.${i + 1}`,
        slices: 3,
        rows: 64,
        columns: 64,
        attributes: { PatientName: 'Han^Meimei=韩^梅梅', PatientID: 'LAUNCH-1', StudyDate: '20261205', StudyTime: '100000', StudyDescription: '头颅CT平扫' },
      }),
    ].map((s) => s.data);
    await stow(server.url, slices, system);
    for (let tries = 0; !study && tries < 100; tries++) {
      const found = await call(server.base, 'GET', `ImagingStudy?identifier=urn:dicom:uid|urn:oid:${STUDY_UID}`, undefined, system);
      study = found.body.entry?.[0]?.resource;
      if (!study) await new Promise((r) => setTimeout(r, 200));
    }
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('refuses the viewer anonymous access to FHIR', async () => {
    expect((await fetch(`${server.base}/ImagingStudy`)).status).toBe(401);
  });

  it('starts a standalone launch at /viewer/, logs in through the login page and shows the worklist', async () => {
    await page.goto(`${server.url}/viewer/`);
    // The viewer sent the browser to the authorisation server, which asks for a login.
    await page.waitForURL(/\/auth\/login/);
    await logInAndAllow(page);
    const row = page.locator(`[data-testid="worklist-row"][data-study="${STUDY_UID}"]`);
    await row.waitFor({ timeout: 60_000 });
    await expect(row.innerText()).resolves.toContain('韩梅梅');
    // The code and state are gone from the address bar once exchanged.
    expect(new URL(page.url()).search).toBe('');
  });

  it('signs a report naming the logged-in radiologist as the reading physician', async () => {
    await page.goto(`${server.url}/viewer/?study=${STUDY_UID}`);
    await page.locator('[data-testid="report-panel"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('report-findings').fill('颅内未见异常密度影。');
    await page.getByTestId('report-impression').fill('头颅CT平扫未见异常。');
    await page.getByTestId('report-sign').click();
    await page.getByTestId('report-message').filter({ hasText: '报告已签发' }).waitFor();
    const reports = await call(server.base, 'GET', `DiagnosticReport?subject=${study.subject.reference}`, undefined, system);
    const [report] = reports.body.entry.map((e: Json) => e.resource);
    expect(report.status).toBe('final');
    const practitioner = await call(server.base, 'GET', report.resultsInterpreter[0].reference, undefined, system);
    expect(practitioner.body.identifier[0].value).toBe('radiologist');
  });

  it('opens the study in context on an EHR launch', async () => {
    const launch = await fetch(`${server.url}/auth/launch`, {
      method: 'POST',
      headers: { ...system, 'content-type': 'application/json' },
      body: JSON.stringify({ patient: study.subject.reference.split('/')[1], fhirContext: [{ reference: `ImagingStudy/${study.id}` }] }),
    });
    expect(launch.status).toBe(201);
    const { launch: id } = (await launch.json()) as { launch: string };
    const ehr = await page.context().newPage();
    await ehr.goto(`${server.url}/viewer/?iss=${encodeURIComponent(server.base)}&launch=${id}`);
    await logInAndAllow(ehr);
    await ehr.waitForURL((url) => url.searchParams.get('study') === STUDY_UID, { timeout: 60_000 });
    await ehr.locator('[data-testid="report-panel"][data-ready="true"]').waitFor({ timeout: 60_000 });
    await ehr.close();
  });

  it('lets the radiologist pick a patient in a standalone launch and shows their studies', async () => {
    const picker = await page.context().newPage();
    await picker.goto(`${server.url}/viewer/?pickPatient=1`);
    await picker.waitForURL(/\/auth\/consent/);
    await picker.locator(`[data-patient-id="${study.subject.reference.split('/')[1]}"]`).click();
    await picker.waitForURL((url) => url.searchParams.get('patientId') === 'LAUNCH-1', { timeout: 60_000 });
    await picker.locator(`[data-testid="worklist-row"][data-study="${STUDY_UID}"]`).waitFor({ timeout: 60_000 });
    await picker.close();
  });

  it('refuses a launch from an issuer other than its own server', async () => {
    const other = await page.context().newPage();
    await other.goto(`${server.url}/viewer/?iss=${encodeURIComponent('https://evil.example/fhir')}&launch=x`);
    await other.locator('.status.error').waitFor();
    await expect(other.locator('.status.error').innerText()).resolves.toContain('不受信任的 iss');
    await other.close();
  });
});
