import type { Bundle, Observation, Parameters, Patient, Resource } from '@medplum/fhirtypes';
import { FhirError } from '../../src/errors/fhir-error.js';
import { resourceToXml, xmlToResource } from '../../src/format/xml.js';

const FHIR = 'http://hl7.org/fhir';
const XHTML = 'http://www.w3.org/1999/xhtml';

function roundTrip(resource: Resource): Resource {
  return xmlToResource(resourceToXml(resource));
}

function thrown(action: () => unknown): FhirError {
  try {
    action();
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw new Error(`expected a FhirError, got ${String(error)}`);
  }
  throw new Error('expected a FhirError, nothing was thrown');
}

// FHIR JSON's `_field` siblings and null-aligned arrays are not in the @medplum/fhirtypes types.
const patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { versionId: '3', lastUpdated: '2024-05-01T08:30:00.000Z', profile: ['http://example.org/StructureDefinition/p'] },
  text: { status: 'generated', div: `<div xmlns="${XHTML}"><p>姓名 张三 &amp; <b>bold</b></p><br/></div>` },
  extension: [{ url: 'http://example.org/ext/birthplace', valueAddress: { city: '北京' } }],
  identifier: [{ system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345', period: { start: '2001-05-06' } }],
  active: true,
  name: [
    { id: 'n1', use: 'official', family: '张', given: ['三', 'Jim'], prefix: ['Dr.'] },
    { text: 'A "quoted" <name> & \'apostrophes\'', given: ['a', null], _given: [null, { id: 'g2', extension: [{ url: 'http://example.org/ext/x', valueBoolean: false }] }] } as never,
  ],
  gender: 'male',
  _gender: { extension: [{ url: 'http://example.org/ext/gender-detail', valueCode: 'm' }] },
  birthDate: '1974-12-25',
  _birthDate: { id: 'bd', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1974-12-25T14:35:45-05:00' }] },
  deceasedBoolean: false,
  multipleBirthInteger: 2,
  contact: [{ relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] }], name: { family: 'du Marché', _family: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-prefix', valueString: 'VV' }] } } as never }],
  managingOrganization: { reference: 'Organization/1' },
} as Patient;

describe('resourceToXml', () => {
  test('writes the root in the FHIR namespace and elements in StructureDefinition order, whatever the JSON key order', () => {
    const reversed = Object.fromEntries(Object.entries(patient).reverse()) as unknown as Patient;
    const xml = resourceToXml(reversed);
    expect(xml.startsWith(`<Patient xmlns="${FHIR}">`)).toBe(true);
    expect(xml.endsWith('</Patient>')).toBe(true);
    const order = ['<id value="p1"/>', '<meta>', '<text>', '<extension url="http://example.org/ext/birthplace">', '<identifier>', '<active value="true"/>', '<name id="n1">', '<gender', '<birthDate', '<deceasedBoolean value="false"/>', '<multipleBirthInteger value="2"/>', '<contact>', '<managingOrganization>'];
    const positions = order.map((fragment) => xml.indexOf(fragment));
    expect(positions).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Inside a data type too: HumanName is use, text, family, given, prefix.
    expect(xml).toContain('<name id="n1"><use value="official"/><family value="张"/><given value="三"/><given value="Jim"/><prefix value="Dr."/></name>');
  });

  test('writes ids and extensions of primitives from the _field siblings, aligned for arrays', () => {
    const xml = resourceToXml(patient);
    expect(xml).toContain('<given value="a"/><given id="g2"><extension url="http://example.org/ext/x"><valueBoolean value="false"/></extension></given>');
    expect(xml).toContain('<birthDate id="bd" value="1974-12-25"><extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime"><valueDateTime value="1974-12-25T14:35:45-05:00"/></extension></birthDate>');
    expect(xml).toContain('<gender value="male"><extension url="http://example.org/ext/gender-detail"><valueCode value="m"/></extension></gender>');
  });

  test('writes the narrative as literal XHTML and escapes attribute text', () => {
    const xml = resourceToXml(patient);
    expect(xml).toContain(`<text><status value="generated"/><div xmlns="${XHTML}"><p>姓名 张三 &amp; <b>bold</b></p><br/></div></text>`);
    expect(xml).toContain('<text value="A &quot;quoted&quot; &lt;name&gt; &amp; \'apostrophes\'"/>');
    const multiline = resourceToXml({ resourceType: 'Basic', id: 'b', code: { text: 'line 1\nline 2\ttab\r' } });
    expect(multiline).toContain('<text value="line 1&#xA;line 2&#x9;tab&#xD;"/>');
  });

  test('declares the XHTML namespace on a div that lacks it', () => {
    const xml = resourceToXml({ resourceType: 'Basic', text: { status: 'generated', div: '<div><p>x</p></div>' }, code: {} });
    expect(xml).toContain(`<div xmlns="${XHTML}"><p>x</p></div>`);
  });

  test('wraps contained resources and Bundle entry resources in an element named by the resource type', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: [{ resource: { resourceType: 'Patient', id: 'x', contained: [{ resourceType: 'Organization', id: 'o' }] }, response: { status: '400', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] } } }],
    };
    const xml = resourceToXml(bundle);
    expect(xml).toContain('<resource><Patient><id value="x"/><contained><Organization><id value="o"/></Organization></contained></Patient></resource>');
    expect(xml).toContain('<response><status value="400"/><outcome><OperationOutcome><issue><severity value="error"/><code value="invalid"/></issue></OperationOutcome></outcome></response>');
  });

  test('names choice elements by their type and prints numbers as JavaScript does', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'weight' },
      valueQuantity: { value: 72.25, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
      referenceRange: [{ low: { value: 1e-7 }, high: { value: 12345678901234 } }],
    };
    const xml = resourceToXml(observation);
    expect(xml).toContain('<valueQuantity><value value="72.25"/><unit value="kg"/>');
    expect(xml).toContain('<low><value value="1e-7"/></low><high><value value="12345678901234"/></high>');
  });

  test('refuses JSON that XML cannot carry instead of dropping it', () => {
    const unknown = thrown(() => resourceToXml({ resourceType: 'Patient', name: [{ family: 'x', nickname: 'y' }] } as never));
    expect(unknown.issues[0]).toMatchObject({ messageId: 'format.not-acceptable', expression: 'Patient.name[0].nickname' });
    const control = thrown(() => resourceToXml({ resourceType: 'Patient', gender: 'male\u0001' } as never));
    expect(control.issues[0]).toMatchObject({ messageId: 'format.not-acceptable', expression: 'Patient.gender' });
    expect(thrown(() => resourceToXml({ resourceType: 'NotAType' } as never)).issues[0]?.messageId).toBe('format.not-acceptable');
  });
});

