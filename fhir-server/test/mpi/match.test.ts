import type { Patient } from '@medplum/fhirtypes';
import { candidateBlocks } from '../../src/mpi/candidates.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';
import { create, parameters, resident } from './fixtures.js';

const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';

// The person at the desk: 张伟, male, born 1980-03-15, registered in 成都市锦江区 (510104 is 锦江区's code; 510107 武侯区).
const ZHANG_WEI = resident({ family: '张', given: '伟', gender: 'male', birthDate: '1980-03-15', division: '510104', sequence: '135', phone: '13812345678' });

function grades(reply: { body: { entry?: { resource: Patient; search: { score: number; extension: { url: string; valueCode?: string }[] } }[] } }) {
  return (reply.body.entry ?? [])
    .filter((e) => e.resource.resourceType === 'Patient')
    .map((e) => ({ id: e.resource.id, score: e.search.score, grade: e.search.extension.find((x) => x.url === MATCH_GRADE)?.valueCode }));
}

describe('candidate retrieval', () => {
  it('looks records up by identifier, phone, name and birth day only — each one index range', () => {
    expect(candidateBlocks(ZHANG_WEI)).toEqual([
      { param: 'birthdate', value: '1980-03-15' },
      { param: 'identifier', value: `urn:oid:2.16.156.10011.1.3|${ZHANG_WEI.identifier?.[0]?.value}` },
      { param: 'phone', value: '13812345678' },
      { param: 'name', value: '张伟' },
    ]);
    const crowded: Patient = { resourceType: 'Patient', identifier: Array.from({ length: 500 }, (_, i) => ({ system: 'urn:example', value: String(i) })) };
    expect(candidateBlocks(crowded)).toHaveLength(24);
    expect(candidateBlocks({ resourceType: 'Patient', gender: 'male', birthDate: '1980' })).toEqual([]);
  });
});

