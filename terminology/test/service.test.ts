import type { CodeSystem } from '@medplum/fhirtypes';
import ExcelJS from 'exceljs';
import {
  codeSystemFromTable,
  codeSystemToCsv,
  createTerminology,
  NATIONAL,
  rowsFromCsv,
  rowsFromFile,
  shippedContent,
  TerminologyError,
  type Terminology,
} from '../src/index.js';

const VS = (id: string) => `https://qiao.health/fhir/ValueSet/${id}`;

describe('the terminology service over the shipped content', () => {
  let t: Terminology;
  beforeAll(() => {
    t = createTerminology({ resources: shippedContent() });
  });

  it('ships the national tables under their OIDs', () => {
    expect(t.expand(VS('gbt-2261-1')).contains.map((c) => `${c.code} ${c.display}`)).toEqual(['0 未知的性别', '1 男性', '2 女性', '9 未说明的性别']);
    const ethnicity = t.expand(VS('gbt-3304'));
    expect(ethnicity.total).toBe(58);
    expect(ethnicity.contains.slice(0, 56).map((c) => c.code)).toEqual(Array.from({ length: 56 }, (_, i) => String(i + 1).padStart(2, '0')));
    expect(t.lookup(NATIONAL.ethnicity, '56').display).toBe('基诺族');
    expect(t.lookup(NATIONAL.maritalStatus, '21').parents).toEqual(['20']);
    expect(t.lookup(NATIONAL.education, '11').parents).toEqual(['10']);
    expect(t.lookup(NATIONAL.familyRelation, '91').parents).toEqual(['80']);
    expect(t.lookup(NATIONAL.occupation, 'Y').display).toBe('不便分类的其他从业人员');
    expect(t.lookup(NATIONAL.country, '156')).toEqual(expect.objectContaining({ display: '中国', properties: expect.arrayContaining([{ code: 'alpha3', value: 'CHN' }]) }));
    expect(t.lookup(NATIONAL.aboBloodType, '4').display).toBe('AB型');
    for (const url of Object.values(NATIONAL)) expect(t.codeSystem(url)?.url).toBe(url);
  });

  it('holds GB/T 2260 from province to county, without the statistical development zones', () => {
    const all = t.expand(VS('gbt-2260'));
    expect(all.total).toBeGreaterThan(3000);
    const provinces = all.contains.filter((c) => c.code.endsWith('0000'));
    expect(provinces).toHaveLength(34);
    for (const c of all.contains) {
      if (c.code.endsWith('0000')) continue;
      expect(t.lookup(NATIONAL.division, c.code).parents).toHaveLength(1);
    }
    expect(t.lookup(NATIONAL.division, '511700').children).toContain('511702');
    expect(() => t.lookup(NATIONAL.division, '511771')).toThrow(TerminologyError);
  });

  it('ships every FHIR R4 code system and value set', () => {
    expect(t.codeSystems().length).toBeGreaterThan(1000);
    expect(t.expand('http://hl7.org/fhir/ValueSet/observation-status').contains.map((c) => c.code)).toContain('final');
    expect(t.inValueSet('http://hl7.org/fhir/ValueSet/administrative-gender', 'http://hl7.org/fhir/administrative-gender', 'other')).toBe(true);
    expect(t.inValueSet('http://hl7.org/fhir/ValueSet/administrative-gender', 'http://hl7.org/fhir/administrative-gender', 'neuter')).toBe(false);
    expect(t.validateCode({ url: 'http://hl7.org/fhir/ValueSet/marital-status', system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNK' }).result).toBe(true);
    expect(t.validateCode({ url: 'http://hl7.org/fhir/ValueSet/marital-status', system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'NI' }).result).toBe(false);
  });

  it('filters expansions on Chinese text, codes and pinyin initials or full pinyin', () => {
    const codes = (filter: string) => t.expand(VS('gbt-2260'), { filter }).contains.map((c) => c.code);
    expect(codes('dz')).toContain('511700');
    expect(codes('dz')).not.toContain('360200'); // 景德镇 (jdz): initials match from the start only
    expect(codes('dazhou')).toContain('511700');
    expect(codes('达州')).toEqual(['511700']);
    expect(codes('5117').every((c) => c.startsWith('5117'))).toBe(true);
    expect(codes('cqs')).toEqual(['500000']);
    const paged = t.expand(VS('gbt-2260'), { filter: 'x', offset: 5, count: 3 });
    expect(paged.contains).toHaveLength(3);
    expect(paged.contains[0]?.code).toBe(t.expand(VS('gbt-2260'), { filter: 'x' }).contains[5]?.code);
    expect(t.expand(VS('gbt-3304'), { filter: 'hz', displayLanguage: 'en' }).contains.map((c) => c.display)).toEqual(['Han', 'Hui', 'Hezhen']);
  });

  it('validates codes with display checks and explains failures in Chinese and English', () => {
    expect(t.validateCode({ system: NATIONAL.sex, code: '1', display: '男' })).toEqual(expect.objectContaining({ result: true, isRetired: false, issues: [] }));
    const wrongDisplay = t.validateCode({ system: NATIONAL.sex, code: '1', display: '女' });
    expect(wrongDisplay.result).toBe(true);
    expect(wrongDisplay.issues[0]?.id).toBe('TX-WRONG-DISPLAY');
    const unknown = t.validateCode({ system: NATIONAL.sex, code: '5' });
    expect(unknown.result).toBe(false);
    expect(unknown.issues[0]).toEqual(expect.objectContaining({ id: 'TX-UNKNOWN-CODE', zh: expect.stringContaining('不在代码系统'), en: expect.stringContaining('is not in code system') }));
    const foreign = t.validateCode({ system: 'http://snomed.info/sct', code: '22298006' });
    expect(foreign).toEqual(expect.objectContaining({ result: false, unknownSystem: true }));
    // A fragment (the ICD-10 demo subset) cannot refute a code it does not list.
    expect(t.validateCode({ url: NATIONAL.icd10cn, system: NATIONAL.icd10cn, code: 'A00.000' }).unknownSystem).toBe(true);
    expect(t.validateCode({ system: NATIONAL.icd10cn, code: 'A00.000' })).toEqual(expect.objectContaining({ result: false, unknownSystem: true }));
    expect(t.validateCode({ system: NATIONAL.icd10cn, code: 'D64.900' }).result).toBe(true);
    expect(() => t.lookup('urn:oid:1.2.3', 'x')).toThrow(/Unknown code system/);
    expect(() => t.expand('http://example.org/vs')).toThrow(/Unknown value set/);
  });

  it('answers subsumption and translation both ways', () => {
    expect(t.subsumes(NATIONAL.division, '510000', '511702')).toBe('subsumes');
    expect(t.subsumes(NATIONAL.education, '14', '10')).toBe('subsumed-by');
    expect(t.subsumes(NATIONAL.maritalStatus, '10', '20')).toBe('not-subsumed');
    expect(t.translate({ system: NATIONAL.sex, code: '9' }).matches).toEqual([expect.objectContaining({ code: 'unknown', equivalence: 'wider' })]);
    const reverse = t.translate({ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'M', reverse: true });
    expect(reverse.matches.map((m) => `${m.code}:${m.equivalence}`)).toEqual(['20:equivalent', '21:narrower', '22:narrower', '23:narrower']);
    expect(t.translate({ system: NATIONAL.icd10cn, code: 'E11.900', target: NATIONAL.icd10 }).matches[0]?.code).toBe('E11.9');
    expect(t.translate({ system: NATIONAL.sex, code: '1', target: 'http://example.org' }).result).toBe(false);
  });
});

describe('code table life cycle', () => {
  const url = 'https://hospital.example.cn/cs/dept';
  const v1 = codeSystemFromTable({ id: 'dept', url, version: '1', name: 'Dept', title: '科室', source: 'test', rows: [['A', '内科'], ['B', '外科']] });

  it('keeps versions, marks retired codes and logs the changes', () => {
    const t = createTerminology({ resources: [v1] });
    const v2 = codeSystemFromTable({ id: 'dept', url, version: '2', name: 'Dept', title: '科室', source: 'test', rows: [['A', '内科门诊'], ['B', '外科', undefined, undefined, 'retired'], ['C', '儿科']] });
    const changes = t.add(v2);
    expect(changes.map((c) => `${c.code}:${c.change}`).sort()).toEqual(['A:display-changed', 'B:retired', 'C:added']);
    const retired = t.validateCode({ system: url, code: 'B' });
    expect(retired).toEqual(expect.objectContaining({ result: true, isRetired: true, status: 'retired' }));
    expect(retired.issues[0]).toEqual(expect.objectContaining({ id: 'TX-RETIRED-CODE', zh: expect.stringContaining('已停用'), en: expect.stringContaining('retired') }));
    expect(t.validateCode({ system: url, code: 'B', version: '1' }).isRetired).toBe(false);
    expect(t.expand(url, { activeOnly: true }).contains.map((c) => c.code)).toEqual(['A', 'C']);
    expect(t.codeSystems().find((s) => s.url === url)?.versions).toEqual(['1', '2']);
    t.remove('CodeSystem', url, '2');
    expect(t.lookup(url, 'B').status).toBe('active');
  });

  it('exports a code table as CSV that imports back to the same codes', () => {
    const csv = codeSystemToCsv(codeSystemFromTable({ id: 'x', url, version: '3', name: 'X', title: 'X', source: 'test', rows: [['A', '内科, 门诊', 'Internal "medicine"'], ['A1', '心内科', undefined, 'A'], ['B', '外科', undefined, undefined, 'retired']] }));
    expect(rowsFromCsv(csv)).toEqual([
      ['A', '内科, 门诊', 'Internal "medicine"', undefined, undefined],
      ['A1', '心内科', undefined, 'A', undefined],
      ['B', '外科', undefined, undefined, 'retired'],
    ]);
  });

  it('reads official files by their Chinese headers and refuses a file without code columns', () => {
    const rows = rowsFromCsv('\uFEFF疾病编码,疾病名称\nA00.000,霍乱\nA00.100,古典生物型霍乱\n');
    expect(rows.map((r) => r[0])).toEqual(['A00.000', 'A00.100']);
    const cs: CodeSystem = codeSystemFromTable({ id: 'i', url: NATIONAL.icd10cn, version: 'full', name: 'I', title: 'I', source: 'test', rows });
    const t = createTerminology({ resources: [cs] });
    expect(t.lookup(NATIONAL.icd10cn, 'A00.100').display).toBe('古典生物型霍乱');
    expect(() => rowsFromCsv('foo,bar\n1,2\n')).toThrow(/code and a display column/);
  });

  it('reads an XLSX workbook (first sheet) to the same rows as the CSV with the same content', async () => {
    const lines = [['疾病编码', '疾病名称', '英文名称', '状态'], ['A00.000', '霍乱', 'Cholera', ''], ['A01.000', '伤寒, 副伤寒', '', '停用'], ['', '', '', '']];
    const book = new ExcelJS.Workbook();
    book.addWorksheet('ICD-10').addRows(lines);
    book.addWorksheet('other').addRow(['code', 'display', 'ignored']);
    const xlsx = Buffer.from(await book.xlsx.writeBuffer());
    const csv = lines.map((l) => l.map((c) => (c.includes(',') ? `"${c}"` : c)).join(',')).join('\n');
    const fromXlsx = await rowsFromFile(xlsx);
    expect(fromXlsx).toEqual(rowsFromCsv(csv));
    expect(fromXlsx).toEqual([
      ['A00.000', '霍乱', 'Cholera', undefined, undefined],
      ['A01.000', '伤寒, 副伤寒', undefined, undefined, 'retired'],
    ]);
    await expect(rowsFromFile(Buffer.from('PK\x03\x04 not a workbook'))).rejects.toThrow(/XLSX 文件无法读取/);
    // A workbook whose directory says it unzips to 2 GiB is refused before it is inflated.
    const bomb = Buffer.from(xlsx);
    bomb.writeUInt32LE(0x7fffffff, bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
    await expect(rowsFromFile(bomb)).rejects.toThrow(/XLSX 解压后过大.*The XLSX unzips to too much/);
  });

  it('keeps the codes current when a stub of the same system is added', () => {
    const t = createTerminology({ resources: shippedContent() });
    t.add({ resourceType: 'CodeSystem', url: NATIONAL.sex, version: 'stub', status: 'active', content: 'not-present' });
    expect(t.lookup(NATIONAL.sex, '1').display).toBe('男性');
  });

  it('refuses content without a url', () => {
    const t = createTerminology();
    expect(() => t.add({ resourceType: 'ValueSet', status: 'active' })).toThrow(TerminologyError);
  });
});