describe('JSON → XML → JSON', () => {
  const cases: [string, Resource][] = [
    ['a Patient with primitive extensions, null-aligned arrays, Chinese text and characters to escape', patient],
    [
      'contained resources with a nested narrative',
      {
        resourceType: 'MedicationRequest',
        id: 'mr',
        contained: [
          { resourceType: 'Medication', id: 'med', code: { text: '阿莫西林 <500mg>' }, text: { status: 'generated', div: `<div xmlns="${XHTML}">Amoxicillin &lt;500mg&gt;</div>` } },
          { resourceType: 'Patient', id: 'pt', name: [{ given: [null, 'b'], _given: [{ extension: [{ url: 'http://example.org/a', valueInteger: -3 }] }, null] } as never] },
        ],
        status: 'active',
        intent: 'order',
        medicationReference: { reference: '#med' },
        subject: { reference: '#pt' },
        dosageInstruction: [{ timing: { repeat: { frequency: 3, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: { value: 0.5, unit: 'g' } }] }],
      },
    ],
    [
      'a transaction Bundle',
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a', resource: { resourceType: 'Patient', active: true, birthDate: '2000-01-01' }, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=http://x|1' } },
          { resource: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] }, subject: { reference: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a' }, valueCodeableConcept: { text: 'high' } }, request: { method: 'PUT', url: 'Observation/o1', ifMatch: 'W/"2"' } },
          { request: { method: 'DELETE', url: 'Patient?identifier=x' } },
        ],
      },
    ],
    [
      'Parameters with a resource part and nested parts',
      {
        resourceType: 'Parameters',
        parameter: [
          { name: 'resource', resource: { resourceType: 'Patient', id: 'in', gender: 'female' } },
          { name: 'count', valueInteger: 0 },
          { name: 'amount', valueDecimal: -12.5 },
          { name: 'flag', valueBoolean: true },
          { name: 'group', part: [{ name: 'inner', valueString: 'x & y' }, { name: 'deeper', part: [{ name: 'leaf', valueCode: 'a' }] }] },
        ],
      } satisfies Parameters,
    ],
    [
      'an Observation with quantities, components and decimals',
      {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'blood pressure' },
        component: [
          { code: { text: 'systolic' }, valueQuantity: { value: 120, unit: 'mm[Hg]', comparator: '<' } },
          { code: { text: 'ratio' }, valueRatio: { numerator: { value: 0.333 }, denominator: { value: 3e21 } } },
          { code: { text: 'text' }, valueString: '\'"<&>"\'' },
        ],
        valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '1234' }], text: '高' },
      },
    ],
    ['Binary data', { resourceType: 'Binary', contentType: 'application/pdf', data: 'JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+Pg==' }],
    ['a resource with only an id-less extension on a primitive', { resourceType: 'Patient', _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] } } as Patient],
    ['modifier extensions and element ids on backbone elements', { resourceType: 'Patient', modifierExtension: [{ url: 'http://example.org/m', valueString: 'm' }], communication: [{ id: 'c1', language: { text: 'zh' }, preferred: true, modifierExtension: [{ url: 'http://example.org/n', extension: [{ url: 'a', valueUri: 'urn:x' }] }] }] }],
  ];

  test.each(cases)('%s', (_name, resource) => {
    expect(roundTrip(resource)).toStrictEqual(resource);
  });
});

