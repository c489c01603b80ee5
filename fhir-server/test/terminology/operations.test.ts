import { Client } from 'fhir-kit-client';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';

const SEX = 'urn:oid:2.16.156.10011.2.3.3.4';
const DIVISION = 'urn:oid:2.16.156.10011.2.3.3.2';
const DIVISION_VS = 'https://qiao.health/fhir/ValueSet/gbt-2260';
const ETHNICITY_VS = 'https://qiao.health/fhir/ValueSet/gbt-3304';
const MARITAL_VS = 'http://hl7.org/fhir/ValueSet/marital-status';
const V3_MARITAL = 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function param(body: any, name: string): any {
  return body.parameter.find((p: { name: string }) => p.name === name);
}

const q = encodeURIComponent;

describe.each(BACKENDS)('terminology operations on %s', (backend) => {
  const server = useTestServer(backend);

  it('$lookup answers in GET and POST forms, with designations and the hierarchy', async () => {
    const get = await call(server.base, 'GET', `CodeSystem/$lookup?system=${q(SEX)}&code=1`);
    expect(get.status).toBe(200);
    expect(param(get.body, 'display').valueString).toBe('男性');
    expect(param(get.body, 'name').valueString).toBe('生理性别代码');
    const english = get.body.parameter.find((p: { name: string; part?: { name: string; valueCode?: string }[] }) => p.name === 'designation' && p.part?.some((x) => x.valueCode === 'en'));
    expect(english.part.find((x: { name: string }) => x.name === 'value').valueString).toBe('Male');

    const post = await call(server.base, 'POST', 'CodeSystem/$lookup', {
      resourceType: 'Parameters',
      parameter: [{ name: 'coding', valueCoding: { system: DIVISION, code: '511702' } }, { name: 'displayLanguage', valueCode: 'zh-CN' }],
    });
    expect(post.status).toBe(200);
    expect(param(post.body, 'display').valueString).toBe('通川区');
    const parent = post.body.parameter.find((p: { name: string; part?: { valueCode?: string }[] }) => p.name === 'property' && p.part?.[0]?.valueCode === 'parent');
    expect(parent.part[1].valueCode).toBe('511700');
  });

  it('$lookup of an unknown code or system is a 404 with a bilingual OperationOutcome', async () => {
    const code = await call(server.base, 'GET', `CodeSystem/$lookup?system=${q(SEX)}&code=7`);
    expect(code.status).toBe(404);
    const issue = firstIssue(code);
    expect(issue.code).toBe('code-invalid');
    expect(issue.details.text).toContain('代码 7 不在代码系统');
    expect(issue.details.text).toContain('Code 7 is not in code system');
    const system = await call(server.base, 'GET', 'CodeSystem/$lookup?system=urn:oid:1.2.3.4&code=1');
    expect(system.status).toBe(404);
    expect(firstIssue(system).details.text).toBe('未知代码系统：urn:oid:1.2.3.4 | Unknown code system: urn:oid:1.2.3.4');
    const missing = await call(server.base, 'GET', `CodeSystem/$lookup?system=${q(SEX)}`);
    expect(missing.status).toBe(400);
    expect(firstIssue(missing).expression).toEqual(['code']);
  });

  it('$validate-code on code systems and value sets', async () => {
    const ok = await call(server.base, 'GET', `CodeSystem/$validate-code?url=${q(SEX)}&code=2&display=${q('女')}`);
    expect(param(ok.body, 'result').valueBoolean).toBe(true);
    expect(param(ok.body, 'display').valueString).toBe('女性');
    const wrong = await call(server.base, 'GET', `CodeSystem/$validate-code?url=${q(SEX)}&code=3`);
    expect(param(wrong.body, 'result').valueBoolean).toBe(false);
    expect(param(wrong.body, 'message').valueString).toContain('Code 3 is not in code system');

    const member = await call(server.base, 'POST', 'ValueSet/$validate-code', {
      resourceType: 'Parameters',
      parameter: [{ name: 'url', valueUri: MARITAL_VS }, { name: 'coding', valueCoding: { system: V3_MARITAL, code: 'M' } }],
    });
    expect(param(member.body, 'result').valueBoolean).toBe(true);
    const outside = await call(server.base, 'GET', `ValueSet/$validate-code?url=${q(MARITAL_VS)}&system=${q(SEX)}&code=1`);
    expect(param(outside.body, 'result').valueBoolean).toBe(false);
    expect(param(outside.body, 'message').valueString).toContain('不在值集');
    const unknownVs = await call(server.base, 'GET', `ValueSet/$validate-code?url=${q('http://example.org/none')}&system=${q(SEX)}&code=1`);
    expect(unknownVs.status).toBe(404);
  });

  it('$subsumes follows the division hierarchy', async () => {
    const outcome = async (a: string, b: string) =>
      param((await call(server.base, 'GET', `CodeSystem/$subsumes?system=${q(DIVISION)}&codeA=${a}&codeB=${b}`)).body, 'outcome').valueCode;
    expect(await outcome('510000', '511702')).toBe('subsumes');
    expect(await outcome('511702', '511700')).toBe('subsumed-by');
    expect(await outcome('110000', '511702')).toBe('not-subsumed');
    expect(await outcome('511700', '511700')).toBe('equivalent');
  });

  it('$expand filters on Chinese text and pinyin initials, pages and translates displays', async () => {
    const byInitials = await call(server.base, 'GET', `ValueSet/$expand?url=${q(DIVISION_VS)}&filter=dz`);
    expect(byInitials.status).toBe(200);
    const codes = byInitials.body.expansion.contains.map((c: { code: string }) => c.code);
    expect(codes).toContain('511700');
    expect(byInitials.body.expansion.contains.find((c: { code: string }) => c.code === '511700').display).toBe('达州市');
    const byText = await call(server.base, 'GET', `ValueSet/$expand?url=${q(DIVISION_VS)}&filter=${q('达州')}`);
    expect(byText.body.expansion.contains.map((c: { code: string }) => c.code)).toEqual(['511700']);

    const all = await call(server.base, 'GET', `ValueSet/$expand?url=${q(ETHNICITY_VS)}`);
    expect(all.body.expansion.total).toBe(58);
    const page = await call(server.base, 'POST', 'ValueSet/$expand', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'url', valueUri: ETHNICITY_VS },
        { name: 'offset', valueInteger: 10 },
        { name: 'count', valueInteger: 5 },
        { name: 'displayLanguage', valueCode: 'en' },
        { name: 'includeDesignations', valueBoolean: true },
      ],
    });
    expect(page.body.expansion.total).toBe(58);
    expect(page.body.expansion.offset).toBe(10);
    expect(page.body.expansion.contains.map((c: { code: string }) => c.code)).toEqual(['11', '12', '13', '14', '15']);
    expect(page.body.expansion.contains[0].display).toBe('Man');
    expect(page.body.expansion.contains[0].designation).toEqual([{ language: 'en', value: 'Man' }]);

    const firstPage = await call(server.base, 'GET', `ValueSet/$expand?url=${q(DIVISION_VS)}`);
    expect(firstPage.body.expansion.total).toBeGreaterThan(3000);
    expect(firstPage.body.expansion.contains).toHaveLength(1000);

    const bad = await call(server.base, 'GET', `ValueSet/$expand?url=${q(DIVISION_VS)}&count=-1`);
    expect(bad.status).toBe(400);
    expect(firstIssue(bad).expression).toEqual(['count']);
  });

  it('$translate maps GB/T 2261 codes to FHIR and back', async () => {
    const forward = await call(server.base, 'GET', `ConceptMap/$translate?system=${q(SEX)}&code=2`);
    expect(param(forward.body, 'result').valueBoolean).toBe(true);
    const concept = param(forward.body, 'match').part.find((p: { name: string }) => p.name === 'concept').valueCoding;
    expect(concept).toEqual({ system: 'http://hl7.org/fhir/administrative-gender', code: 'female', display: 'Female' });

    const back = await call(server.base, 'POST', 'ConceptMap/$translate', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'coding', valueCoding: { system: V3_MARITAL, code: 'W' } },
        { name: 'reverse', valueBoolean: true },
      ],
    });
    const match = param(back.body, 'match').part.find((p: { name: string }) => p.name === 'concept').valueCoding;
    expect(match).toEqual({ system: 'urn:oid:2.16.156.10011.2.3.3.5', code: '30', display: '丧偶' });

    const none = await call(server.base, 'GET', `ConceptMap/$translate?system=${q(SEX)}&code=7`);
    expect(param(none.body, 'result').valueBoolean).toBe(false);
    expect(param(none.body, 'message').valueString).toContain('没有映射');
  });

  it('is usable from fhir-kit-client', async () => {
    const client = new Client({ baseUrl: server.base });
    const expansion = (await client.operation({
      name: '$expand',
      resourceType: 'ValueSet',
      method: 'GET',
      input: { url: DIVISION_VS, filter: 'cd', count: 50 },
    })) as unknown as { expansion: { contains: { code: string; display: string }[] } };
    expect(expansion.expansion.contains.map((c) => c.display)).toContain('成都市');
    const metadata = (await client.capabilityStatement()) as unknown as { rest: { resource: { type: string; operation?: { name: string }[] }[] }[] };
    const codeSystem = metadata.rest[0]?.resource.find((r) => r.type === 'CodeSystem');
    expect(codeSystem?.operation?.map((o) => o.name)).toEqual(expect.arrayContaining(['lookup', 'validate-code', 'subsumes']));
  });

  it('answers malformed requests with a 4xx OperationOutcome, never a crash', async () => {
    const notParameters = await call(server.base, 'POST', 'CodeSystem/$lookup', { resourceType: 'Patient' });
    expect(notParameters.status).toBe(400);
    expect(firstIssue(notParameters).details.text).toContain('Parameters');
    const injected = await call(server.base, 'GET', `ValueSet/$expand?url=${q("x' OR '1'='1")}&filter=${q("'; DROP TABLE resource; --")}`);
    expect(injected.status).toBe(404);
    expect(firstIssue(injected).details.text).toContain('未知值集');
    expect((await call(server.base, 'GET', 'CodeSystem/no-such-id/$lookup?code=1')).status).toBe(404);
    expect((await call(server.base, 'GET', `CodeSystem/$subsumes?system=${q(DIVISION)}&codeA=510000`)).status).toBe(400);
    const notBoolean = await call(server.base, 'GET', `ConceptMap/$translate?system=${q(SEX)}&code=1&reverse=maybe`);
    expect(notBoolean.status).toBe(400);
    expect(firstIssue(notBoolean).expression).toEqual(['reverse']);
  });
});
