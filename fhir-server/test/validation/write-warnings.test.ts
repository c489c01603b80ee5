import { call } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A CN Condition whose code lies outside the profile's extensible value set: valid, with a warning. */
const condition = (subject: string): Json => ({
  resourceType: 'Condition',
  meta: { profile: ['https://qiao.health/fhir/StructureDefinition/cn-condition'] },
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  code: { coding: [{ system: 'http://snomed.info/sct', code: '271737000', display: 'Anemia' }] },
  subject: { reference: subject },
});

describe.each(BACKENDS)('validation warnings of a successful write on %s', (backend) => {
  const server = useTestServer(backend);

  it('come back in the OperationOutcome the client asks for, and in the transaction entry', async () => {
    const patient = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '王小东' }] });
    const subject = `Patient/${patient.body.id}`;

    const plain = await call(server.base, 'POST', 'Condition', condition(subject));
    expect(plain.status).toBe(201);
    expect(plain.body.resourceType).toBe('Condition');

    const asked = await call(server.base, 'POST', 'Condition', condition(subject), { prefer: 'return=OperationOutcome' });
    expect(asked.status).toBe(201);
    const warnings = asked.body.issue.filter((i: Json) => i.severity === 'warning');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0].expression[0]).toMatch(/^Condition\.code/);
    expect(warnings[0].details.text).toMatch(/ \| /);

    const bundle = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: condition(subject), request: { method: 'POST', url: 'Condition' } }],
    });
    expect(bundle.status).toBe(200);
    const outcome = bundle.body.entry[0].response.outcome;
    expect(outcome.issue.some((i: Json) => i.severity === 'warning' && /^Condition\.code/.test(i.expression?.[0] ?? ''))).toBe(true);
  });
});
