import { FhirError } from '../../src/errors/fhir-error.js';
import { parseSubsetOptions, subsetResource } from '../../src/search/subset.js';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

const patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { versionId: '2', lastUpdated: '2024-05-01T08:00:00.000+08:00', tag: [{ system: 'urn:qiao:test', code: 'demo' }] },
  implicitRules: 'http://example.org/rules',
  language: 'zh-CN',
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">张三</div>' },
  contained: [{ resourceType: 'Organization', id: 'org', name: '协和医院' }],
  extension: [{ url: 'http://example.org/ethnicity', valueString: '汉族' }],
  identifier: [{ system: 'urn:oid:2.16.156.10011.1.1', value: '11010519491231002X' }],
  active: true,
  name: [{ family: '张', given: ['三'], text: '张三' }],
  telecom: [{ system: 'phone', value: '13800000000' }],
  gender: 'male',
  birthDate: '1949-12-31',
  _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1949-12-31T08:30:00+08:00' }] },
  deceasedBoolean: false,
  address: [{ city: '北京', district: '西城区' }],
  maritalStatus: { text: '已婚' },
  multipleBirthInteger: 1,
  contact: [{ name: { text: '李四' } }],
  communication: [{ language: { text: '中文' } }],
  generalPractitioner: [{ reference: 'Practitioner/d1' }],
  managingOrganization: { reference: '#org' },
};

const observation = {
  resourceType: 'Observation',
  id: 'o1',
  meta: { versionId: '1', lastUpdated: '2024-05-01T08:00:00.000+08:00' },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">血红蛋白 135 g/L</div>' },
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '718-7' }], text: '血红蛋白' },
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2024-05-01T07:30:00+08:00',
  valueQuantity: { value: 135, unit: 'g/L', system: 'http://unitsofmeasure.org', code: 'g/L' },
  interpretation: [{ text: '正常' }],
  note: [{ text: '空腹' }],
  referenceRange: [{ low: { value: 130, unit: 'g/L' }, high: { value: 175, unit: 'g/L' } }],
};

const keys = (r: Record<string, unknown>) => Object.keys(r).sort();
const tags = (r: Record<string, unknown>) => (r.meta as { tag?: unknown[] }).tag;