/** Written by hand from the rules of http://hl7.org/fhir/R4/xml.html, not by resourceToXml. */
const handWritten = `<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="fhir.xsl"?>
<!-- a comment before the root -->
<Patient xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://hl7.org/fhir ../../schema/patient.xsd">
  <id value="example"/>
  <text>
    <status value="generated"/>
    <div xmlns="http://www.w3.org/1999/xhtml">
      <p>Peter &amp; Jim <b>Chalmers</b> &#x5F20;</p>
    </div>
  </text>
  <identifier>
    <use value="usual"/>
    <!-- comments between elements are dropped -->
    <system value="urn:oid:1.2.36.146.595.217.0.1"/>
    <value value="12345"/>
  </identifier>
  <active value="true"/>
  <name id="n1">
    <use value="official"/>
    <family value="van de Heuvel">
      <extension url="http://hl7.org/fhir/StructureDefinition/humanname-own-prefix">
        <valueString value="van de"/>
      </extension>
    </family>
    <given value="Pieter"/>
    <given>
      <extension url="http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier">
        <valueCode value="CL"/>
      </extension>
    </given>
    <given value="&quot;Piet&quot; &lt;&#233;&gt;"/>
  </name>
  <birthDate value="1974-12-25"/>
  <multipleBirthInteger value="3"/>
  <address>
    <line value="534 Erewhon St&#xA;Apartment 2"/>
    <city value="PleasantVille"/>
  </address>
</Patient>
`;

