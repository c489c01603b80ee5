import type { Principal } from '../../src/auth/principal.js';
import { DEVELOPMENT_PRINCIPAL, SYSTEM_PRINCIPAL } from '../../src/auth/principal.js';
import { ANONYMOUS_PRINCIPAL, requestPrincipal } from '../../src/access/anonymous.js';
import { acrossTypes, decide } from '../../src/access/policy.js';
import { maskBody, maskingOf, maskResource, maskValue } from '../../src/access/masking.js';
import { RawJson } from '../../src/router/types.js';
import { loadR4 } from '../../src/definitions/r4.js';

const OPEN = { crossOrg: 'open' } as const;
const user = (roles: Principal['roles'], scopes: string[], extra: Partial<Principal> = {}): Principal => ({ kind: 'user', roles, scopes, ...extra });

beforeAll(() => loadR4());

describe('access decisions', () => {
  it('leaves unrestricted principals alone', () => {
    for (const p of [SYSTEM_PRINCIPAL, DEVELOPMENT_PRINCIPAL]) expect(decide(p, OPEN, 'AuditEvent', 'd')).toEqual({ allowed: true, filters: [], reach: [], partial: false });
    expect(acrossTypes(DEVELOPMENT_PRINCIPAL, OPEN, undefined, 's')).toBeUndefined();
  });

  it('fails closed when authentication left no principal with authorisation on', () => {
    expect(requestPrincipal({}, 'off')).toBe(DEVELOPMENT_PRINCIPAL);
    expect(requestPrincipal({}, 'on')).toBe(ANONYMOUS_PRINCIPAL);
    expect(decide(ANONYMOUS_PRINCIPAL, OPEN, 'Patient', 'r')).toEqual({ allowed: false, reason: 'scope' });
  });

  it('tells scope refusals from role refusals', () => {
    expect(decide(user(['clinician'], ['user/Patient.rs']), OPEN, 'Observation', 'r')).toEqual({ allowed: false, reason: 'scope' });
    expect(decide(user(['administrator'], ['user/*.cruds']), OPEN, 'Observation', 'r')).toEqual({ allowed: false, reason: 'role' });
    expect(decide(user(['clinician'], ['user/*.cruds']), OPEN, 'AuditEvent', 's')).toEqual({ allowed: false, reason: 'role' });
    expect(decide({ kind: 'backend', roles: [], scopes: ['system/*.rs'] }, OPEN, 'AuditEvent', 's')).toEqual({ allowed: false, reason: 'role' });
    expect(decide(user(['auditor'], ['user/*.rs']), OPEN, 'AuditEvent', 's').allowed).toBe(true);
    expect(decide(user(['auditor'], ['user/*.rs']), OPEN, 'AuditEvent', 'c')).toEqual({ allowed: false, reason: 'role' });
  });

  it('binds a patient scope to the launch patient by one compartment condition', () => {
    const p = user(['clinician'], ['patient/*.rs'], { patient: '42' });
    const obs = decide(p, OPEN, 'Observation', 's');
    expect(obs.allowed && obs.reach).toEqual([expect.objectContaining({ kind: 'compartment', type: 'Patient', id: '42' })]);
    const patient = decide(p, OPEN, 'Patient', 'r');
    expect(patient.allowed && patient.reach).toEqual([{ kind: 'id', ids: ['42'], not: false }]);
    // Directory entries are not patient data; a patient scope reaches them whole.
    const org = decide(p, OPEN, 'Organization', 'r');
    expect(org.allowed && org.partial).toBe(false);
    // Types outside the compartment that may hold patient data are closed to patient scopes.
    expect(decide(p, OPEN, 'Binary', 'r')).toEqual({ allowed: false, reason: 'scope' });
    // Without a launch patient a patient scope grants nothing.
    expect(decide(user(['clinician'], ['patient/*.rs']), OPEN, 'Observation', 'r')).toEqual({ allowed: false, reason: 'scope' });
  });

  it('ORs the restrictions of several scopes, and an unrestricted one wins', () => {
    const two = decide(user(['clinician'], ['user/Observation.rs?category=laboratory', 'user/Observation.rs?category=vital-signs']), OPEN, 'Observation', 's');
    expect(two.allowed && two.reach).toEqual([{ kind: 'any', alternatives: [[expect.objectContaining({ param: 'category' })], [expect.objectContaining({ param: 'category' })]] }]);
    const wide = decide(user(['clinician'], ['user/Observation.rs?category=laboratory', 'user/*.rs']), OPEN, 'Observation', 's');
    expect(wide.allowed && wide.partial).toBe(false);
  });

  it('hides confidentiality labels by role: R from all but clinicians, V from everyone', () => {
    const labels = (roles: Principal['roles']) => {
      const d = decide(user(roles, ['user/*.rs']), OPEN, 'Condition', 's');
      return d.allowed ? d.filters.filter((f) => f.kind === 'value' && f.param === '_security').flatMap((f) => (f.kind === 'value' ? f.alternatives.map((a) => (a as { code?: string }).code) : [])) : undefined;
    };
    expect(labels(['clinician'])).toEqual(['V']);
    expect(labels(['radiologist'])).toEqual(['R', 'V']);
  });

  it('applies the organisation rule to clinical roles only when the network is shared-only', () => {
    const doctor = user(['clinician'], ['user/*.rs'], { organisation: 'Organization/a' });
    const open = decide(doctor, OPEN, 'Observation', 's');
    expect(open.allowed && open.partial).toBe(false);
    const shared = decide(doctor, { crossOrg: 'shared-only' }, 'Observation', 's');
    expect(shared.allowed && shared.partial).toBe(true);
    const analyst = decide(user(['registry-analyst'], ['user/*.rs'], { organisation: 'Organization/a' }), { crossOrg: 'shared-only' }, 'Observation', 's');
    expect(analyst.allowed && analyst.partial).toBe(false);
  });

  it('lets a user without roles reach a launch patient only', () => {
    expect(decide(user([], ['patient/*.rs'], { patient: '7' }), OPEN, 'Observation', 'r').allowed).toBe(true);
    expect(decide(user([], ['user/*.rs']), OPEN, 'Observation', 'r')).toEqual({ allowed: false, reason: 'role' });
  });
});

