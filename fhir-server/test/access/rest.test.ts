import { jest } from '@jest/globals';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.js';
import { handle } from '../../src/router/router.js';
import { RawJson } from '../../src/router/types.js';
import { bearer, userToken, backendToken, useAuthServer, type AuthTestServer } from '../support/auth.js';
import { call, firstIssue, type Reply } from '../support/http.js';

// Several logins through the real pages per test group on a busy machine.
jest.setTimeout(120_000);

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const RESIDENT_ID = 'urn:oid:2.16.156.10011.1.3';

/**
 * Two hospitals, each with a patient and their records, loaded by the server itself (as demo
 * data is); the tests then read them through real tokens from the real authorisation endpoints.
 */
async function seed(server: AuthTestServer): Promise<Record<string, string>> {
  const observation = (patient: string, category: string, code: string): Resource =>
    ({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: CATEGORY, code: category }] }],
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: patient },
      performer: [{ reference: 'urn:uuid:practitioner' }],
    }) as Resource;
  const entries: [string, Resource][] = [
    ['urn:uuid:org-a', { resourceType: 'Organization', name: '甲医院' }],
    ['urn:uuid:org-b', { resourceType: 'Organization', name: '乙医院' }],
    ['urn:uuid:practitioner', { resourceType: 'Practitioner', name: [{ text: '李医生' }] }],
    [
      'urn:uuid:patient-a',
      {
        resourceType: 'Patient',
        name: [{ text: '张三' }],
        identifier: [{ system: RESIDENT_ID, value: '110105199001011234' }],
        telecom: [{ system: 'phone', value: '13812341234' }],
        managingOrganization: { reference: 'urn:uuid:org-a' },
      } as Resource,
    ],
    [
      'urn:uuid:patient-b',
      {
        resourceType: 'Patient',
        name: [{ text: '李四' }],
        identifier: [{ system: RESIDENT_ID, value: '310104198502025678' }],
        telecom: [{ system: 'phone', value: '13987655678' }],
        managingOrganization: { reference: 'urn:uuid:org-b' },
      } as Resource,
    ],
    ['urn:uuid:lab-a', observation('urn:uuid:patient-a', 'laboratory', '2345-7')],
    ['urn:uuid:vital-a', observation('urn:uuid:patient-a', 'vital-signs', '8867-4')],
    ['urn:uuid:lab-b', observation('urn:uuid:patient-b', 'laboratory', '2345-7')],
    [
      'urn:uuid:composition-b',
      {
        resourceType: 'Composition',
        status: 'final',
        type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] },
        subject: { reference: 'urn:uuid:patient-b' },
        date: '2026-01-01',
        author: [{ reference: 'urn:uuid:practitioner' }],
        title: '病程记录',
      } as Resource,
    ],
    ['urn:uuid:condition-a', { resourceType: 'Condition', subject: { reference: 'urn:uuid:patient-a' }, code: { text: '高血压' } } as Resource],
    [
      'urn:uuid:psych-a',
      {
        resourceType: 'Condition',
        meta: { security: [{ system: CONFIDENTIALITY, code: 'R' }] },
        subject: { reference: 'urn:uuid:patient-a' },
        code: { text: '抑郁症' },
      } as Resource,
    ],
    [
      'urn:uuid:secret-a',
      {
        resourceType: 'Condition',
        meta: { security: [{ system: CONFIDENTIALITY, code: 'V' }] },
        subject: { reference: 'urn:uuid:patient-a' },
        code: { text: 'HIV' },
      } as Resource,
    ],
  ];
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    // The organisations get known ids: the users of the test belong to them.
    entry: entries.map(([fullUrl, resource]) => ({
      fullUrl,
      resource: resource.resourceType === 'Organization' ? { ...resource, id: fullUrl.slice(9) } : resource,
      request: resource.resourceType === 'Organization' ? { method: 'PUT', url: `Organization/${fullUrl.slice(9)}` } : { method: 'POST', url: resource.resourceType },
    })),
  };
  const reply = await handle(server.ctx, { method: 'POST', path: '', query: [], body: bundle, prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
  const out = reply.body as unknown as Bundle;
  const ids: Record<string, string> = {};
  entries.forEach(([fullUrl], i) => {
    const location = out.entry?.[i]?.response?.location ?? '';
    ids[fullUrl.slice('urn:uuid:'.length)] = location.split('/')[1] as string;
  });
  return ids;
}

const ids = (reply: Reply, type?: string): string[] =>
  ((reply.body as Bundle).entry ?? []).filter((e) => !type || e.resource?.resourceType === type).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();

describe('access control over REST, search and operations (PostgreSQL, auth on)', () => {
  const server = useAuthServer('postgres', { users: [{ username: 'doctor-a', name: '甲医院医生', password: 'Qiao-test-2026!', roles: ['clinician'], organisation: 'Organization/org-a' }] });
  let id: Record<string, string> = {};

  beforeAll(async () => {
    id = await seed(server);
  });

  describe('a patient-scoped token (standalone launch, patient A)', () => {
    let token = '';
    const get = (path: string) => call(server.base, 'GET', path, undefined, bearer(token));
    beforeAll(async () => {
      const reply = await userToken(server, { username: 'clinician', scopes: 'openid fhirUser launch/patient patient/*.rs', patient: id['patient-a'] as string });
      expect(reply.body.patient).toBe(id['patient-a']);
      token = reply.body.access_token as string;
    });

    it("reads the patient's own Observation, and gets 404 for another patient's, as if it did not exist", async () => {
      expect((await get(`Observation/${id['lab-a']}`)).status).toBe(200);
      // 404 rather than 403: the answer must not tell that the id exists in someone else's record.
      const other = await get(`Observation/${id['lab-b']}`);
      expect(other.status).toBe(404);
      expect(firstIssue(other).code).toBe('not-found');
      expect((await get(`Patient/${id['patient-b']}`)).status).toBe(404);
      expect((await get(`Observation/${id['lab-b']}/_history/1`)).status).toBe(404);
    });

    it('searches only its own data, and the total counts only its own data', async () => {
      const all = await get('Observation?_total=accurate');
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(2);
      expect(ids(all)).toEqual([`Observation/${id['lab-a']}`, `Observation/${id['vital-a']}`].sort());
      const count = await get('Observation?code=http://loinc.org|2345-7&_summary=count');
      expect(count.body.total).toBe(1);
      const patients = await get('Patient');
      expect(ids(patients)).toEqual([`Patient/${id['patient-a']}`]);
      const otherCompartment = await get(`Patient/${id['patient-b']}/Observation`);
      expect(otherCompartment.body.entry ?? []).toEqual([]);
    });

    it('does not pull another patient in through _include or _revinclude', async () => {
      const revinclude = await get(`Patient?_id=${id['patient-a']},${id['patient-b']}&_revinclude=Observation:subject`);
      expect(ids(revinclude, 'Patient')).toEqual([`Patient/${id['patient-a']}`]);
      expect(ids(revinclude, 'Observation')).not.toContain(`Observation/${id['lab-b']}`);
      const include = await get('Observation?_include=Observation:subject&_include=Observation:performer');
      expect(ids(include, 'Patient')).toEqual([`Patient/${id['patient-a']}`]);
      // A practitioner is not patient data: included.
      expect(ids(include, 'Practitioner')).toEqual([`Practitioner/${id.practitioner}`]);
    });

    it('learns nothing about another patient through chains or _has', async () => {
      // Patient B's resident ID, chained from Observation: the only observations with that subject are B's.
      const chain = await get('Observation?subject:Patient.identifier=310104198502025678&_total=accurate');
      expect(chain.body.total).toBe(0);
      // _has from Patient: only patient A can match, and only through A's observations.
      const has = await get(`Patient?_has:Observation:subject:_id=${id['lab-b']}`);
      expect(has.body.entry ?? []).toEqual([]);
      const ownHas = await get(`Patient?_has:Observation:subject:_id=${id['lab-a']}`);
      expect(ids(ownHas)).toEqual([`Patient/${id['patient-a']}`]);
    });

    it("refuses another patient's $everything, and its own holds only its own data", async () => {
      expect((await get(`Patient/${id['patient-b']}/$everything`)).status).toBe(404);
      const own = await get(`Patient/${id['patient-a']}/$everything`);
      expect(own.status).toBe(200);
      const found = ids(own);
      expect(found).toContain(`Observation/${id['lab-a']}`);
      expect(found).not.toContain(`Observation/${id['lab-b']}`);
      expect(found).not.toContain(`Patient/${id['patient-b']}`);
    });

    it('hides what the confidentiality labels restrict (R for clinicians only, V for nobody)', async () => {
      const conditions = ids(await get('Condition'));
      // The user is a clinician: R is visible, V is not.
      expect(conditions).toEqual([`Condition/${id['condition-a']}`, `Condition/${id['psych-a']}`].sort());
      expect((await get(`Condition/${id['secret-a']}`)).status).toBe(404);
    });

    it("refuses the CDA document of another patient's Composition, and MPI operations over all patients", async () => {
      expect((await get(`Composition/${id['composition-b']}/$cda`)).status).toBe(404);
      const match = await call(server.base, 'POST', 'Patient/$match', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ text: '李四' }] } }] }, bearer(token));
      expect(match.status).toBe(403);
      expect(firstIssue(match).code).toBe('forbidden');
    });

    it('refuses writes with 403: the token has no write scope', async () => {
      const reply = await call(server.base, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${id['patient-a']}` } }, bearer(token));
      expect(reply.status).toBe(403);
      const issue = firstIssue(reply);
      expect(issue.code).toBe('forbidden');
      expect(issue.details.text).toContain(' | ');
    });
  });

  describe('write scopes', () => {
    it('may write in its patient, and a write that would land in another patient is refused with 403 and not stored', async () => {
      const reply = await userToken(server, { username: 'clinician', scopes: 'launch/patient patient/Observation.cruds', patient: id['patient-a'] as string });
      const h = bearer(reply.body.access_token as string);
      const own = await call(server.base, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'own' }, subject: { reference: `Patient/${id['patient-a']}` } }, h);
      expect(own.status).toBe(201);
      const elsewhere = await call(server.base, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'elsewhere' }, subject: { reference: `Patient/${id['patient-b']}` } }, h);
      expect(elsewhere.status).toBe(403);
      expect(firstIssue(elsewhere).code).toBe('forbidden');
      // Moving the patient's own observation to another patient: the new version is out of reach.
      const moved = await call(server.base, 'PUT', `Observation/${own.body.id}`, { ...own.body, subject: { reference: `Patient/${id['patient-b']}` } }, h);
      expect(moved.status).toBe(403);
      const stored = await handle(server.ctx, { method: 'GET', path: 'Observation', query: [['code:text', 'elsewhere']], prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
      expect((stored.body as unknown as Bundle).entry ?? []).toEqual([]);
      const current = await handle(server.ctx, { method: 'GET', path: `Observation/${own.body.id}`, query: [], prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
      expect(JSON.parse((current.body as RawJson).text).subject.reference).toBe(`Patient/${id['patient-a']}`);
      // Another patient's observation cannot be deleted: it does not exist for this token.
      expect((await call(server.base, 'DELETE', `Observation/${id['lab-b']}`, undefined, h)).status).toBe(404);
      // Nor created for another patient inside a transaction (creates there are written together, not one by one).
      const txCreate = await call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: 'urn:uuid:1', resource: { resourceType: 'Observation', status: 'final', code: { text: 'tx-own' }, subject: { reference: `Patient/${id['patient-a']}` } }, request: { method: 'POST', url: 'Observation' } },
        { fullUrl: 'urn:uuid:2', resource: { resourceType: 'Observation', status: 'final', code: { text: 'tx-elsewhere' }, subject: { reference: `Patient/${id['patient-b']}` } }, request: { method: 'POST', url: 'Observation' } },
      ] }, h);
      expect(txCreate.status).toBe(403);
      const txStored = await handle(server.ctx, { method: 'GET', path: 'Observation', query: [['code:text', 'tx-own']], prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
      expect((txStored.body as unknown as Bundle).entry ?? []).toEqual([]);
      // Nor deleted inside a transaction.
      const tx = await call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: `Observation/${id['lab-b']}` } }] }, h);
      expect(tx.status).toBe(404);
      // The batch entry fails alone, with its own outcome.
      const batch = await call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Observation/${id['lab-b']}` } }, { request: { method: 'GET', url: `Observation/${id['lab-a']}` } }] }, h);
      expect(batch.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['404 Not Found', '200 OK']);
    });
  });

  it('narrows by a v2 query restriction: patient/Observation.rs?category=laboratory sees laboratory results only', async () => {
    const reply = await userToken(server, { username: 'clinician', scopes: 'launch/patient patient/Observation.rs?category=laboratory', patient: id['patient-a'] as string });
    const h = bearer(reply.body.access_token as string);
    const search = await call(server.base, 'GET', 'Observation?_total=accurate', undefined, h);
    expect(search.body.total).toBe(1);
    expect(ids(search)).toEqual([`Observation/${id['lab-a']}`]);
    expect((await call(server.base, 'GET', `Observation/${id['vital-a']}`, undefined, h)).status).toBe(404);
    // Conditions are not in the token at all: 403.
    expect((await call(server.base, 'GET', 'Condition', undefined, h)).status).toBe(403);
  });

  it('understands v1 scopes: patient/*.read', async () => {
    const reply = await userToken(server, { username: 'clinician', scopes: 'launch/patient patient/*.read', patient: id['patient-a'] as string });
    const h = bearer(reply.body.access_token as string);
    const found = ids(await call(server.base, 'GET', 'Observation', undefined, h));
    expect(found).toEqual(expect.arrayContaining([`Observation/${id['lab-a']}`, `Observation/${id['vital-a']}`]));
    expect(found).not.toContain(`Observation/${id['lab-b']}`);
    expect((await call(server.base, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' } }, h)).status).toBe(403);
  });

  describe('roles (三员分立)', () => {
    const tokenOf = async (username: string, scopes = 'user/*.cruds') => bearer((await userToken(server, { username, scopes })).body.access_token as string);

    it('the auditor alone reads AuditEvent; the clinician cannot', async () => {
      const auditor = await call(server.base, 'GET', 'AuditEvent?_count=1', undefined, await tokenOf('auditor'));
      expect(auditor.status).toBe(200);
      const clinician = await call(server.base, 'GET', 'AuditEvent', undefined, await tokenOf('clinician'));
      expect(clinician.status).toBe(403);
      expect(firstIssue(clinician).code).toBe('forbidden');
      // A backend client with every scope still needs the role.
      const { accessToken } = await backendToken(server, { scopes: 'system/*.rs' });
      expect((await call(server.base, 'GET', 'AuditEvent', undefined, bearer(accessToken))).status).toBe(403);
    });

    it('the administrator manages the directory but reads no clinical data; the auditor reads no clinical data either', async () => {
      const h = await tokenOf('administrator');
      expect((await call(server.base, 'GET', 'Organization', undefined, h)).status).toBe(200);
      expect((await call(server.base, 'POST', 'Organization', { resourceType: 'Organization', name: '丙医院' }, h)).status).toBe(201);
      expect((await call(server.base, 'GET', 'Observation', undefined, h)).status).toBe(403);
      expect((await call(server.base, 'GET', `Patient/${id['patient-a']}`, undefined, h)).status).toBe(403);
      expect((await call(server.base, 'GET', 'AuditEvent', undefined, h)).status).toBe(403);
      expect((await call(server.base, 'GET', 'Observation', undefined, await tokenOf('auditor'))).status).toBe(403);
    });

    it('the clinician with user/ scopes sees every patient (cross-organisation rule open), R-labelled records but not V', async () => {
      const h = await tokenOf('clinician');
      expect(ids(await call(server.base, 'GET', 'Patient', undefined, h))).toEqual([`Patient/${id['patient-a']}`, `Patient/${id['patient-b']}`].sort());
      expect((await call(server.base, 'GET', `Condition/${id['psych-a']}`, undefined, h)).status).toBe(200);
      expect((await call(server.base, 'GET', `Condition/${id['secret-a']}`, undefined, h)).status).toBe(404);
      // A radiologist does not see the psychiatric diagnosis.
      expect((await call(server.base, 'GET', `Condition/${id['psych-a']}`, undefined, await tokenOf('radiologist'))).status).toBe(404);
    });
  });
});

describe('masking (脱敏) and bulk export (PostgreSQL, auth on)', () => {
  const server = useAuthServer('postgres', { users: [{ username: 'doctor-a', name: '甲医院医生', password: 'Qiao-test-2026!', roles: ['clinician'], organisation: 'Organization/org-a' }] });
  let id: Record<string, string> = {};
  beforeAll(async () => {
    id = await seed(server);
  });
  const patientAs = async (username: string, patient: string) => {
    const h = bearer((await userToken(server, { username, scopes: 'user/*.rs' })).body.access_token as string);
    const reply = await call(server.base, 'GET', `Patient/${patient}`, undefined, h);
    expect(reply.status).toBe(200);
    return reply.body;
  };

  it("shows a clinician her own organisation's patient in full and another organisation's masked", async () => {
    const own = await patientAs('doctor-a', id['patient-a'] as string);
    expect(own.identifier[0].value).toBe('110105199001011234');
    expect(own.telecom[0].value).toBe('13812341234');
    const other = await patientAs('doctor-a', id['patient-b'] as string);
    expect(other.identifier[0].value).toBe('310***********5678');
    expect(other.telecom[0].value).toBe('139****5678');
    // Searches and includes are masked the same way.
    const h = bearer((await userToken(server, { username: 'doctor-a', scopes: 'user/*.rs' })).body.access_token as string);
    const search = await call(server.base, 'GET', `Observation?subject=Patient/${id['patient-b']}&_include=Observation:subject`, undefined, h);
    const included = search.body.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient').resource;
    expect(included.identifier[0].value).toBe('310***********5678');
  });

  it('gives the registry analyst the research pseudonym instead of identifiers, and no names or phones', async () => {
    const h = bearer((await userToken(server, { username: 'registry-analyst', scopes: 'user/*.rs' })).body.access_token as string);
    const patient = (await call(server.base, 'GET', `Patient/${id['patient-a']}`, undefined, h)).body;
    const pseudonym = await call(server.base, 'GET', `Patient/${id['patient-a']}/$pseudonym`, undefined, h);
    const expected = pseudonym.body.parameter.find((p: { name: string }) => p.name === 'pseudonym').valueIdentifier;
    expect(patient.identifier).toEqual([expected]);
    expect(patient.identifier[0].value).toMatch(/^[0-9a-f]{64}$/);
    expect(patient.name).toBeUndefined();
    expect(patient.telecom).toBeUndefined();
  });

  it('exports for a limited client only what it may see, masked as it sees it, and to no one else', async () => {
    let lastStatus = '';
    const exported = async (scopes: string, roles: ('registry-analyst')[], type: string): Promise<Record<string, unknown>[]> => {
      const { accessToken } = await backendToken(server, { scopes, roles });
      const h = bearer(accessToken);
      const kickoff = await call(server.base, 'GET', `$export?_type=${type}`, undefined, { ...h, prefer: 'respond-async' });
      expect(kickoff.status).toBe(202);
      const status = kickoff.headers.get('content-location') as string;
      lastStatus = status;
      for (let i = 0; i < 200; i++) {
        const poll = await fetch(status, { headers: { ...h, accept: 'application/json' } });
        if (poll.status === 200) {
          const manifest = (await poll.json()) as { output: { url: string }[] };
          const lines: Record<string, unknown>[] = [];
          for (const o of manifest.output) {
            const file = await fetch(o.url, { headers: h });
            lines.push(...(await file.text()).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>));
          }
          return lines;
        }
        expect(poll.status).toBe(202);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('export did not finish');
    };
    const labs = await exported('system/Observation.rs?category=laboratory', [], 'Observation,Condition');
    expect(labs.map((r) => `${r.resourceType}/${r.id}`).sort()).toEqual([`Observation/${id['lab-a']}`, `Observation/${id['lab-b']}`].sort());
    // Another client cannot follow the job: for it the job does not exist.
    const stranger = await backendToken(server, { scopes: 'system/Observation.rs' });
    const followed = await fetch(lastStatus, { headers: { ...bearer(stranger.accessToken), accept: 'application/json' } });
    expect(followed.status).toBe(404);
    const research = await exported('system/Patient.rs', ['registry-analyst'], 'Patient');
    expect(research).toHaveLength(2);
    for (const p of research) {
      expect(p.name).toBeUndefined();
      expect((p.identifier as { system: string }[])[0]?.system).toBe('https://qiao.health/fhir/sid/pseudonym');
    }
  });
});

describe('cross-institution rule QIAO_CROSS_ORG=shared-only (PostgreSQL, auth on)', () => {
  const server = useAuthServer('postgres', {
    config: { crossOrg: 'shared-only' },
    users: [{ username: 'doctor-a', name: '甲医院医生', password: 'Qiao-test-2026!', roles: ['clinician'], organisation: 'Organization/org-a' }],
  });
  let id: Record<string, string> = {};
  beforeAll(async () => {
    id = await seed(server);
  });

  it("shows a clinician only her organisation's patients until a patient is shared with it by consent", async () => {
    const h = bearer((await userToken(server, { username: 'doctor-a', scopes: 'user/*.rs' })).body.access_token as string);
    expect(ids(await call(server.base, 'GET', 'Patient', undefined, h))).toEqual([`Patient/${id['patient-a']}`]);
    expect((await call(server.base, 'GET', `Observation/${id['lab-b']}`, undefined, h)).status).toBe(404);
    expect((await call(server.base, 'GET', `Observation?code=http://loinc.org|2345-7&_total=accurate`, undefined, h)).body.total).toBe(1);
    const consent = {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${id['patient-b']}` },
      policyRule: { text: '转诊共享 | shared for referral' },
      provision: { actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference: 'Organization/org-a' } }] },
    };
    const stored = await handle(server.ctx, { method: 'POST', path: 'Consent', query: [], body: consent, prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
    expect(stored.status).toBe(201);
    expect((await call(server.base, 'GET', `Observation/${id['lab-b']}`, undefined, h)).status).toBe(200);
    expect(ids(await call(server.base, 'GET', 'Patient', undefined, h))).toEqual([`Patient/${id['patient-a']}`, `Patient/${id['patient-b']}`].sort());
    // A registry analyst is not held to an organisation.
    const analyst = bearer((await userToken(server, { username: 'registry-analyst', scopes: 'user/*.rs' })).body.access_token as string);
    expect((await call(server.base, 'GET', 'Observation?_total=accurate', undefined, analyst)).body.total).toBe(3);
  });
});