describe('subsetResource', () => {
  it('leaves the resource alone without options, or with _summary=false', () => {
    expect(subsetResource(patient, {})).toBe(patient);
    expect(subsetResource(patient, { summary: 'false' })).toBe(patient);
  });

  it('_summary=true keeps the summary elements of the definition whole', () => {
    const result = subsetResource(patient, { summary: 'true' });
    expect(keys(result)).toEqual(
      [
        'resourceType', 'id', 'meta', 'implicitRules', 'identifier', 'active', 'name', 'telecom', 'gender', 'birthDate',
        '_birthDate', 'deceasedBoolean', 'address', 'managingOrganization',
      ].sort(),
    );
    expect(result.name).toBe(patient.name);
    expect(result._birthDate).toBe(patient._birthDate);
    for (const removed of ['text', 'contained', 'extension', 'language', 'maritalStatus', 'multipleBirthInteger', 'contact', 'generalPractitioner']) {
      expect(result).not.toHaveProperty(removed);
    }
  });

  it('marks a subset SUBSETTED without touching the input', () => {
    const result = subsetResource(patient, { summary: 'true' });
    expect(tags(result)).toEqual([{ system: 'urn:qiao:test', code: 'demo' }, SUBSETTED]);
    expect(result.meta).toMatchObject({ versionId: '2', lastUpdated: patient.meta.lastUpdated });
    expect(patient.meta.tag).toHaveLength(1);
    expect(keys(patient)).toContain('text');
    const again = subsetResource(result, { summary: 'text' });
    expect(tags(again)).toEqual([{ system: 'urn:qiao:test', code: 'demo' }, SUBSETTED]);
  });

  it('_summary=true on an Observation keeps choice elements under their typed names', () => {
    const result = subsetResource(observation, { summary: 'true' });
    expect(keys(result)).toEqual(['code', 'effectiveDateTime', 'id', 'meta', 'resourceType', 'status', 'subject', 'valueQuantity']);
  });

  it('_summary=text keeps text, id, meta and the mandatory elements', () => {
    expect(keys(subsetResource(observation, { summary: 'text' }))).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'text']);
    expect(keys(subsetResource(patient, { summary: 'text' }))).toEqual(['id', 'meta', 'resourceType', 'text']);
  });

  it('_summary=data removes only the narrative', () => {
    const result = subsetResource(observation, { summary: 'data' });
    expect(keys(result)).toEqual(keys(observation).filter((k) => k !== 'text'));
    expect(tags(result)).toEqual([SUBSETTED]);
  });

  it('returns the input untagged when nothing is removed', () => {
    const { text: _text, ...noNarrative } = observation;
    expect(subsetResource(noNarrative, { summary: 'data' })).toBe(noNarrative);
    const minimal = { resourceType: 'Observation', id: 'o2', meta: {}, status: 'final', code: { text: 'x' } };
    expect(subsetResource(minimal, { elements: ['status'] })).toBe(minimal);
  });

  it('_elements keeps the listed elements plus resourceType, id, meta and the mandatory ones', () => {
    const result = subsetResource(observation, { elements: ['value', 'subject', 'noSuchElement'] });
    expect(keys(result)).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'subject', 'valueQuantity']);
    expect(tags(result)).toEqual([SUBSETTED]);
  });

  it('_elements matches a choice element by its base name and a primitive with its extension', () => {
    const result = subsetResource(patient, { elements: ['birthDate', 'deceased', 'multipleBirth'] });
    expect(keys(result)).toEqual(['_birthDate', 'birthDate', 'deceasedBoolean', 'id', 'meta', 'multipleBirthInteger', 'resourceType']);
    expect(keys(subsetResource(observation, { elements: ['valueQuantity'] }))).toEqual(['code', 'id', 'meta', 'resourceType', 'status']);
  });

  it('with both _summary and _elements keeps what both keep', () => {
    const result = subsetResource(patient, { summary: 'true', elements: ['name', 'contact'] });
    expect(keys(result)).toEqual(['id', 'meta', 'name', 'resourceType']);
  });

  it('adds meta when the resource has none', () => {
    const result = subsetResource({ resourceType: 'Patient', id: 'p2', gender: 'female', photo: [{ url: 'x' }] }, { summary: 'true' });
    expect(result).toEqual({ resourceType: 'Patient', id: 'p2', gender: 'female', meta: { tag: [SUBSETTED] } });
  });

  it('drops properties the definition does not have from summaries but keeps them for _summary=data', () => {
    const odd = { resourceType: 'Patient', id: 'p3', meta: {}, gender: 'male', notAnElement: 1 };
    expect(keys(subsetResource(odd, { summary: 'true' }))).toEqual(['gender', 'id', 'meta', 'resourceType']);
    expect(subsetResource(odd, { summary: 'data' })).toBe(odd);
  });

  it('treats a Bundle like any other resource', () => {
    const bundle = { resourceType: 'Bundle', id: 'b1', meta: {}, type: 'collection', identifier: { value: 'x' }, entry: [{ resource: patient }] };
    expect(subsetResource(bundle, { summary: 'true' })).toBe(bundle);
    expect(keys(subsetResource(bundle, { summary: 'text' }))).toEqual(['id', 'meta', 'resourceType', 'type']);
  });
});

describe('parseSubsetOptions', () => {
  it('reads _summary and _elements', () => {
    expect(parseSubsetOptions(undefined, undefined)).toEqual({});
    expect(parseSubsetOptions('true', undefined)).toEqual({ summary: 'true' });
    expect(parseSubsetOptions('count', undefined)).toEqual({});
    expect(parseSubsetOptions('data', 'name, gender,birthDate')).toEqual({ summary: 'data', elements: ['name', 'gender', 'birthDate'] });
  });

  it.each([
    ['_summary', 'TRUE', undefined],
    ['_summary', '', undefined],
    ['_elements', undefined, ''],
    ['_elements', undefined, 'name,,gender'],
    ['_elements', undefined, 'name.family'],
    ['_elements', undefined, 'Patient.name'],
  ])('rejects a bad %s value (%p %p) as search.param-invalid', (param, summary, elements) => {
    let thrown: unknown;
    try {
      parseSubsetOptions(summary, elements);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FhirError);
    const fhirError = thrown as FhirError;
    expect(fhirError.status).toBe(400);
    expect(fhirError.issues[0]).toMatchObject({ messageId: 'search.param-invalid', params: { param } });
  });
});
