import { FhirError, type IssueInput } from '../../src/errors/fhir-error.js';
import { assertValid, validateResource, type ValidateOptions } from '../../src/validation/validate.js';

/** messageId and expression of every issue, the two things callers and users rely on. */
function found(resource: unknown, options?: ValidateOptions): [string, string | undefined][] {
  return validateResource(resource, options).map((issue) => [issue.messageId, issue.expression]);
}

function only(resource: unknown, options?: ValidateOptions): IssueInput {
  const issues = validateResource(resource, options);
  expect(issues).toHaveLength(1);
  return issues[0] as IssueInput;
}

const observation = (extra: Record<string, unknown>) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }], text: '心率' },
  ...extra,
});

describe('validateResource: what is not a resource', () => {
  it('rejects non-objects, a missing resourceType and unknown types', () => {
    expect(found(null)).toEqual([['body.not-object', undefined]]);
    expect(found([{ resourceType: 'Patient' }])).toEqual([['body.not-object', undefined]]);
    expect(found({ name: [{ family: '张' }] })).toEqual([['resource.missing-type', undefined]]);
    expect(only({ resourceType: 'Foo' })).toEqual({ messageId: 'resource.type-unknown', params: { type: 'Foo' } });
    // R4B/R5-only types are not R4 resources even though medplum knows them.
    expect(found({ resourceType: 'SubscriptionStatus' })).toEqual([['resource.type-unknown', undefined]]);
  });
});

describe('validateResource: structure', () => {
  it('accepts a valid Patient written in Chinese', () => {
    expect(
      validateResource({
        resourceType: 'Patient',
        id: 'zhang-san',
        text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>张三，男，1990年1月1日出生</p></div>' },
        identifier: [{ system: 'urn:oid:2.16.156.10011.1.1', value: '110101199001011234' }],
        name: [{ use: 'official', text: '张三', family: '张', given: ['三'] }],
        telecom: [{ system: 'phone', value: '13800138000', use: 'mobile' }],
        gender: 'male',
        birthDate: '1990-01-01',
        address: [{ use: 'home', text: '北京市东城区东长安街1号', city: '北京市', district: '东城区', country: 'CN' }],
        maritalStatus: { text: '已婚' },
        communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'zh-CN' }], text: '中文' }, preferred: true }],
      }),
    ).toEqual([]);
  });

  it('reports an unknown element with its path, in both languages', () => {
    expect(only({ resourceType: 'Patient', nmae: [{ family: '张' }] })).toEqual({
      messageId: 'validation.failed',
      params: { detail: 'Unknown element "nmae"', zhDetail: '未知元素 "nmae"' },
      severity: 'error',
      code: 'structure',
      expression: 'Patient.nmae',
    });
  });

  it('reports missing required elements as required', () => {
    const issues = validateResource({ resourceType: 'Observation', code: { text: '心率' } });
    expect(issues.map((i) => [i.expression, i.code, i.params?.detail])).toEqual([['Observation.status', 'required', 'Required element is missing']]);
  });

  it('reports a single value where an array belongs', () => {
    expect(found({ resourceType: 'Patient', name: { family: '张' } })).toEqual([['validation.failed', 'Patient.name']]);
  });

  it('reports bad primitive formats at the indexed element', () => {
    expect(
      found({
        resourceType: 'Patient',
        identifier: [{ system: 'http://example.org/mrn', value: '1' }, { system: 'not a uri', value: '2' }],
        birthDate: '1990-13-01',
      }),
    ).toEqual([
      ['validation.failed', 'Patient.identifier[1].system'],
      ['validation.failed', 'Patient.birthDate'],
    ]);
  });

  it('names choice elements by the property the client sent', () => {
    const issue = only(observation({ component: [{ code: { text: '收缩压' }, valueQuantity: { value: '120' } }] }));
    expect(issue.expression).toBe('Observation.component[0].valueQuantity.value');
    expect(issue.params).toEqual({ detail: 'Wrong JSON type: expected number, got string', zhDetail: 'JSON 类型错误：应为数字，实际为字符串' });
  });

  it('reports more than one type for a choice element', () => {
    expect(found(observation({ valueString: '72', valueInteger: 72 }))).toEqual([['validation.failed', 'Observation.valueInteger']]);
    expect(found(observation({ valueString: '72', _valueBoolean: { id: 'b' } }))).toEqual([['validation.failed', 'Observation._valueBoolean']]);
  });

  it('keeps invariants that fire on invalid resources (obs-6, pat-1)', () => {
    const obs6 = only(observation({ valueQuantity: { value: 72 }, dataAbsentReason: { text: '未测' } }));
    expect([obs6.expression, obs6.code, obs6.params?.detail]).toEqual([
      'Observation',
      'invariant',
      'Constraint obs-6 failed: dataAbsentReason SHALL only be present if Observation.value[x] is not present',
    ]);
    const pat1 = validateResource({ resourceType: 'Patient', contact: [{ gender: 'female' }] });
    expect(pat1.map((i) => [i.expression, i.code])).toEqual([['Patient.contact[0]', 'invariant']]);
  });
});

