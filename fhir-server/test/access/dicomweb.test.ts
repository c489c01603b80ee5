import { jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Bundle, ImagingStudy } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.js';
import { handle } from '../../src/router/router.js';
import { RawJson } from '../../src/router/types.js';
import { backendToken, bearer, userToken, useAuthServer } from '../support/auth.js';

jest.setTimeout(120_000);

const SAMPLES = path.resolve(import.meta.dirname, '../../../dicom-gateway/test/data');
const CT_STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';
const CT_SERIES = '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322';
const CT_SOP = '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322';

describe('DICOMweb by the study’s patient (PostgreSQL, auth on)', () => {
  const server = useAuthServer('postgres');
  const subjects = new Map<string, string>();

  beforeAll(async () => {
    const { accessToken } = await backendToken(server, { scopes: 'system/*.cruds' });
    const boundary = 'qiao-access-test';
    const parts = await Promise.all(['CT_small.dcm', 'MR_small.dcm'].map((f) => readFile(path.join(SAMPLES, f))));
    const body = Buffer.concat([
      ...parts.flatMap((p) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), p, Buffer.from('\r\n')]),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const stow = await fetch(`${server.url}/dicomweb/studies`, {
      method: 'POST',
      headers: { ...bearer(accessToken), 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' },
      body,
    });
    expect(stow.status).toBe(200);
    // The gateway writes the ImagingStudy resources in the background.
    for (let i = 0; i < 300 && subjects.size < 2; i++) {
      const reply = await handle(server.ctx, { method: 'GET', path: 'ImagingStudy', query: [], prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
      for (const e of (reply.body as unknown as Bundle).entry ?? []) {
        const study = (e.resource instanceof RawJson ? JSON.parse(e.resource.text) : e.resource) as ImagingStudy;
        const uid = study.identifier?.find((x) => x.system === 'urn:dicom:uid')?.value?.slice(8);
        if (uid && study.subject?.reference) subjects.set(uid, study.subject.reference);
      }
      if (subjects.size < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(subjects.size).toBe(2);
  });

  const studyUids = async (token: string): Promise<string[]> => {
    const reply = await fetch(`${server.url}/dicomweb/studies`, { headers: { ...bearer(token), accept: 'application/dicom+json' } });
    if (reply.status === 204) return [];
    expect(reply.status).toBe(200);
    const studies = (await reply.json()) as Record<string, { Value: string[] }>[];
    return studies.map((s) => s['0020000D']?.Value[0] as string).sort();
  };

  it('answers a patient-scoped token with its own study only, and refuses another patient’s study as not found', async () => {
    const patient = (subjects.get(CT_STUDY) as string).split('/')[1] as string;
    const other = [...subjects.keys()].find((uid) => uid !== CT_STUDY) as string;
    const reply = await userToken(server, { username: 'radiologist', scopes: 'launch/patient patient/*.rs', patient });
    const token = reply.body.access_token as string;
    expect(await studyUids(token)).toEqual([CT_STUDY]);
    const own = await fetch(`${server.url}/dicomweb/studies/${CT_STUDY}/metadata`, { headers: { ...bearer(token), accept: 'application/dicom+json' } });
    expect(own.status).toBe(200);
    for (const url of [`studies/${other}/metadata`, `studies/${other}/series`, `studies/${other}`, `wado?requestType=WADO&studyUID=${other}`]) {
      const refused = await fetch(`${server.url}/dicomweb/${url}`, { headers: { ...bearer(token), accept: 'application/dicom+json' } });
      expect([url, refused.status]).toEqual([url, 404]);
      const outcome = (await refused.json()) as { resourceType: string; issue: { details: { text: string } }[] };
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0]?.details.text).toContain('Study');
    }
  });

  it('serves WADO-RS frames on the lane as the router serves them: the frame, CORS, the request id, refusals and errors', async () => {
    const patient = (subjects.get(CT_STUDY) as string).split('/')[1] as string;
    const other = [...subjects.keys()].find((uid) => uid !== CT_STUDY) as string;
    const token = (await userToken(server, { username: 'radiologist', scopes: 'launch/patient patient/*.rs', patient })).body.access_token as string;
    const accept = { accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' };
    const ask = async (url: string, headers: Record<string, string>) => {
      const reply = await fetch(url, { headers });
      const type = reply.headers.get('content-type') ?? '';
      const boundary = /boundary=([^;]+)/.exec(type)?.[1];
      const body = Buffer.from(await reply.arrayBuffer()).toString('latin1');
      const same = (text: string) => (boundary ? text.split(boundary).join('BOUNDARY') : text);
      return { status: reply.status, type: same(type), cors: reply.headers.get('access-control-allow-origin'), challenge: reply.headers.get('www-authenticate'), requestId: reply.headers.get('x-request-id'), body: same(body) };
    };
    // `/frames/1` takes the lane; with a trailing slash the same request goes through Express's router.
    const cases: [string, string, Record<string, string>][] = [
      [CT_STUDY, '1', { ...bearer(token), ...accept, origin: 'https://viewer.example', 'x-request-id': 'lane-test-1' }],
      [CT_STUDY, '2', { ...bearer(token), ...accept }],
      [CT_STUDY, '1', { ...bearer(token), accept: 'image/jp2' }],
      [other, '1', { ...bearer(token), ...accept }],
      [CT_STUDY, '1', accept],
      ['1.2.x', '1', { ...bearer(token), ...accept }],
    ];
    const statuses: number[] = [];
    for (const [study, frame, headers] of cases) {
      const url = `${server.url}/dicomweb/studies/${study}/series/${CT_SERIES}/instances/${CT_SOP}/frames/${frame}`;
      const lane = await ask(url, headers);
      const routed = await ask(`${url}/`, headers);
      expect({ ...lane, requestId: headers['x-request-id'] ?? 'random' }).toEqual({ ...routed, requestId: headers['x-request-id'] ?? 'random' });
      expect(lane.requestId).toMatch(headers['x-request-id'] ?? /^[0-9a-f-]{36}$/);
      statuses.push(lane.status);
    }
    expect(statuses).toEqual([200, 404, 406, 404, 401, 404]);
  });

  it('keeps a study in reach for the token that reached it, never for another token', async () => {
    const other = [...subjects.keys()].find((uid) => uid !== CT_STUDY) as string;
    const patientOf = (uid: string) => (subjects.get(uid) as string).split('/')[1] as string;
    const ct = (await userToken(server, { username: 'radiologist', scopes: 'launch/patient patient/*.rs', patient: patientOf(CT_STUDY) })).body.access_token as string;
    const mr = (await userToken(server, { username: 'radiologist', scopes: 'launch/patient patient/*.rs', patient: patientOf(other) })).body.access_token as string;
    const metadata = (token: string, uid: string) => fetch(`${server.url}/dicomweb/studies/${uid}/metadata`, { headers: { ...bearer(token), accept: 'application/dicom+json' } }).then((r) => r.status);
    // A viewer's run of requests: the first decides, the rest reuse it — for that token only.
    expect([await metadata(ct, CT_STUDY), await metadata(ct, CT_STUDY), await metadata(ct, CT_STUDY)]).toEqual([200, 200, 200]);
    expect([await metadata(mr, CT_STUDY), await metadata(mr, other), await metadata(ct, other)]).toEqual([404, 200, 404]);
  });

  it('lets a radiologist with user/ scopes see every study, and refuses a token without ImagingStudy access with 403', async () => {
    const radiologist = await userToken(server, { username: 'radiologist', scopes: 'user/*.rs' });
    expect(await studyUids(radiologist.body.access_token as string)).toEqual([...subjects.keys()].sort());
    const administrator = await userToken(server, { username: 'administrator', scopes: 'user/*.rs' });
    const refused = await fetch(`${server.url}/dicomweb/studies`, { headers: { ...bearer(administrator.body.access_token as string), accept: 'application/dicom+json' } });
    expect(refused.status).toBe(403);
  });
});
