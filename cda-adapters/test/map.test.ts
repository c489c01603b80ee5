import { readFileSync } from 'node:fs';
import { fhirToCda } from '../src/generate/cda.js';
import { cdaToFhir, toTransaction } from '../src/map/document.js';
import { writeBody } from '../src/model/body.js';
import { readHeader, writeHeader } from '../src/model/header.js';
import { writeXml } from '../src/xml/write.js';
import { validateCda } from '../src/validate/validator.js';
import { parseXml } from '../src/xml/dom.js';
import { documentXml } from './fixtures/documents.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const labXml = readFileSync(new URL('./fixtures/C0007-lab-report.xml', import.meta.url));

function resources(xml: string | Buffer, type: string): Json[] {
  return cdaToFhir(parseXml(xml.toString())).entries.map((e) => e.resource as Json).filter((r) => r.resourceType === type);
}

describe('C0007 检验报告 → FHIR', () => {
  it('is valid', () => {
    expect(validateCda(labXml).filter((i) => i.severity !== 'information')).toEqual([]);
  });

  it('makes one Observation per lab item with code, value, unit, reference range and flag', () => {
    const labs = resources(labXml, 'Observation').filter((o) => o.category?.[0]?.coding?.[0]?.code === 'laboratory');
    expect(labs).toHaveLength(2);
    const wbc = labs.find((o) => o.code.coding[0].code === '6690-2') as Json;
    expect(wbc.code.coding[0]).toEqual({ system: 'http://loinc.org', code: '6690-2', display: '白细胞计数' });
    expect(wbc.valueQuantity).toEqual({ value: 11.2, unit: '10*9/L' });
    expect(wbc.referenceRange).toEqual([{ text: '3.5-9.5' }]);
    expect(wbc.interpretation[0].coding[0].code).toBe('H');
    expect(wbc.specimen).toEqual({ display: '全血' });
    expect(wbc.effectiveDateTime).toBe('2024-03-01T14:00:00+08:00');
    // The result code has no field of its own: kept as a component with its data-element code.
    expect(wbc.component).toEqual([
      { code: { coding: [{ system: 'urn:oid:2.16.156.10011.2.2.1', code: 'DE04.30.017.00', display: '检验结果代码' }] }, valueCodeableConcept: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.2.38', code: '2', display: '异常' }] } },
    ]);
  });

  it('keeps data elements without a specific mapping as Observations coded with the data element', () => {
    const generic = resources(labXml, 'Observation').find((o) => o.code.coding[0].code === 'DE04.30.018.00') as Json;
    expect(generic.code.coding[0].system).toBe('urn:oid:2.16.156.10011.2.2.1');
    expect(generic.valueString).toBe('血液学');
  });

  it('makes a DiagnosticReport over the lab results', () => {
    const mapped = cdaToFhir(parseXml(labXml.toString()));
    const report = mapped.entries.find((e) => e.resource.resourceType === 'DiagnosticReport')?.resource as Json;
    expect(report.category[0].coding[0].code).toBe('LAB');
    const labUrls = mapped.entries.filter((e) => (e.resource as Json).category?.[0]?.coding?.[0]?.code === 'laboratory').map((e) => e.fullUrl);
    expect(report.result.map((r: Json) => r.reference)).toEqual(labUrls);
  });

  it('maps the header: patient identifiers as urn:oid systems, matched by resident ID first', () => {
    const mapped = cdaToFhir(parseXml(labXml.toString()));
    const patient = mapped.entries.find((e) => e.resource.resourceType === 'Patient');
    expect((patient?.resource as Json).identifier).toEqual([
      { system: 'urn:oid:2.16.156.10011.1.3', value: '440106199203150022' },
      { system: 'urn:oid:2.16.156.10011.1.11', value: 'MZ0301009' },
    ]);
    expect(patient?.ifNoneExist).toBe('identifier=urn%3Aoid%3A2.16.156.10011.1.3|440106199203150022');
    expect((patient?.resource as Json).gender).toBe('female');
    const practitioners = mapped.entries.filter((e) => e.resource.resourceType === 'Practitioner');
    expect(practitioners.map((p) => (p.resource as Json).name[0].text).sort()).toEqual(['赵检验', '钱主任']);
    const composition = mapped.entries.find((e) => e.fullUrl === mapped.composition)?.resource as Json;
    expect(composition.type.coding[0]).toEqual({ system: 'urn:oid:2.16.156.10011.2.4', code: 'C0007', display: '检验报告' });
    expect(composition.attester[0]).toMatchObject({ mode: 'legal', time: '2024-03-01T16:00:00+08:00' });
    expect(composition.section[0].code).toEqual({ text: '检验章节' });
    expect(composition.section[0].entry).toHaveLength(3);
  });
});

describe('a Composition whose legal attester has no time', () => {
  it('is signed as dated: the generated document has legalAuthenticator/time and validates clean', () => {
    const mapped = cdaToFhir(parseXml(documentXml('C0001')));
    const byUrl = new Map(mapped.entries.map((e) => [e.fullUrl, e.resource]));
    const composition = byUrl.get(mapped.composition) as Json;
    composition.attester = composition.attester.map(({ time: _time, ...a }: Json) => a);
    expect(composition.attester[0]).toEqual({ mode: 'legal', party: { reference: mapped.refs.legal } });
    const again = fhirToCda(composition, (ref) => (ref ? byUrl.get(ref) : undefined));
    expect(readHeader(parseXml(again)).legalAuthenticator?.time).toBe(readHeader(parseXml(again)).effectiveTime);
    expect(validateCda(again).filter((i) => i.severity !== 'information')).toEqual([]);
  });
});

describe('C0007 检验报告: a signer role named by displayName only', () => {
  it('is the PractitionerRole.code text and comes back as <code displayName="…"/>', () => {
    const mapped = cdaToFhir(parseXml(labXml.toString()));
    const byUrl = new Map(mapped.entries.map((e) => [e.fullUrl, e.resource]));
    const legal = byUrl.get(mapped.refs.legal as string) as Json;
    expect(legal.resourceType).toBe('PractitionerRole');
    expect(legal.code).toEqual([{ text: '检验报告审核医师' }]);
    const again = fhirToCda(byUrl.get(mapped.composition) as Json, (ref) => (ref ? byUrl.get(ref) : undefined));
    const signer = again.slice(again.indexOf('<legalAuthenticator>'), again.indexOf('</legalAuthenticator>'));
    expect(signer).toMatch(/<code displayName="检验报告审核医师"\/>/);
    expect(readHeader(parseXml(again)).legalAuthenticator?.role).toEqual({ type: 'CD', code: '', displayName: '检验报告审核医师' });
    expect(validateCda(again).filter((i) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
  });
});

describe('clinical mappings of the other fully mapped types', () => {
  it('C0002: diagnoses → Condition (ICD-10), allergy → AllergyIntolerance, drugs → MedicationRequest', () => {
    const xml = documentXml('C0002');
    const [condition] = resources(xml, 'Condition');
    expect(condition?.code.coding[0]).toEqual({ system: 'urn:oid:2.16.156.10011.2.3.3.11', code: 'J20.900', display: '急性支气管炎' });
    const [allergy] = resources(xml, 'AllergyIntolerance');
    expect(allergy?.code.text).toBe('青霉素过敏');
    const [med] = resources(xml, 'MedicationRequest');
    expect(med?.medicationCodeableConcept.text).toBe('阿莫西林胶囊');
    expect(med?.dosageInstruction[0]).toEqual({
      doseAndRate: [{ doseQuantity: { value: 0.5, unit: 'g' } }],
      route: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.1.158', code: '1', display: '口服' }] },
      text: 'tid',
    });
    const chief = resources(xml, 'Observation').find((o) => o.code.coding[0].code === 'DE04.01.119.00');
    expect(chief?.valueString).toBe('反复咳嗽3天');
  });

  it('C0053: diagnosis name with nested code → one Condition; procedures → Procedure', () => {
    const xml = documentXml('C0053');
    const conditions = resources(xml, 'Condition');
    const discharge = conditions.find((c) => c.code.text === '社区获得性肺炎');
    expect(discharge?.code.coding[0].code).toBe('J18.900');
    const [procedure] = resources(xml, 'Procedure');
    expect(procedure?.code).toEqual({ coding: [{ system: 'urn:oid:2.16.156.10011.2.3.3.12', code: '33.22', display: '纤维支气管镜检查' }], text: '纤维支气管镜检查' });
    expect(procedure?.performedDateTime).toBe('2024-01-06');
  });

  it('C0006: each exam item → an imaging Observation with findings and impression, summarised by a RAD DiagnosticReport', () => {
    const mapped = cdaToFhir(parseXml(documentXml('C0006')));
    const exam = mapped.entries.find((e) => (e.resource as Json).category?.[0]?.coding?.[0]?.code === 'imaging');
    expect((exam?.resource as Json).code.coding[0]).toEqual({ code: '胸部CT平扫' });
    expect((exam?.resource as Json).valueString).toBe('右下肺见斑片影');
    expect((exam?.resource as Json).note).toEqual([{ text: '右下肺炎症' }]);
    const report = mapped.entries.find((e) => e.resource.resourceType === 'DiagnosticReport')?.resource as Json;
    expect(report.category[0].coding[0].code).toBe('RAD');
    expect(report.result).toEqual([{ reference: exam?.fullUrl }]);
    const media = mapped.entries.find((e) => e.resource.resourceType === 'Media')?.resource as Json;
    expect(media.content.contentType).toBe('image/png');
    expect(Buffer.from(media.content.data, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('a patient known only by a hospital number is matched within the custodian, its visit is the document\'s own', () => {
    const xml = documentXml('C0002').replace(/<id root="2.16.156.10011.1.3" extension="\d+X?"\/>/, '');
    const mapped = cdaToFhir(parseXml(xml));
    const patient = mapped.entries.find((e) => e.resource.resourceType === 'Patient');
    const custodian = mapped.entries.find((e) => e.resource.resourceType === 'Organization' && (e.resource as Json).name === '北京示例医院');
    expect(patient?.ifNoneExist).toBe('identifier=urn%3Aoid%3A2.16.156.10011.1.11|MZ20240105001&organization.identifier=urn%3Aoid%3A2.16.156.10011.1.5|12110000400000001X');
    expect((patient?.resource as Json).managingOrganization).toEqual({ reference: custodian?.fullUrl });
    const encounter = mapped.entries.find((e) => e.resource.resourceType === 'Encounter');
    expect(encounter?.ifNoneExist).toBe('identifier=https%3A%2F%2Fqiao.health%2Ffhir%2FNamingSystem%2Fcda-entry|2.16.156.10011.1.1%5EDOC-C0002-0001%23encounter');
  });

  it('the location chain becomes Locations under the department and hospital organisations', () => {
    const mapped = cdaToFhir(parseXml(documentXml('C0034')));
    const locations = mapped.entries.filter((e) => e.resource.resourceType === 'Location').map((e) => e.resource as Json);
    expect(locations.map((l) => l.name)).toEqual(['内科三病区', '305病房', '12床']);
    const orgs = mapped.entries.filter((e) => e.resource.resourceType === 'Organization').map((e) => (e.resource as Json).name);
    expect(orgs).toEqual(['北京示例医院', '呼吸内科']);
    const encounter = mapped.entries.find((e) => e.resource.resourceType === 'Encounter')?.resource as Json;
    expect(encounter.identifier).toEqual([{ system: 'urn:oid:2.16.156.10011.1.11', value: 'MZ20240105001' }]);
    expect(encounter.class.code).toBe('AMB');
  });

  it('the transaction stores the original as a Binary and registers it with its SM3 hash', () => {
    const bytes = Buffer.from(documentXml('C0001', { replaces: 'DOC-C0001-0000' }));
    const bundle = toTransaction(cdaToFhir(parseXml(bytes.toString())), bytes) as Json;
    const binary = bundle.entry.find((e: Json) => e.resource.resourceType === 'Binary');
    expect(Buffer.from(binary.resource.data, 'base64').equals(bytes)).toBe(true);
    expect(binary.request).toEqual({ method: 'PUT', url: `Binary/${binary.resource.id}` });
    const ref = bundle.entry.find((e: Json) => e.resource.resourceType === 'DocumentReference');
    expect(ref.resource.extension[0].valueString).toMatch(/^[0-9a-f]{64}$/);
    expect(ref.resource.relatesTo).toEqual([{ code: 'replaces', target: { identifier: { system: 'urn:oid:2.16.156.10011.1.1', value: 'DOC-C0001-0000' } } }]);
    expect(ref.request.ifNoneExist).toBe('identifier=urn%3Aoid%3A2.16.156.10011.1.1|DOC-C0001-0001');
    // Every other entry is a conditional create, so a re-import matches instead of duplicating.
    expect(bundle.entry.filter((e: Json) => e.request.method === 'POST' && !e.request.ifNoneExist)).toEqual([]);
  });

  it('names the Binary by its bytes, so no import can put other bytes under a stored Binary', () => {
    const binaryOf = (xml: string) => {
      const bytes = Buffer.from(xml);
      return (toTransaction(cdaToFhir(parseXml(xml)), bytes) as Json).entry.find((e: Json) => e.resource.resourceType === 'Binary');
    };
    const original = documentXml('C0001');
    const changed = original.replace('否认慢性病史', '高血压10年');
    expect(changed).not.toBe(original);
    expect(binaryOf(original).resource.id).toBe(binaryOf(original).resource.id);
    expect(binaryOf(changed).resource.id).not.toBe(binaryOf(original).resource.id);
    expect(binaryOf(original).resource.id).toMatch(/^cda-[0-9a-f]{48}$/);
  });
});

describe('Composition sections FHIR accepts (cmp-1: text, entries or sub-sections)', () => {
  it('an empty CDA section keeps its title as its narrative and says why it is empty', () => {
    const xml = documentXml('C0001').replace('<structuredBody>', '<structuredBody><component><section><title>空章节 &amp; 其他</title></section></component>');
    expect(validateCda(xml).filter((i) => i.severity === 'error')).toEqual([]);
    const mapped = cdaToFhir(parseXml(xml));
    const composition = mapped.entries.find((e) => e.fullUrl === mapped.composition)?.resource as Json;
    expect(composition.section[0]).toEqual({
      title: '空章节 & 其他',
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">空章节 &amp; 其他</div>' },
      emptyReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'unavailable', display: 'Unavailable' }] },
    });
    // Sections with content say nothing of the kind.
    expect(composition.section[1].emptyReason).toBeUndefined();
  });

  it('comes back to CDA as the title-only section it was', () => {
    const xml = documentXml('C0001').replace('<structuredBody>', '<structuredBody><component><section><title>空章节</title></section></component>');
    const mapped = cdaToFhir(parseXml(xml));
    const byUrl = new Map(mapped.entries.map((e) => [e.fullUrl, e.resource]));
    const again = fhirToCda(byUrl.get(mapped.composition) as Json, (ref) => (ref ? byUrl.get(ref) : undefined));
    const section = again.slice(again.indexOf('<title>空章节</title>'), again.indexOf('</section>'));
    expect(section).toMatch(/^<title>空章节<\/title>\s*<text\/>\s*$/);
  });
});

describe('C0032 住院病案首页 (hand-written)', () => {
  const frontPage = readFileSync(new URL('./fixtures/C0032-front-page.xml', import.meta.url), 'utf8');

  it('a diagnosis written as an organizer of data elements (name + code) is a Condition', () => {
    const [condition, ...others] = resources(frontPage, 'Condition');
    expect(others).toEqual([]);
    expect(condition?.code).toEqual({
      coding: [{ system: 'urn:oid:2.16.156.10011.2.3.3.11', code: 'K80.200', display: '胆囊结石' }],
      text: '胆囊结石伴慢性胆囊炎',
    });
    expect(condition?.meta.tag[0].code).toBe('diagnosis-name-organizer');
    // 入院病情 has no Condition field: kept as a data element.
    expect(condition?.extension).toEqual([
      {
        url: 'https://qiao.health/fhir/StructureDefinition/cda-data-element',
        extension: [
          { url: 'code', valueCoding: { system: 'urn:oid:2.16.156.10011.2.2.1', code: 'DE09.00.104.00', display: '入院病情代码' } },
          { url: 'value', valueCodeableConcept: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.1.253', code: '1', display: '有' }] } },
        ],
      },
    ]);
    expect(resources(frontPage, 'Observation').filter((o) => o.code.coding[0].code === 'DE05.01.025.00')).toEqual([]);
  });

  it('keeps the dose form (administrationUnitCode) on the MedicationRequest and writes it back', () => {
    const [med] = resources(frontPage, 'MedicationRequest');
    expect(med?.extension).toContainEqual({
      url: 'https://qiao.health/fhir/StructureDefinition/cda-data-element',
      extension: [
        { url: 'code', valueCoding: { system: 'urn:oid:2.16.156.10011.2.2.1', code: 'DE08.50.011.00', display: '药物剂型代码' } },
        { url: 'value', valueCodeableConcept: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.1.211', code: '16', display: '注射液(水针剂),油针剂,混悬针剂' }] } },
      ],
    });
    const mapped = cdaToFhir(parseXml(frontPage));
    const byUrl = new Map(mapped.entries.map((e) => [e.fullUrl, e.resource]));
    const again = fhirToCda(byUrl.get(mapped.composition) as Json, (ref) => (ref ? byUrl.get(ref) : undefined));
    expect(again).toContain('<administrationUnitCode code="16" codeSystem="2.16.156.10011.2.3.1.211" displayName="注射液(水针剂),油针剂,混悬针剂"/>');
    expect(again).not.toContain('DE08.50.011.00');
    expect(validateCda(again).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('reads and writes the visit code (入院途径, encompassingEncounter/code)', () => {
    const header = readHeader(parseXml(frontPage));
    expect(header.encounter?.code).toEqual({ type: 'CD', code: '2', codeSystem: '2.16.156.10011.2.3.1.270', codeSystemName: '入院途径代码表', displayName: '门诊' });
    const written = writeXml(writeHeader(header, writeBody([])));
    expect(written).toMatch(/<encompassingEncounter>\s*<code code="2" codeSystem="2.16.156.10011.2.3.1.270" codeSystemName="入院途径代码表" displayName="门诊"\/>\s*<effectiveTime>/);
  });

  it('keeps the 入院途径 through FHIR (Encounter.hospitalization.admitSource) and back to CDA', () => {
    const mapped = cdaToFhir(parseXml(frontPage));
    const byUrl = new Map(mapped.entries.map((e) => [e.fullUrl, e.resource]));
    const encounter = byUrl.get(mapped.encounter as string) as Json;
    expect(encounter.hospitalization).toEqual({ admitSource: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.1.270', code: '2', display: '门诊' }] } });
    expect(encounter.type).toBeUndefined();
    const again = fhirToCda(byUrl.get(mapped.composition) as Json, (ref) => (ref ? byUrl.get(ref) : undefined));
    expect(readHeader(parseXml(again)).encounter?.code).toMatchObject({ code: '2', codeSystem: '2.16.156.10011.2.3.1.270', displayName: '门诊' });
    // Any other visit code types the Encounter, and comes back the same way.
    const typed = frontPage.replace('codeSystem="2.16.156.10011.2.3.1.270" codeSystemName="入院途径代码表"', 'codeSystem="2.16.156.10011.2.3.1.999"');
    const other = cdaToFhir(parseXml(typed));
    const otherByUrl = new Map(other.entries.map((e) => [e.fullUrl, e.resource]));
    expect((otherByUrl.get(other.encounter as string) as Json).type).toEqual([{ coding: [{ system: 'urn:oid:2.16.156.10011.2.3.1.999', code: '2', display: '门诊' }] }]);
    const otherAgain = fhirToCda(otherByUrl.get(other.composition) as Json, (ref) => (ref ? otherByUrl.get(ref) : undefined));
    expect(readHeader(parseXml(otherAgain)).encounter?.code).toMatchObject({ code: '2', codeSystem: '2.16.156.10011.2.3.1.999' });
  });

  it('the organizer form with the code first is a Condition too', () => {
    const codeFirst = frontPage.replace(
      /(<component>\s*<observation[^>]*>\s*<code code="DE05.01.025.00"[\s\S]*?<\/component>)(\s*)(<component>\s*<observation[^>]*>\s*<code code="DE05.01.024.00"[\s\S]*?<\/component>)/,
      '$3$2$1',
    );
    expect(codeFirst).not.toBe(frontPage);
    const [condition] = resources(codeFirst, 'Condition');
    expect(condition?.code).toEqual({ coding: [{ system: 'urn:oid:2.16.156.10011.2.3.3.11', code: 'K80.200', display: '胆囊结石' }], text: '胆囊结石伴慢性胆囊炎' });
    expect(condition?.meta.tag[0].code).toBe('diagnosis-code-organizer');
  });
});