describe('validateResource: JSON shapes', () => {
  const details = (resource: unknown) => validateResource(resource).map((i) => [i.params?.detail, i.expression]);

  it('a string where an object belongs is one issue, not one per character', () => {
    expect(details({ resourceType: 'Patient', managingOrganization: 'Organization/1' })).toEqual([
      ['Wrong JSON type: expected an object (Reference), got string', 'Patient.managingOrganization'],
    ]);
    expect(details({ resourceType: 'Patient', contained: ['x'], name: [[{ text: '张三' }]] })).toEqual([
      ['Wrong JSON type: expected an object (Resource), got string', 'Patient.contained[0]'],
      ['Wrong JSON type: expected an object (HumanName), got array', 'Patient.name[0]'],
    ]);
    // A required element given the wrong shape is not also reported missing.
    expect(details({ resourceType: 'Observation', status: 'final', code: '心率' })).toEqual([
      ['Wrong JSON type: expected an object (CodeableConcept), got string', 'Observation.code'],
    ]);
  });

  it('an object where a primitive belongs', () => {
    expect(details({ resourceType: 'Patient', gender: { value: 'male' } })).toEqual([['Wrong JSON type: expected a single code value, got object', 'Patient.gender']]);
  });

  it('empty strings, arrays and objects', () => {
    expect(details({ resourceType: 'Patient', birthDate: '', name: [{}], telecom: [], meta: {} })).toEqual([
      ['Empty string is not allowed', 'Patient.birthDate'],
      ['Empty object is not allowed', 'Patient.name[0]'],
      ['Empty array is not allowed', 'Patient.telecom'],
      ['Empty object is not allowed', 'Patient.meta'],
    ]);
    expect(only({ resourceType: 'Observation', status: '', code: { text: '心率' } }).params).toEqual({ detail: 'Empty string is not allowed', zhDetail: '不允许空字符串' });
  });

  it('malformed primitive extensions', () => {
    const ext = { extension: [{ url: 'http://example.org/x', valueString: '注' }] };
    expect(details({ resourceType: 'Patient', gender: 'male', _gender: ext, name: [{ given: ['三', '丰'], _given: [null, ext] }] })).toEqual([]);
    expect(details({ resourceType: 'Patient', gender: 'male', _gender: 'x' })).toEqual([['Extensions of a primitive must be an object', 'Patient._gender']]);
    expect(details({ resourceType: 'Patient', gender: 'male', _gender: [ext] })).toEqual([['Extensions of a primitive must be an object', 'Patient._gender']]);
    const repeating = 'Extensions of a repeating primitive must be an array of objects, with null where a value has none';
    expect(details({ resourceType: 'Patient', name: [{ given: ['三'], _given: ext }] })).toEqual([[repeating, 'Patient.name[0]._given']]);
    expect(details({ resourceType: 'Patient', name: [{ given: ['三', '丰'], _given: ['x', ext] }] })).toEqual([[repeating, 'Patient.name[0]._given[0]']]);
    // `_name` only exists beside primitive elements.
    expect(details({ resourceType: 'Patient', _name: [ext], _nmae: ext })).toEqual([
      ['Unknown element "_name"', 'Patient._name'],
      ['Unknown element "_nmae"', 'Patient._nmae'],
    ]);
  });

  it('never throws on malformed input', () => {
    const malformed: unknown[] = [
      { resourceType: 'Patient', _gender: 5, _name: 'x', name: [1, null, 'x'], extension: [{ url: 1, valueReference: 'x' }] },
      { resourceType: 'Patient', gender: ['male'], managingOrganization: [{ reference: 5 }], meta: null, text: { status: 'generated', div: 5 } },
      { resourceType: 'Bundle', type: 'collection', entry: [{ resource: 'x' }, { resource: { resourceType: 5 } }, { resource: [{ resourceType: 'Patient' }] }] },
      { resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus: { coding: [null, 5, { code: 5 }] } },
      { resourceType: 'Parameters', parameter: [{ name: 'a', resource: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Nope' } }] } }] },
    ];
    for (const resource of malformed) expect(validateResource(resource).length).toBeGreaterThan(0);
  });
});

describe('validateResource: elements, as the definitions have them', () => {
  const details = (resource: unknown) => validateResource(resource).map((i) => [i.expression, i.params?.detail]);

  it('requires mandatory elements only inside the objects present, a choice by any of its types', () => {
    expect(found({ resourceType: 'Patient', link: [{ type: 'seealso' }] })).toEqual([['validation.failed', 'Patient.link[0].other']]);
    expect(found(observation({}))).toEqual([]);
    expect(details(observation({ component: [{ valueString: '正常' }] }))).toEqual([['Observation.component[0].code', 'Required element is missing']]);
    const medicationRequest = { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/1' } };
    expect(details(medicationRequest)).toEqual([['MedicationRequest.medication[x]', 'Required element is missing']]);
    expect(found({ ...medicationRequest, medicationCodeableConcept: { text: '阿司匹林' } })).toEqual([]);
    // A primitive with only an extension is present.
    expect(found({ ...observation({}), status: undefined, _status: { extension: [{ url: 'http://example.org/why', valueString: '未知' }] } })).toEqual([]);
    expect(details({ ...observation({}), status: null })).toEqual([
      ['Observation.status', 'null is not allowed here'],
      ['Observation.status', 'Required element is missing'],
    ]);
  });

  it('checks extensions: a url, and a value or nested extensions but not both', () => {
    const ext1 = 'Constraint ext-1 failed: Must have either extensions or value[x], not both';
    expect(
      details({
        resourceType: 'Patient',
        extension: [
          { valueString: '汉族' },
          { url: 'http://example.org/a', valueString: '甲', extension: [{ url: 'b', valueBoolean: true }] },
          { url: 'http://example.org/c' },
          { url: 'http://example.org/d', valueInteger: 1.5 },
        ],
        _birthDate: { extension: [{ valueDateTime: '1985-06-15T08:20:00+08:00' }] },
        birthDate: '1985-06-15',
      }),
    ).toEqual([
      ['Patient.extension[0].url', 'Required element is missing'],
      ['Patient.extension[1]', ext1],
      ['Patient.extension[2]', ext1],
      ['Patient.extension[3].valueInteger', 'Must be an integer'],
      ['Patient._birthDate.extension[0].url', 'Required element is missing'],
    ]);
  });

  it('knows a choice element only by the types it allows, and resourceType only on resources', () => {
    expect(details(observation({ valueString: '72', valueText: '72' }))).toEqual([['Observation.valueText', 'Unknown element "valueText"']]);
    expect(details({ resourceType: 'Patient', name: [{ resourceType: 'HumanName', text: '张三' }] })).toEqual([
      ['Patient.name[0].resourceType', 'Unknown element "resourceType"'],
    ]);
  });

  it('checks primitive formats by the R4 regexes and integer ranges', () => {
    expect(
      details({
        resourceType: 'Patient',
        active: 'true',
        multipleBirthInteger: 2147483648,
        deceasedDateTime: '2024-03-01T09:30:00',
        name: [{ text: '张\u3000三' }],
        photo: [{ contentType: 'image/png', data: 'aGk/+w==' }],
      }),
    ).toEqual([
      ['Patient.active', 'Wrong JSON type: expected boolean, got string'],
      ['Patient.multipleBirthInteger', 'Must be at most 2147483647'],
      ['Patient.deceasedDateTime', 'Not a valid FHIR dateTime'],
    ]);
  });

  it('allows null in a repeating primitive only where its extension has content', () => {
    expect(
      details({ resourceType: 'Patient', name: [{ given: ['三', null] }, { given: [null, '丰'], _given: [{ id: 'g' }, null] }, { given: [null], _given: [null] }] }),
    ).toEqual([
      ['Patient.name[0].given[1]', 'null is not allowed here'],
      ['Patient.name[2].given[0]', 'null is not allowed here'],
      ['Patient.name[2]._given[0]', 'null is not allowed here'],
    ]);
  });

  it('gives every issue inside arrays its index', () => {
    expect(details({ resourceType: 'Patient', name: [{ text: '张三' }, { given: '三', family: ['张'] }] })).toEqual([
      ['Patient.name[1].given', 'Element must be a JSON array'],
      ['Patient.name[1].family', 'Element must be a single value, not an array'],
    ]);
  });

  it('checks nested resources by their own definition, invariants of their elements included', () => {
    expect(
      details({
        resourceType: 'Patient',
        contained: [
          { resourceType: 'Observation', id: 'o1', code: { text: '心率' }, valueText: '72', component: [{ valueString: '正常' }] },
          { resourceType: 'Patient', id: 'p2', contact: [{ gender: 'female' }] },
        ],
      }),
    ).toEqual([
      ['Patient.contained[0].valueText', 'Unknown element "valueText"'],
      ['Patient.contained[0].component[0].code', 'Required element is missing'],
      ['Patient.contained[0].status', 'Required element is missing'],
      ['Patient.contained[1].contact[0]', "Constraint pat-1 failed: SHALL at least contain a contact's details or a reference to an organization"],
    ]);
  });

  it('skips members that are undefined, as JSON would', () => {
    expect(found({ resourceType: 'Patient', gender: undefined, name: [{ text: '张三', family: undefined }] })).toEqual([]);
  });
});

describe('validateResource: required bindings', () => {
  it('rejects Patient.gender "mle"', () => {
    expect(only({ resourceType: 'Patient', gender: 'mle' })).toEqual({
      messageId: 'validation.binding',
      params: { code: 'mle', valueSet: 'http://hl7.org/fhir/ValueSet/administrative-gender' },
      expression: 'Patient.gender',
    });
  });

  it('rejects Observation.status "bogus" and accepts a nested concept of the code system', () => {
    expect(found(observation({ status: 'bogus' }))).toEqual([['validation.binding', 'Observation.status']]);
    // 'corrected' is a child of 'amended' in http://hl7.org/fhir/observation-status.
    expect(found(observation({ status: 'corrected' }))).toEqual([]);
  });

  it('does not check example or extensible bindings (LOINC codes, SNOMED body sites)', () => {
    expect(found(observation({ bodySite: { coding: [{ system: 'http://snomed.info/sct', code: '368209003' }] } }))).toEqual([]);
    expect(found(observation({ code: { coding: [{ system: 'http://loinc.org', code: 'no-such-loinc' }] } }))).toEqual([]);
  });

  it('checks codes inside data types and backbone elements', () => {
    expect(
      found({
        resourceType: 'Patient',
        telecom: [{ system: 'phone', value: '1' }, { system: 'pager2', value: '2' }],
        link: [{ other: { reference: 'Patient/2' }, type: 'see-also' }],
      }),
    ).toEqual([
      ['validation.binding', 'Patient.telecom[1].system'],
      ['validation.binding', 'Patient.link[0].type'],
    ]);
    expect(found(observation({ valueQuantity: { value: 1, comparator: '<<' } }))).toEqual([
      ['validation.binding', 'Observation.valueQuantity.comparator'],
    ]);
  });

  it('needs one coding of a required CodeableConcept from the value set; others may accompany it', () => {
    const condition = (clinicalStatus: unknown) => ({ resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus });
    const system = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
    expect(found(condition({ coding: [{ system: 'http://example.org/local', code: 'A' }, { system, code: 'active' }] }))).toEqual([]);
    expect(only(condition({ coding: [{ system: 'http://example.org/local', code: 'A' }] }))).toMatchObject({
      messageId: 'validation.binding',
      params: { code: 'http://example.org/local|A' },
      expression: 'Condition.clinicalStatus',
    });
    // Without a system a code cannot be known to come from the value set.
    expect(found(condition({ coding: [{ code: 'active' }] }))).toEqual([['validation.binding', 'Condition.clinicalStatus']]);
    expect(only(condition({ text: '活动期' }))).toMatchObject({
      messageId: 'validation.failed',
      params: { detail: 'A code from the required value set http://hl7.org/fhir/ValueSet/condition-clinical is needed' },
      expression: 'Condition.clinicalStatus',
    });
  });

  it('skips required bindings it cannot expand locally (MIME types)', () => {
    expect(found({ resourceType: 'Patient', photo: [{ contentType: 'image/x-made-up', url: 'http://example.org/p.png' }] })).toEqual([]);
  });
});

describe('validateResource: references', () => {
  const subject = (reference: string, options?: ValidateOptions) => found(observation({ subject: { reference } }), options);

  it('accepts every literal form R4 allows', () => {
    for (const reference of [
      'Patient/123',
      'Patient/a.b-C',
      'Patient/123/_history/2',
      'https://other.example.org/fhir/Patient/9',
      'urn:uuid:1f9c3c8e-3b0a-4a52-9d0e-0f6f5b1c2d3e',
      'urn:oid:1.2.156.112604.1.2.1',
    ]) {
      expect([reference, subject(reference)]).toEqual([reference, []]);
    }
  });

  it('rejects malformed references with the reference element as expression', () => {
    for (const reference of ['Patient/张三', 'Patient/', 'Patient/1/_history/', 'Foo/1', 'patient 1', 'ftp://x/y', 'urn:uuid:123', '#a b']) {
      expect([reference, subject(reference)]).toEqual([reference, [['validation.reference-format', 'Observation.subject.reference']]]);
    }
    expect(only(observation({ subject: { reference: 'Patient/张三' } })).params).toEqual({ reference: 'Patient/张三' });
  });

  it('allows conditional references only when asked to', () => {
    expect(subject('Patient?identifier=http://example.org/mrn|123')).toEqual([['validation.reference-format', 'Observation.subject.reference']]);
    expect(subject('Patient?identifier=http://example.org/mrn|123', { allowConditionalReferences: true })).toEqual([]);
    expect(subject('Medication?code=123', { allowConditionalReferences: true })).toEqual([['validation.reference-type', 'Observation.subject.reference']]);
  });

  it('checks the target type against the element definition', () => {
    expect(only(observation({ subject: { reference: 'Medication/1' } }))).toEqual({
      messageId: 'validation.reference-type',
      params: { reference: 'Medication/1', allowed: 'Patient, Group, Device, Location' },
      expression: 'Observation.subject.reference',
    });
    // Observation.focus is Reference(Any).
    expect(found(observation({ focus: [{ reference: 'Medication/1' }] }))).toEqual([]);
  });

  it('resolves #id against contained resources, including their type', () => {
    expect(only({ resourceType: 'Patient', managingOrganization: { reference: '#p1' } })).toEqual({
      messageId: 'validation.reference-format',
      params: { reference: '#p1' },
      expression: 'Patient.managingOrganization.reference',
    });
    const org = { resourceType: 'Organization', id: 'org1', name: '协和医院' };
    expect(found({ resourceType: 'Patient', contained: [org], managingOrganization: { reference: '#org1' } })).toEqual([]);
    expect(found({ resourceType: 'Patient', contained: [{ ...org, resourceType: 'Location' }], managingOrganization: { reference: '#org1' } })).toEqual([
      ['validation.reference-type', 'Patient.managingOrganization.reference'],
    ]);
  });

  it('allows # (the container) only from inside a contained resource', () => {
    expect(found({ resourceType: 'Patient', generalPractitioner: [{ reference: '#' }] })).toEqual([
      ['validation.reference-format', 'Patient.generalPractitioner[0].reference'],
    ]);
    const provenance = {
      resourceType: 'Provenance',
      id: 'prov',
      target: [{ reference: '#' }],
      recorded: '2024-01-01T00:00:00Z',
      agent: [{ who: { display: '李医生' } }],
    };
    expect(found({ resourceType: 'Patient', contained: [provenance] })).toEqual([]);
  });

  it('checks references inside extensions and primitive extensions', () => {
    expect(
      found({
        resourceType: 'Patient',
        extension: [{ url: 'http://example.org/fhir/StructureDefinition/registrar', valueReference: { reference: 'Practitioner/李四' } }],
        _birthDate: { extension: [{ url: 'http://example.org/fhir/StructureDefinition/source', valueReference: { reference: 'bad ref' } }] },
      }),
    ).toEqual([
      ['validation.reference-format', 'Patient.extension[0].valueReference.reference'],
      ['validation.reference-format', 'Patient._birthDate.extension[0].valueReference.reference'],
    ]);
  });
});

describe('validateResource: nested resources are validated with their own type', () => {
  it('Bundle entries', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: { resourceType: 'Patient', gender: 'female' } },
        { resource: observation({ subject: { reference: 'Patient/1' } }) },
        { resource: { resourceType: 'Practitioner', name: [{ text: '王五' }] } },
        { resource: { resourceType: 'Patient', name: [{ use: 'nickname2', text: '小张' }], birthDate: '2024-02-30x' } },
        { resource: { resourceType: 'Foo' } },
      ],
    };
    expect(found(bundle)).toEqual([
      ['validation.failed', 'Bundle.entry[3].resource.birthDate'],
      ['validation.binding', 'Bundle.entry[3].resource.name[0].use'],
      ['resource.type-unknown', 'Bundle.entry[4].resource'],
    ]);
  });

  it('contained resources and Parameters.parameter.resource', () => {
    expect(
      found({
        resourceType: 'Patient',
        contained: [{ resourceType: 'Patient', id: 'bad id!', gender: 'x' }],
        link: [{ other: { reference: '#bad id!' }, type: 'seealso' }],
      }),
    ).toEqual([
      ['resource.id-invalid', 'Patient.contained[0].id'],
      ['validation.binding', 'Patient.contained[0].gender'],
      ['validation.reference-format', 'Patient.link[0].other.reference'],
    ]);
    expect(found({ resourceType: 'Patient', contained: [{ id: 'x', name: 'no type' }], gender: 'unknown', birthDate: '1990-1-1' })).toEqual([
      ['validation.failed', 'Patient.birthDate'],
      ['resource.missing-type', 'Patient.contained[0]'],
    ]);
    expect(
      found({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', gender: 'x', unknown: 1 } }] }),
    ).toEqual([
      ['validation.failed', 'Parameters.parameter[0].resource.unknown'],
      ['validation.binding', 'Parameters.parameter[0].resource.gender'],
    ]);
  });

  it('the invariants of the nested resource itself', () => {
    const bad = observation({ valueString: '72', dataAbsentReason: { text: '未测' } });
    const at = (resource: unknown) => validateResource(resource).map((i) => [i.code, i.expression, String(i.params?.detail).slice(0, 23)]);
    expect(at({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: observation({}) }, { resource: bad }] })).toEqual([
      ['invariant', 'Bundle.entry[1].resource', 'Constraint obs-6 failed'],
    ]);
    expect(at({ resourceType: 'Patient', contained: [{ ...bad, id: 'o1' }], extension: [{ url: 'http://example.org/obs', valueReference: { reference: '#o1' } }] })).toEqual([
      ['invariant', 'Patient.contained[0]', 'Constraint obs-6 failed'],
    ]);
    expect(at({ resourceType: 'Parameters', parameter: [{ name: 'result', resource: bad }] })).toEqual([
      ['invariant', 'Parameters.parameter[0].resource', 'Constraint obs-6 failed'],
    ]);
  });

  it('conditional references inside a transaction bundle', () => {
    const transaction = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:7d5b2d4e-52a4-4a4e-9f0a-3c1f5e8b9a10',
          resource: observation({ subject: { reference: 'Patient?identifier=http://example.org/mrn|123' } }),
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    };
    expect(found(transaction, { allowConditionalReferences: true })).toEqual([]);
    expect(found(transaction)).toEqual([['validation.reference-format', 'Bundle.entry[0].resource.subject.reference']]);
  });
});

describe('assertValid', () => {
  it('passes a valid resource and throws a 400 FhirError with every issue otherwise', () => {
    expect(() => assertValid({ resourceType: 'Patient', gender: 'female' })).not.toThrow();
    let error: unknown;
    try {
      assertValid({ resourceType: 'Patient', gender: 'mle', birthDate: 'yesterday' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FhirError);
    expect((error as FhirError).status).toBe(400);
    expect((error as FhirError).issues.map((i) => i.expression)).toEqual(['Patient.birthDate', 'Patient.gender']);
  });

  it('passes the conditional-reference option through', () => {
    const obs = observation({ subject: { reference: 'Patient?identifier=123' } });
    expect(() => assertValid(obs)).toThrow(FhirError);
    expect(() => assertValid(obs, { allowConditionalReferences: true })).not.toThrow();
  });
});
