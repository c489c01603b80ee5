import { FhirError } from '../../src/errors/fhir-error.js';
import { toOperationOutcome } from '../../src/errors/outcome.js';

describe('error catalogue', () => {
  it('renders bilingual text, status and expression', () => {
    const error = new FhirError('resource.type-mismatch', { actual: 'Patient', expected: 'Observation' }, 'Observation.resourceType');
    expect(error.status).toBe(400);
    const outcome = toOperationOutcome(error.issues);
    expect(outcome.issue[0]?.expression).toEqual(['Observation.resourceType']);
    expect(outcome.issue[0]?.details?.text).toBe(
      '请求体的 resourceType "Patient" 与地址中的 "Observation" 不一致 | resourceType "Patient" in the body does not match "Observation" in the URL',
    );
  });
});
