import { jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
import { call } from '../support/http.js';
import { admin, backendToken, bearer, TEST_PASSWORD, useAuthServer } from '../support/auth.js';

declare const document: { body: { dataset: Record<string, string | undefined> } };

jest.setTimeout(120_000);

const CHROMIUM = process.env.QIAO_CHROMIUM ?? '/usr/bin/chromium';
const FHIR_CLIENT = createRequire(import.meta.url).resolve('fhirclient/build/fhir-client.js');

/**
 * The `fhirclient` library (SMART's own JavaScript client) in headless Chromium completes a
 * standalone launch against the real pages: discovery, authorize with PKCE, the login form, the
 * consent page's patient picker, the code exchange, then reads the chosen Patient — from an app
 * served by another origin (CORS).
 */
describe('standalone launch with fhirclient in headless Chromium', () => {
  const server = useAuthServer('postgres');
  let app: http.Server;
  let appUrl = '';
  let browser: Browser;
  let patient = '';

  beforeAll(async () => {
    const library = await readFile(FHIR_CLIENT, 'utf8');
    const pages: Record<string, string> = {
      '/launch.html': `<!doctype html><script src="/fhir-client.js"></script><script>
        FHIR.oauth2.authorize({ clientId: 'browser-app', scope: 'openid fhirUser launch/patient patient/*.rs', redirectUri: '/app.html', iss: ${JSON.stringify(server.base)} });
      </script>`,
      '/app.html': `<!doctype html><body><script src="/fhir-client.js"></script><script>
        FHIR.oauth2.ready()
          .then((client) => client.patient.read().then((p) => { document.body.dataset.patient = JSON.stringify(p); document.body.dataset.user = client.getFhirUser() || ''; }))
          .catch((e) => { document.body.dataset.error = String(e && e.stack || e); });
      </script></body>`,
    };
    app = http.createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/fhir-client.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(library);
      const page = pages[path];
      res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? 'not found');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const registered = await admin(server, 'clients', { clientId: 'browser-app', type: 'public', name: '浏览器应用 Browser app', redirectUris: [`${appUrl}/app.html`], scopes: 'openid fhirUser launch/patient patient/*.rs' });
    expect(registered.status).toBe(201);
    const { accessToken } = await backendToken(server, { scopes: 'system/*.cruds' });
    for (const family of ['赵', '钱']) await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family, given: ['一'] }] }, bearer(accessToken));
    patient = (await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family: '孙', given: ['悟空'] }], gender: 'male', birthDate: '1990-01-01' }, bearer(accessToken))).body.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--headless', '--disable-background-networking', '--no-first-run', '--disable-component-update'] });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => app.close(() => resolve()));
  });

  it('logs in, picks the patient, and reads it', async () => {
    const page = await browser.newPage();
    await page.goto(`${appUrl}/launch.html`);
    await page.waitForURL(/\/auth\/login/);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.fill('#username', 'clinician');
    await page.fill('#password', TEST_PASSWORD);
    await page.click('#login');
    await page.waitForURL(/\/auth\/consent/);
    expect(await page.textContent('body')).toContain('浏览器应用 Browser app');
    await page.click(`[data-patient-id="${patient}"]`);
    await page.waitForURL(/\/app\.html/);
    await page.waitForFunction(() => document.body.dataset.patient !== undefined || document.body.dataset.error !== undefined);
    const data = await page.evaluate(() => ({ patient: document.body.dataset.patient, user: document.body.dataset.user, error: document.body.dataset.error }));
    expect(data.error).toBeUndefined();
    const read = JSON.parse(data.patient as string);
    expect(read).toMatchObject({ resourceType: 'Patient', id: patient, name: [{ family: '孙' }] });
    expect(data.user).toMatch(/^Practitioner\//);
    await page.close();
  });
});