describe('masking (脱敏)', () => {
  const patient = {
    resourceType: 'Patient',
    id: 'p1',
    text: { status: 'generated', div: '<div>张三 110105199001011234</div>' },
    name: [{ text: '张三' }],
    identifier: [
      { system: 'urn:oid:2.16.156.10011.1.3', value: '110105199001011234' },
      { system: 'urn:example:mrn', value: 'MRN-1' },
    ],
    telecom: [
      { system: 'phone', value: '13812341234' },
      { system: 'email', value: 'a@example.cn' },
    ],
    managingOrganization: { reference: 'Organization/a' },
    address: [{ line: ['朝阳路 1 号'], district: '朝阳区', city: '北京市' }],
  };

  it('keeps the ends of resident IDs and phone numbers', () => {
    expect(maskValue('110105199001011234', 3, 4)).toBe('110***********1234');
    expect(maskValue('13812341234', 3, 4)).toBe('138****1234');
    expect(maskValue('12345', 3, 4)).toBe('*****');
  });

  it('masks what the table names for other organisations, and drops the narrative', () => {
    const doctor = user(['clinician'], [], { organisation: 'Organization/b' });
    expect(maskingOf(doctor)).toBe('masked-other-org');
    const out = maskResource(patient, 'masked-other-org', doctor) as typeof patient;
    expect(out.identifier.map((i) => i.value)).toEqual(['110***********1234', 'MRN-1']);
    expect(out.telecom.map((t) => t.value)).toEqual(['138****1234', 'a@example.cn']);
    expect(out.text).toBeUndefined();
    expect(patient.identifier[0]?.value).toBe('110105199001011234');
    expect(maskResource(patient, 'masked-other-org', { ...doctor, organisation: 'Organization/a' })).toBe(patient);
  });

  it('replaces identifiers by the pseudonym for research, inside Bundles and stored JSON too', () => {
    const analyst = user(['registry-analyst'], []);
    const bundle = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: new RawJson(JSON.stringify(patient)) }] };
    const out = maskBody(bundle, maskingOf(analyst), analyst, 'k'.repeat(32));
    const masked = JSON.parse((out.entry[0]?.resource as RawJson).text);
    expect(masked.identifier).toEqual([{ use: 'secondary', system: 'https://qiao.health/fhir/sid/pseudonym', value: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(masked.name).toBeUndefined();
    expect(masked.telecom).toBeUndefined();
    expect(masked.address).toEqual([{ district: '朝阳区', city: '北京市' }]);
  });

  it('shows the most revealing view among a user’s roles, and everything to principals without roles', () => {
    expect(maskingOf(user(['radiologist', 'clinician'], []))).toBe('masked-other-org');
    expect(maskingOf({ kind: 'backend', roles: [], scopes: [] })).toBe('full');
  });
});
