import type { ValueSet } from '@medplum/fhirtypes';
import { createTerminology, NATIONAL, shippedContent, type Terminology } from '../src/index.js';

const VS = (id: string) => `https://qiao.health/fhir/ValueSet/${id}`;
const OID = (arc: string) => `urn:oid:2.16.156.10011.${arc}`;

describe('the WS 364 and WS/T 500 value sets the CDA documents and profiles use', () => {
  let t: Terminology;
  beforeAll(() => {
    t = createTerminology({ resources: shippedContent() });
  });

  it.each([
    ['ws364-cv06-00-102', NATIONAL.medicationRoute, '2.3.1.158', 23, '404', '静脉注射或静脉滴注'],
    ['ws364-cv08-50-002', NATIONAL.dosageForm, '2.3.1.211', 78, '16', '注射液(水针剂),油针剂,混悬针剂'],
    ['ws364-cv06-00-103', NATIONAL.anaesthesiaMethod, '2.3.1.159', 21, '41', '静吸复合全麻'],
    ['ws364-cv05-10-019', NATIONAL.admissionCondition, '2.3.1.253', 4, '2', '临床未确定'],
    ['ws364-cv05-10-022', NATIONAL.woundClass, '2.3.1.256', 4, '1', '0类切口'],
    ['ws364-cv05-10-024', NATIONAL.surgeryLevel, '2.3.1.258', 4, '4', '四级手术'],
    ['ws364-cv06-00-226', NATIONAL.dischargeDisposition, '2.3.1.265', 6, '3', '医嘱转社区卫生服务机构/乡镇卫生院'],
    ['ws364-cv09-00-404', NATIONAL.patientType, '2.3.1.271', 4, '2', '急诊'],
    ['wst500-medical-record-quality', NATIONAL.medicalRecordQuality, '2.3.2.29', 3, '1', '甲'],
    ['ws364-cv04-50-021', OID('2.3.1.251'), '2.3.1.251', 28, '42', '新鲜冰冻血浆'],
    ['ws364-cv08-30-005', OID('2.3.1.209'), '2.3.1.209', 5, '4', '师级/助理'],
    ['wst500-examination-result', OID('2.3.2.38'), '2.3.2.38', 3, '2', '异常'],
    ['wst500-transfusion-history', OID('2.3.2.42'), '2.3.2.42', 3, '9', '未说明'],
    ['wst500-order-category', OID('2.3.2.58'), '2.3.2.58', 3, '2', '临时医嘱'],
  ])('%s: code system %s (…%s) with an all-codes value set', (id, url, oid, count, code, display) => {
    expect(url).toBe(`urn:oid:2.16.156.10011.${oid}`);
    const cs = t.codeSystem(url);
    expect(cs?.identifier?.[0]?.value).toBe(url);
    expect(cs?.valueSet).toBe(VS(id));
    const expansion = t.expand(VS(id));
    expect(expansion.total).toBe(count);
    expect(t.lookup(url, code).display).toBe(display);
    expect(t.inValueSet(VS(id), url, code)).toBe(true);
    expect(t.inValueSet(VS(id), url, '999')).toBe(false);
    expect(t.validateCode({ url: VS(id), system: url, code: '999' }).issues[0]?.zh).toBeTruthy();
  });

  it('keeps the hierarchy of the tables that have one', () => {
    expect(t.lookup(NATIONAL.medicationRoute, '4').children).toEqual(['401', '402', '403', '404']);
    expect(t.subsumes(NATIONAL.medicationRoute, '6', '606')).toBe('subsumes');
    expect(t.subsumes(NATIONAL.anaesthesiaMethod, '45', '4')).toBe('subsumed-by');
    expect(t.subsumes(NATIONAL.anaesthesiaMethod, '21', '31')).toBe('not-subsumed');
    // 输血品种: the components are kinds of their group (浓缩红细胞 under 红细胞, 滤白冷沉淀 under 冷沉淀).
    expect(t.lookup(OID('2.3.1.251'), '1').children).toEqual(['11', '12', '13', '14', '15', '16', '17']);
    expect(t.subsumes(OID('2.3.1.251'), '4', '44')).toBe('subsumes');
    expect(t.subsumes(OID('2.3.1.251'), '51', '5')).toBe('subsumed-by');
    expect(t.subsumes(OID('2.3.1.251'), '32', '42')).toBe('not-subsumed');
    // Names as implementations write them resolve to the code (给药 for 用药).
    expect(t.validateCode({ system: NATIONAL.medicationRoute, code: '2', display: '直肠给药' }).result).toBe(true);
  });

  it('GB/T 6565: major and medium groups with parent and child, beside the codes the health data sets carry', () => {
    expect(t.lookup(NATIONAL.occupation, '2-05').display).toBe('卫生专业技术人员');
    expect(t.lookup(NATIONAL.occupation, '2-05').parents).toEqual(['2']);
    expect(t.lookup(NATIONAL.occupation, '8').children).toEqual(['8-00']);
    expect(t.subsumes(NATIONAL.occupation, '2', '2-05')).toBe('subsumes');
    expect(t.subsumes(NATIONAL.occupation, '6-29', '6')).toBe('subsumed-by');
    expect(t.subsumes(NATIONAL.occupation, '2-05', '4-14')).toBe('not-subsumed');
    const majors = ['1', '2', '3', '4', '5', '6', '7', '8'];
    const mediums = t.expand(VS('gbt-6565')).contains.filter((c) => /^\d-\d\d$/.test(c.code));
    expect(mediums.every((c) => majors.includes(t.lookup(NATIONAL.occupation, c.code).parents[0] as string))).toBe(true);
    expect(mediums.length).toBeGreaterThanOrEqual(75);
    // An is-a filter (:below) over the major group 2 holds the group and its medium groups only.
    const below: ValueSet = {
      resourceType: 'ValueSet',
      url: 'https://example.org/ValueSet/professionals',
      status: 'active',
      compose: { include: [{ system: NATIONAL.occupation, filter: [{ property: 'concept', op: 'is-a', value: '2' }] }] },
    };
    t.add(below);
    const professionals = t.expand(below.url as string).contains.map((c) => c.code);
    expect(professionals).toContain('2-05');
    expect(professionals.every((c) => c === '2' || c.startsWith('2-'))).toBe(true);
    // The health data sets' codes stay valid; 4 is the same group under its earlier name too.
    expect(t.validateCode({ system: NATIONAL.occupation, code: 'Y' }).result).toBe(true);
    expect(t.validateCode({ system: NATIONAL.occupation, code: '4', display: '商业、服务业人员' }).result).toBe(true);
  });
});
