import { cdaToFhir } from '../src/map/document.js';
import { composeDocument, fhirToCda } from '../src/generate/cda.js';
import { documentType, type DocumentType } from '../src/tables/document-types.js';
import { validateCda } from '../src/validate/validator.js';
import { parseXml, elements, attr, textOf, type XElement } from '../src/xml/dom.js';
import { readValue } from '../src/map/values.js';
import { documentXml, FULLY_MAPPED } from './fixtures/documents.js';

type Json = Record<string, unknown>;

/** Every data element of a document as `code=value` strings (with the item it belongs to). */
function dataElements(xml: string): string[] {
  const out: string[] = [];
  const walk = (e: XElement) => {
    for (const c of elements(e)) {
      if (['observation', 'procedure', 'substanceAdministration', 'observationMedia'].includes(c.name)) {
        const code = elements(c, 'code')[0];
        const value = readValue(elements(c, 'value')[0]);
        out.push(`${c.name}:${attr(code, 'code') ?? ''}=${JSON.stringify(value ?? null)}`);
      }
      walk(c);
    }
  };
  walk(parseXml(xml));
  return out.sort();
}

function headerFacts(xml: string): string[] {
  const root = parseXml(xml);
  const facts: string[] = [];
  const walk = (e: XElement, path: string) => {
    if (path.includes('structuredBody')) return;
    for (const [k, v] of Object.entries(e.attrs)) if (!k.startsWith('xmlns') && k !== 'codeSystemName') facts.push(`${path}@${k}=${v}`);
    const text = e.children.filter((c) => typeof c === 'string').join('').trim();
    if (text) facts.push(`${path}=${textOf(e)}`);
    for (const c of elements(e)) walk(c, `${path}/${c.name}`);
  };
  walk(root, '');
  return facts.sort();
}

describe('CDA → FHIR → CDA keeps every mapped data element', () => {
  it.each(FULLY_MAPPED)('%s', (code) => {
    const xml = documentXml(code);
    expect(validateCda(xml).filter((i) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
    const mapped = cdaToFhir(parseXml(xml));
    const byUrl = new Map(mapped.entries.map((e) => [e.fullUrl, e.resource]));
    const composition = byUrl.get(mapped.composition) as Json;
    const again = fhirToCda(composition, (ref) => (ref ? byUrl.get(ref) : undefined));
    expect(dataElements(again)).toEqual(dataElements(xml));
    expect(headerFacts(again)).toEqual(headerFacts(xml));
    expect(validateCda(again).filter((i) => i.severity !== 'information')).toEqual([]);
  });
});

describe('entries the tables do not know', () => {
  it('keep their own code system through the round trip', () => {
    const loinc = '<entry><observation classCode="OBS" moodCode="EVN"><code code="8867-4" codeSystem="2.16.840.1.113883.6.1" displayName="心率"/><value xsi:type="PQ" value="72" unit="/min"/></observation></entry>';
    const xml = documentXml('C0002').replace('<title>体格检查</title>', `<title>体格检查</title>${loinc}`);
    const mapped = cdaToFhir(parseXml(xml));
    const byUrl = new Map(mapped.entries.map((e) => [e.fullUrl, e.resource]));
    const heartRate = mapped.entries.find((e) => JSON.stringify(e.resource.code ?? null).includes('8867-4'))?.resource as Json;
    expect((heartRate.code as Json).coding).toEqual([{ system: 'http://loinc.org', code: '8867-4', display: '心率' }]);
    const again = fhirToCda(byUrl.get(mapped.composition) as Json, (ref) => (ref ? byUrl.get(ref) : undefined));
    expect(dataElements(again)).toEqual(dataElements(xml));
  });
});

describe('generation from data another system stored', () => {
  it('places an untagged laboratory Observation as a lab item of a 检验报告', () => {
    const type = documentType('C0007') as DocumentType;
    const observation = {
      resourceType: 'Observation',
      id: 'glu',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: '葡萄糖' }] },
      valueQuantity: { value: 5.2, unit: 'mmol/L' },
      referenceRange: [{ text: '3.9-6.1' }],
    };
    const composition = composeDocument(type, { patient: 'Patient/p', documentId: { root: '2.16.156.10011.1.1', extension: 'G-1' }, date: '2024-03-01T10:00:00+08:00' }, [observation]);
    const xml = fhirToCda(composition, (ref) => (ref === 'Observation/glu' ? observation : ref === 'Patient/p' ? { resourceType: 'Patient', name: [{ text: '测试' }] } : undefined));
    expect(xml).toContain('<code code="DE04.30.019.00" codeSystem="2.16.156.10011.2.2.1"');
    expect(xml).toContain('<value xsi:type="CD" code="2345-7" codeSystem="2.16.840.1.113883.6.1" displayName="葡萄糖"/>');
    expect(xml).toContain('<value xsi:type="PQ" value="5.2" unit="mmol/L"/>');
    // No author or custodian were given: the validator says so instead of the document passing.
    expect(validateCda(xml).map((i) => i.id)).toEqual(expect.arrayContaining(['CDA-HDR-015', 'CDA-HDR-016']));
  });

  it('places a diagnosis in the section its diagnosis role names, else the first that accepts it', () => {
    const type = documentType('C0049') as DocumentType;
    const condition = (id: string, role?: string) => ({
      resourceType: 'Condition',
      id,
      ...(role ? { category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/diagnosis-role', code: role }] }] } : {}),
      code: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.3.11', code: 'J18.900', display: '肺炎' }] },
      subject: { reference: 'Patient/p' },
    });
    const composition = composeDocument(type, { patient: 'Patient/p', documentId: { root: '2.16.156.10011.1.1', extension: 'G-2' }, date: '2024-03-01T10:00:00+08:00' }, [
      condition('discharge', 'DD'),
      condition('admission', 'AD'),
      condition('unnamed'),
    ]);
    const entriesOf = (code: string) => ((composition.section as Json[]).find((s) => ((s.code as Json).coding as Json[])[0]?.code === code)?.entry as Json[] | undefined)?.map((e) => e.reference);
    expect(entriesOf('46241-6')).toEqual(['Condition/admission', 'Condition/unnamed']);
    expect(entriesOf('11535-2')).toEqual(['Condition/discharge']);
  });
});
