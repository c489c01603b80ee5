import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { ensureViewerBuilt, launchChromium } from '../../src/bench/viewer/browser.js';
import { REVIEW_STATE_SYSTEM, TASK_CODE_SYSTEM } from '../../src/registries/cancer/tasks.js';
import { backendToken, bearer, TEST_PASSWORD, useAuthServer } from '../support/auth.js';
import { call } from '../support/http.js';
import { cancerCase, daysAgo, hospital, patient, TEST_ICDO3 } from '../registries/synthetic.js';
import { describeInChromium } from '../support/chromium.js';

// One viewer build (when stale), one auth-on server, one browser for the file.
jest.setTimeout(120_000);

describeInChromium('the registry web app as a SMART app (QIAO_AUTH=on, registry analyst)', () => {
  let browser: Browser;
  // Declared before the server's hooks, so the browser's connections are gone when the server closes.
  afterAll(async () => {
    await browser?.close();
  });
  const server = useAuthServer('postgres');
  let page: Page;
  let system: Record<string, string>;
  const cases: string[] = [];

  const reviewTask = async (condition: string) => {
    const found = await call(server.base, 'GET', `Task?focus=${condition}&code=${TASK_CODE_SYSTEM}|registry-review`, undefined, system);
    expect(found.body.entry).toHaveLength(1);
    return found.body.entry[0].resource;
  };

  beforeAll(async () => {
    await ensureViewerBuilt();
    system = bearer((await backendToken(server, { scopes: 'system/*.cruds' })).accessToken);
    expect((await call(server.base, 'PUT', 'Organization/hosp-a', { ...hospital(1), id: 'hosp-a' }, system)).status).toBe(201);
    expect((await call(server.base, 'POST', 'CodeSystem', TEST_ICDO3, system)).status).toBe(201);
    for (const [n, gender, birth, icd10, topography] of [[21, 'female', '1966-04-02', 'C50.900', 'C50.9'], [22, 'male', '1951-11-20', 'C18.700', 'C18.7']] as const) {
      const person = await call(server.base, 'POST', 'Patient', patient(n, gender, birth), system);
      expect(person.status).toBe(201);
      const submitted = await call(server.base, 'POST', 'Condition', cancerCase({ patient: `Patient/${person.body.id as string}`, reporter: 'Organization/hosp-a', icd10, topography, morphology: '8140/3', basis: '7', diagnosed: daysAgo(30), recorded: daysAgo(2) }), system);
      expect(submitted.status).toBe(201);
      cases.push(`Condition/${submitted.body.id as string}`);
    }
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 240_000);

  it('launches standalone at /viewer/registry, logs the analyst in and lists the submitted cases, de-identified, with the KPIs', async () => {
    await page.goto(`${server.url}/viewer/registry`);
    await page.waitForURL(/\/auth\/login/);
    await page.locator('#username').fill('registry-analyst');
    await page.locator('#password').fill(TEST_PASSWORD);
    await page.locator('#login').click();
    await page.waitForURL(/\/auth\/consent|\/viewer\/registry/);
    if (page.url().includes('/auth/consent')) await page.locator('#allow').click();
    const rows = page.getByTestId('registry-case-row');
    await rows.first().waitFor({ timeout: 60_000 });
    await expect(rows.count()).resolves.toBe(2);
    const first = page.locator(`[data-testid="registry-case-row"][data-condition="${cases[0]?.split('/')[1]}"]`);
    const text = await first.innerText();
    expect(text).toContain('C50.900');
    expect(text).toContain('8140/3');
    expect(text).toContain('待医院审核');
    // The analyst sees the research pseudonym, never the name.
    expect(text).not.toContain('测试患者');
    const kpi = page.locator('[data-testid="registry-kpi"] tr[data-organization="Organization/hosp-a"]');
    await expect(kpi.locator('[data-kpi="submissions"]').innerText()).resolves.toBe('2');
    await expect(kpi.innerText()).resolves.toContain('测试医院1');
    expect(new URL(page.url()).pathname).toBe('/viewer/registry');
    // The app launched as its own client and keeps its own token, apart from the viewer's.
    await expect(page.evaluate("[sessionStorage.getItem('qiao.registry.token') !== null, sessionStorage.getItem('qiao.viewer.token')]")).resolves.toEqual([true, null]);
  });

  it('opens a case with its rule results, shows a refusal bilingual, and confirms it: the review Task moves on in FHIR', async () => {
    const condition = cases[0] as string;
    await page.locator(`[data-testid="registry-case-row"][data-condition="${condition.split('/')[1]}"]`).click();
    await page.getByTestId('registry-rule-result').first().waitFor({ timeout: 30_000 });
    const rules = await Promise.all((await page.getByTestId('registry-rule-result').all()).map((item) => item.getAttribute('data-rule')));
    // No stage, no pathology report in evidence: the completeness warnings of the rule table.
    expect(rules).toEqual(expect.arrayContaining(['CR-O01', 'CR-W03']));
    // A return without a reason: the server refuses, the app shows its message in both languages.
    await page.getByTestId('registry-return').click();
    const message = page.getByTestId('registry-message');
    await message.filter({ hasText: 'Task.statusReason.text' }).waitFor();
    expect(await message.innerText()).toMatch(/原因.*\|.*reason/);
    expect((await reviewTask(condition)).businessStatus.coding[0].code).toBe('pending-hospital');
    await page.getByTestId('registry-confirm').click();
    await page.locator('[data-testid="registry-case-state"][data-state="pending-county"]').waitFor();
    const task = await reviewTask(condition);
    expect(task.businessStatus.coding[0]).toMatchObject({ system: REVIEW_STATE_SYSTEM, code: 'pending-county' });
    expect(task.status).toBe('in-progress');
    // The step is traced, and the app lists it in the review history.
    await page.locator('[data-testid="registry-history-step"][data-activity="confirm"]').waitFor();
    const provenance = await call(server.base, 'GET', `Provenance?target=Task/${task.id as string}`, undefined, system);
    expect(provenance.body.entry.map((e: { resource: { activity: { coding: { code: string }[] } } }) => e.resource.activity.coding[0]?.code)).toEqual(['confirm']);
  });

  it('filters the list by review state', async () => {
    await page.getByRole('button', { name: '返回列表' }).click();
    await page.getByTestId('registry-filter-state').selectOption('pending-county');
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('[data-testid="registry-list"][data-loaded*="business-status"]').waitFor();
    await expect(page.getByTestId('registry-case-row').count()).resolves.toBe(1);
    await expect(page.getByTestId('registry-case-row').getAttribute('data-state')).resolves.toBe('pending-county');
  });
});