const handWrittenJson = {
  resourceType: 'Patient',
  id: 'example',
  text: {
    status: 'generated',
    div: `<div xmlns="http://www.w3.org/1999/xhtml">
      <p>Peter &amp; Jim <b>Chalmers</b> &#x5F20;</p>
    </div>`,
  },
  identifier: [{ use: 'usual', system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345' }],
  active: true,
  name: [
    {
      id: 'n1',
      use: 'official',
      family: 'van de Heuvel',
      _family: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/humanname-own-prefix', valueString: 'van de' }] },
      given: ['Pieter', null, '"Piet" <é>'],
      _given: [null, { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier', valueCode: 'CL' }] }, null],
    },
  ],
  birthDate: '1974-12-25',
  multipleBirthInteger: 3,
  address: [{ line: ['534 Erewhon St\nApartment 2'], city: 'PleasantVille' }],
};

describe('xmlToResource', () => {
  test('reads a hand-written FHIR XML document', () => {
    expect(xmlToResource(handWritten)).toStrictEqual(handWrittenJson);
  });

  test('XML → JSON → XML → JSON is stable', () => {
    const first = xmlToResource(handWritten);
    const xml = resourceToXml(first);
    const second = xmlToResource(xml);
    expect(second).toStrictEqual(first);
    expect(resourceToXml(second)).toBe(xml);
  });

  test('accepts namespace prefixes, CRLF line ends, a byte order mark and an empty resource', () => {
    const prefixed = '\ufeff<f:Observation xmlns:f="http://hl7.org/fhir">\r\n  <f:status value="final"/>\r\n  <f:code><f:text value="a\r\nb"/></f:code>\r\n  <f:valueBoolean value="false"/>\r\n</f:Observation>';
    expect(xmlToResource(prefixed)).toStrictEqual({ resourceType: 'Observation', status: 'final', code: { text: 'a b' }, valueBoolean: false });
    expect(xmlToResource(`<Patient xmlns="${FHIR}"/>`)).toStrictEqual({ resourceType: 'Patient' });
  });

  test('reads nested resources in Bundle entries, responses and Parameters', () => {
    const xml = `<Bundle xmlns="${FHIR}"><type value="batch-response"/><entry><resource><Patient><id value="a"/></Patient></resource><response><status value="201"/><outcome><OperationOutcome><issue><severity value="information"/><code value="informational"/></issue></OperationOutcome></outcome></response></entry></Bundle>`;
    expect(xmlToResource(xml)).toStrictEqual({
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: [{ resource: { resourceType: 'Patient', id: 'a' }, response: { status: '201', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational' }] } } }],
    });
  });

  test('turns integers, decimals and booleans into JSON numbers and booleans', () => {
    const xml = `<Parameters xmlns="${FHIR}"><parameter><name value="a"/><valueDecimal value="1.50"/></parameter><parameter><name value="b"/><valueUnsignedInt value="0"/></parameter><parameter><name value="c"/><valueString value="007"/></parameter></Parameters>`;
    expect(xmlToResource(xml)).toStrictEqual({ resourceType: 'Parameters', parameter: [{ name: 'a', valueDecimal: 1.5 }, { name: 'b', valueUnsignedInt: 0 }, { name: 'c', valueString: '007' }] });
  });

  const rejected: [string, string, string, string | undefined][] = [
    ['an unknown element', `<Patient xmlns="${FHIR}"><name><foo value="x"/></name></Patient>`, 'body.malformed-xml', 'Patient.name[0].foo'],
    ['an unknown element in a contained resource', `<Patient xmlns="${FHIR}"><contained><Organization><bar/></Organization></contained></Patient>`, 'body.malformed-xml', 'Patient.contained[0].bar'],
    ['a choice element with a type the element does not allow', `<Patient xmlns="${FHIR}"><deceasedString value="x"/></Patient>`, 'body.malformed-xml', 'Patient.deceasedString'],
    ['id written as an element of a data type', `<Patient xmlns="${FHIR}"><name><id value="x"/></name></Patient>`, 'body.malformed-xml', 'Patient.name[0].id'],
    ['an unknown attribute', `<Patient xmlns="${FHIR}"><active value="true" foo="bar"/></Patient>`, 'body.malformed-xml', 'Patient.active'],
    ['a value attribute on a complex element', `<Patient xmlns="${FHIR}"><maritalStatus value="M"/></Patient>`, 'body.malformed-xml', 'Patient.maritalStatus'],
    ['a repeated single element', `<Patient xmlns="${FHIR}"><gender value="male"/><gender value="female"/></Patient>`, 'body.malformed-xml', 'Patient.gender'],
    ['text content in a FHIR element', `<Patient xmlns="${FHIR}"><gender>male</gender></Patient>`, 'body.malformed-xml', 'Patient.gender'],
    ['a boolean that is not one', `<Patient xmlns="${FHIR}"><active value="yes"/></Patient>`, 'body.malformed-xml', 'Patient.active'],
    ['an integer that is not one', `<Patient xmlns="${FHIR}"><multipleBirthInteger value="2.5"/></Patient>`, 'body.malformed-xml', 'Patient.multipleBirthInteger'],
    ['an undefined entity', `<Patient xmlns="${FHIR}"><gender value="&nbsp;"/></Patient>`, 'body.malformed-xml', 'Patient.gender'],
    ['an undefined entity in the narrative', `<Patient xmlns="${FHIR}"><text><status value="generated"/><div xmlns="${XHTML}">&nbsp;</div></text></Patient>`, 'body.malformed-xml', 'Patient.text.div'],
    ['a narrative outside the XHTML namespace', `<Patient xmlns="${FHIR}"><text><status value="generated"/><div>x</div></text></Patient>`, 'body.malformed-xml', 'Patient.text.div'],
    ['a root outside the FHIR namespace', '<Patient><active value="true"/></Patient>', 'body.malformed-xml', undefined],
    ['a root in another namespace', '<Patient xmlns="http://hl7.org/fhir/v3"/>', 'body.malformed-xml', undefined],
    ['an element outside the FHIR namespace', `<Patient xmlns="${FHIR}"><active xmlns="urn:other" value="true"/></Patient>`, 'body.malformed-xml', 'Patient.active'],
    ['an unknown root resource type', `<Patient2 xmlns="${FHIR}"/>`, 'resource.type-unknown', 'Patient2'],
    ['an unknown contained resource type', `<Patient xmlns="${FHIR}"><contained><Thing/></contained></Patient>`, 'resource.type-unknown', 'Patient.contained[0]'],
    ['two resources in one contained', `<Patient xmlns="${FHIR}"><contained><Basic/><Basic/></contained></Patient>`, 'body.malformed-xml', 'Patient.contained[0]'],
  ];

  test.each(rejected)('rejects %s', (_name, xml, messageId, expression) => {
    const error = thrown(() => xmlToResource(xml));
    expect(error.issues[0]?.messageId).toBe(messageId);
    expect(error.issues[0]?.expression).toBe(expression);
  });

  test('names the unknown element in the detail', () => {
    const error = thrown(() => xmlToResource(`<Patient xmlns="${FHIR}"><name><foo value="x"/></name></Patient>`));
    expect(error.issues[0]?.params).toEqual({ detail: 'unknown element <foo>' });
  });
});
