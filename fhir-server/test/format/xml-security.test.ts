import type { Patient } from '@medplum/fhirtypes';
import { FhirError } from '../../src/errors/fhir-error.js';
import { resourceToXml, xmlToResource } from '../../src/format/xml.js';

const FHIR = 'http://hl7.org/fhir';

function messageOf(xml: string): string {
  try {
    xmlToResource(xml);
  } catch (error) {
    if (error instanceof FhirError) return error.issues[0]?.messageId ?? 'no issue';
    throw new Error(`expected a FhirError, got ${String(error)}`);
  }
  return 'accepted';
}

describe('DTDs are refused before parsing', () => {
  const attacks: [string, string][] = [
    [
      'billion laughs (internal entities)',
      `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Patient xmlns="${FHIR}"><gender value="&lol3;"/></Patient>`,
    ],
    ['an external entity', `<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Patient xmlns="${FHIR}"><gender value="&xxe;"/></Patient>`],
    ['a lower-case doctype', `<!doctype Patient><Patient xmlns="${FHIR}"/>`],
    ['parameter entities', `<!DOCTYPE Patient [<!ENTITY % remote SYSTEM "http://127.0.0.1/evil.dtd"> %remote;]><Patient xmlns="${FHIR}"/>`],
    ['a doctype after the root', `<Patient xmlns="${FHIR}"/><!DOCTYPE Patient>`],
    ['an entity declaration without a doctype', `<Patient xmlns="${FHIR}"><!ENTITY x "y"></Patient>`],
    ['a doctype with spaces and mixed case', `<!  DocType Patient SYSTEM "http://127.0.0.1/x.dtd"><Patient xmlns="${FHIR}"/>`],
  ];

  test.each(attacks)('%s', (_name, xml) => {
    expect(messageOf(xml)).toBe('body.xml-doctype');
  });

  test('an entity reference with no declaration is not expanded', () => {
    expect(messageOf(`<Patient xmlns="${FHIR}"><gender value="&xxe;"/></Patient>`)).toBe('body.malformed-xml');
  });
});

describe('malformed XML', () => {
  const documents: [string, string][] = [
    ['an empty string', ''],
    ['only whitespace', '  \n '],
    ['an unclosed tag', `<Patient xmlns="${FHIR}"><name>`],
    ['mismatched tags', `<Patient xmlns="${FHIR}"><name></family></Patient>`],
    ['text after the root', `<Patient xmlns="${FHIR}"/>trailing`],
    ['two roots', `<Patient xmlns="${FHIR}"/><Patient xmlns="${FHIR}"/>`],
    ['JSON', '{"resourceType":"Patient"}'],
    ['a duplicate attribute', `<Patient xmlns="${FHIR}"><gender value="a" value="b"/></Patient>`],
    ['a bare ampersand', `<Patient xmlns="${FHIR}"><gender value="a & b"/></Patient>`],
    ['a character reference to a forbidden character', `<Patient xmlns="${FHIR}"><gender value="&#0;"/></Patient>`],
    ['an undeclared prefix', '<f:Patient/>'],
  ];

  test.each(documents)('%s', (_name, xml) => {
    expect(messageOf(xml)).toBe('body.malformed-xml');
  });

  test('the detail says where the document broke', () => {
    try {
      xmlToResource(`<Patient xmlns="${FHIR}">\n  <name>\n</Patient>`);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(FhirError);
      expect(String((error as FhirError).issues[0]?.params?.detail)).toMatch(/line \d+/);
    }
  });

  test('every truncation or corruption of a valid document fails with a FhirError, never anything else', () => {
    const xml = resourceToXml({
      resourceType: 'Patient',
      id: 'p',
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>a &amp; b</p></div>' },
      name: [{ family: 'x', given: ['y', null], _given: [null, { extension: [{ url: 'http://e', valueInteger: 1 }] }] }],
      contained: [{ resourceType: 'Basic', code: { text: '<&>' } }],
    } as unknown as Patient);
    const outcomes = new Set<string>();
    for (let i = 0; i < xml.length; i++) {
      outcomes.add(messageOf(xml.slice(0, i)));
      for (const replacement of ['<', '>', '&', '"', '/', 'x']) outcomes.add(messageOf(xml.slice(0, i) + replacement + xml.slice(i + 1)));
    }
    // messageOf throws on anything that is not a FhirError; reaching here is the assertion.
    expect(outcomes.has('body.malformed-xml')).toBe(true);
  });
});