describe.each(BACKENDS)('Patient/$match (%s)', (backend) => {
  const server = useTestServer(backend);
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // The same record, from another hospital: the resident ID agrees, the phone is another.
    ids.same = await create(server.base, resident({ family: '张', given: '伟', gender: 'male', birthDate: '1980-03-15', division: '510104', sequence: '135', phone: '13900000001' }));
    // Typed with a homophone family name (章 for 张) and no ID, same phone, same district.
    ids.homophone = await create(server.base, resident({ family: '章', given: '伟', gender: 'male', birthDate: '1980-03-15', division: '510104', phone: '13812345678' }));
    // Same name, sex and birth date, no ID, another district of the same city.
    ids.namesake = await create(server.base, resident({ family: '张', given: '伟', gender: 'male', birthDate: '1980-03-15', division: '510107' }));
    // Looks the same but has another valid resident ID: a different person.
    ids.other = await create(server.base, resident({ family: '张', given: '伟', gender: 'male', birthDate: '1980-03-15', sequence: '357' }));
    // Same name and sex, born five years earlier; and someone else entirely.
    ids.older = await create(server.base, resident({ family: '张', given: '伟', gender: 'male', birthDate: '1975-06-01' }));
    ids.unrelated = await create(server.base, resident({ family: '李', given: '娜', gender: 'female', birthDate: '1990-01-01', sequence: '246' }));
  });

  it('ranks certain > probable > possible, then the look-alike with another ID as certainly-not, by score', async () => {
    const reply = await call(server.base, 'POST', 'Patient/$match', parameters({ name: 'resource', resource: ZHANG_WEI }));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 4 });
    const found = grades(reply);
    expect(found.map((f) => [f.id, f.grade])).toEqual([
      [ids.same, 'certain'],
      [ids.homophone, 'probable'],
      [ids.namesake, 'possible'],
      [ids.other, 'certainly-not'],
    ]);
    const scores = found.map((f) => f.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores[0]).toBe(1);
    expect(reply.body.entry[0].fullUrl).toBe(`${server.base}/Patient/${ids.same}`);
    expect(reply.body.entry[1].search.extension[1].valueString).toContain('姓名拼音相同');
  });

  it('finds records by pinyin when the name is written in Latin letters', async () => {
    const query: Patient = { resourceType: 'Patient', name: [{ family: 'Zhang', given: ['Wei'] }], gender: 'male', birthDate: '1980-03-15', telecom: [{ system: 'phone', value: '+86 138-1234-5678' }] };
    const found = grades(await call(server.base, 'POST', 'Patient/$match', parameters({ name: 'resource', resource: query })));
    // Pinyin, birth date and sex (and for the homophone the phone): possible at best without an ID.
    expect(found[0]).toMatchObject({ id: ids.homophone, grade: 'possible', score: 0.58 });
    // The rest share pinyin, birth date and sex only (18 + 20 + 5 points); the query carries no ID to tell them apart.
    expect(found.slice(1).map((f) => [f.grade, f.score])).toEqual([['possible', 0.43], ['possible', 0.43], ['possible', 0.43]]);
    expect(new Set(found.slice(1).map((f) => f.id))).toEqual(new Set([ids.same, ids.namesake, ids.other]));
  });

  it('onlyCertainMatches returns only the certain match; count limits the answer', async () => {
    const certain = await call(server.base, 'POST', 'Patient/$match', parameters({ name: 'resource', resource: ZHANG_WEI }, { name: 'onlyCertainMatches', valueBoolean: true }));
    expect(grades(certain)).toEqual([{ id: ids.same, score: 1, grade: 'certain' }]);
    const two = await call(server.base, 'POST', 'Patient/$match', parameters({ name: 'resource', resource: ZHANG_WEI }, { name: 'count', valueInteger: 2 }));
    expect(grades(two).map((f) => f.id)).toEqual([ids.same, ids.homophone]);
  });

  it('is listed, with the other index operations, under Patient in the CapabilityStatement', async () => {
    const metadata = await call(server.base, 'GET', 'metadata');
    const patient = metadata.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    const operations = patient.operation.map((o: { name: string; definition: string }) => `${o.name} ${o.definition}`);
    expect(operations).toEqual(expect.arrayContaining([
      'match http://hl7.org/fhir/OperationDefinition/Patient-match',
      'merge http://hl7.org/fhir/OperationDefinition/Patient-merge',
      'unmerge https://qiao.health/fhir/OperationDefinition/Patient-unmerge',
      'pseudonym https://qiao.health/fhir/OperationDefinition/Patient-pseudonym',
    ]));
  });

  it('refuses bad input with a bilingual OperationOutcome that names the parameter', async () => {
    const cases: [body: unknown, status: number, expression: string][] = [
      [{ resourceType: 'Patient' }, 400, 'resourceType'],
      [parameters({ name: 'count', valueInteger: 3 }), 400, "Parameters.parameter.where(name = 'resource')"],
      [parameters({ name: 'resource', resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } }), 400, 'Parameters.parameter[0].resource.resourceType'],
      [parameters({ name: 'resource', resource: ZHANG_WEI }, { name: 'count', valueInteger: 0 }), 400, 'Parameters.parameter[1].valueInteger'],
      [parameters({ name: 'resource', resource: ZHANG_WEI }, { name: 'onlyCertainMatches', valueString: 'yes' }), 400, 'Parameters.parameter[1]'],
      [parameters({ name: 'resource', resource: ZHANG_WEI }, { name: 'resource', resource: ZHANG_WEI }), 400, 'Parameters.parameter[1]'],
      [parameters({ name: 'resource', resource: { resourceType: 'Patient', gender: 'male' } }), 400, 'Parameters.parameter[0].resource'],
    ];
    for (const [body, status, expression] of cases) {
      const reply = await call(server.base, 'POST', 'Patient/$match', body);
      expect([reply.status, firstIssue(reply).expression]).toEqual([status, [expression]]);
      expect(firstIssue(reply).details.text).toMatch(/[\u4e00-\u9fff].* \| [A-Za-z]/);
    }
  });

  it('with onlyCertainMatches and two certain records, returns none and says why', async () => {
    await create(server.base, resident({ family: '张', given: '伟', gender: 'male', birthDate: '1980-03-15', division: '510104', sequence: '135' }));
    const reply = await call(server.base, 'POST', 'Patient/$match', parameters({ name: 'resource', resource: ZHANG_WEI }, { name: 'onlyCertainMatches', valueBoolean: true }));
    expect(grades(reply)).toEqual([]);
    expect(reply.body.entry[0]).toMatchObject({ search: { mode: 'outcome' }, resource: { resourceType: 'OperationOutcome' } });
    const all = await call(server.base, 'POST', 'Patient/$match', parameters({ name: 'resource', resource: ZHANG_WEI }));
    expect(grades(all).filter((f) => f.grade === 'certain')).toHaveLength(2);
  });
});
