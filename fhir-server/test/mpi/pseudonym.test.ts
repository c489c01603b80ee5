import { createHmac } from 'node:crypto';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue, type Reply } from '../support/http.js';
import { create, mergeBody, resident } from './fixtures.js';

const PSEUDONYM_SYSTEM = 'https://qiao.health/fhir/sid/pseudonym';

function pseudonymIn(reply: Reply): string {
  expect(reply.status).toBe(200);
  const identifier = reply.body.parameter.find((p: { name: string }) => p.name === 'pseudonym').valueIdentifier;
  expect(identifier.system).toBe(PSEUDONYM_SYSTEM);
  return identifier.value as string;
}

describe.each(BACKENDS)('Patient/{id}/$pseudonym (%s)', (backend) => {
  describe('with a generated key kept in the database', () => {
    const server = useTestServer(backend);

    it('is stable per person, distinct between people, and shared by a merged record and its survivor', async () => {
      const make = () => create(server.base, resident({ family: '周', given: '敏', gender: 'female', birthDate: '1992-12-12' }));
      const [a, b, c] = [await make(), await make(), await make()];
      const pa = pseudonymIn(await call(server.base, 'GET', `Patient/${a}/$pseudonym`));
      expect(pa).toMatch(/^[0-9a-f]{64}$/);
      expect(pseudonymIn(await call(server.base, 'GET', `Patient/${a}/$pseudonym`))).toBe(pa);
      const pb = pseudonymIn(await call(server.base, 'GET', `Patient/${b}/$pseudonym`));
      expect(pb).not.toBe(pa);

      expect((await call(server.base, 'POST', 'Patient/$merge', mergeBody(c, b))).status).toBe(200);
      const merged = await call(server.base, 'GET', `Patient/${c}/$pseudonym`);
      expect(pseudonymIn(merged)).toBe(pb);
      expect(merged.body.parameter.find((p: { name: string }) => p.name === 'patient').valueReference.reference).toBe(`Patient/${b}`);

      // A cohort at once, as an export asks for it.
      const cohort = await call(server.base, 'GET', `Patient/$pseudonym?patient=${a},${b}&patient=${c}`);
      expect(cohort.status).toBe(200);
      const byId = Object.fromEntries(
        cohort.body.parameter.map((p: { part: { name: string; valueString?: string; valueIdentifier?: { value: string } }[] }) => [
          p.part.find((x) => x.name === 'id')?.valueString,
          p.part.find((x) => x.name === 'pseudonym')?.valueIdentifier?.value,
        ]),
      );
      expect(byId).toEqual({ [a]: pa, [b]: pb, [c]: pb });
      const none = await call(server.base, 'GET', 'Patient/$pseudonym');
      expect([none.status, firstIssue(none).expression]).toEqual([400, ["Parameters.parameter.where(name = 'patient')"]]);
      const unknown = await call(server.base, 'GET', `Patient/$pseudonym?patient=${a},nobody`);
      expect([unknown.status, firstIssue(unknown).details.text]).toEqual([422, '未找到患者 Patient/nobody | Patient/nobody not found']);
    });

    it('answers 404 with an OperationOutcome for an unknown patient', async () => {
      const reply = await call(server.base, 'GET', 'Patient/no-such-patient/$pseudonym');
      expect(reply.status).toBe(404);
      expect(firstIssue(reply).details.text).toContain(' | ');
    });
  });

  describe('with QIAO_PSEUDONYM_KEY', () => {
    const key = 'a-key-from-the-platform-key-store-0123456789';
    const server = useTestServer(backend, { pseudonymKey: key });

    it('is the documented HMAC-SM3 of the patient reference under the configured key', async () => {
      const id = await create(server.base, resident({ family: '吴', given: '杰', gender: 'male', birthDate: '1960-01-31' }));
      const expected = createHmac('sm3', key).update(`qiao-research-pseudonym-v1\u0000Patient/${id}`).digest('hex');
      expect(pseudonymIn(await call(server.base, 'GET', `Patient/${id}/$pseudonym`))).toBe(expected);
    });
  });
});
