import type { Parameters, Patient } from '@medplum/fhirtypes';
import { applyPatch } from '../../src/patch/index.js';
import { summary, thrown } from './thrown.js';

const patient: Patient = { resourceType: 'Patient', id: 'p1', gender: 'male', birthDate: '1974-12-25' };

const replaceGender: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    {
      name: 'operation',
      part: [
        { name: 'type', valueCode: 'replace' },
        { name: 'path', valueString: 'Patient.gender' },
        { name: 'value', valueCode: 'female' },
      ],
    },
  ],
};

describe('applyPatch', () => {
  it.each(['application/json-patch+json', 'application/json-patch+json; charset=utf-8', 'Application/JSON-Patch+JSON'])(
    'applies a JSON Patch sent as %s',
    (contentType) => {
      expect(applyPatch(patient, [{ op: 'replace', path: '/gender', value: 'female' }], contentType)).toEqual({ ...patient, gender: 'female' });
    },
  );

  it.each(['application/fhir+json', 'application/json', 'application/fhir+xml', 'application/fhir+json;fhirVersion=4.0'])(
    'applies a FHIRPath Patch sent as %s',
    (contentType) => {
      expect(applyPatch(patient, replaceGender, contentType)).toEqual({ ...patient, gender: 'female' });
    },
  );

  it('treats a FHIR body that is not Parameters as an invalid FHIRPath Patch', () => {
    const error = thrown(() => applyPatch(patient, [{ op: 'remove', path: '/gender' }], 'application/fhir+json'));
    expect(summary(error)).toEqual({ messageId: 'patch.invalid', expression: undefined, status: 400 });
  });

  it('rejects other content types with 415', () => {
    const error = thrown(() => applyPatch(patient, replaceGender, 'text/plain; charset=utf-8'));
    expect(summary(error)).toEqual({ messageId: 'body.unsupported-media', expression: undefined, status: 415 });
    expect(error.issues[0]?.params).toEqual({ type: 'text/plain' });
  });

  it.each([
    ['changing the id by JSON Patch', [{ op: 'replace', path: '/id', value: 'p2' }], 'application/json-patch+json'],
    ['removing the id by JSON Patch', [{ op: 'remove', path: '/id' }], 'application/json-patch+json'],
    ['changing the resourceType by JSON Patch', [{ op: 'replace', path: '/resourceType', value: 'Person' }], 'application/json-patch+json'],
    [
      'changing the id by FHIRPath Patch',
      {
        resourceType: 'Parameters',
        parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Patient.id' }, { name: 'value', valueId: 'p2' }] }],
      },
      'application/fhir+json',
    ],
  ])('refuses %s', (_, body, contentType) => {
    const error = thrown(() => applyPatch(patient, body, contentType));
    expect(summary(error)).toEqual({ messageId: 'patch.failed', expression: undefined, status: 422 });
    expect(error.message).toContain('id or resourceType');
  });

  it('leaves the stored resource untouched', () => {
    const snapshot = structuredClone(patient);
    applyPatch(patient, [{ op: 'remove', path: '/birthDate' }], 'application/json-patch+json');
    applyPatch(patient, replaceGender, 'application/fhir+json');
    expect(patient).toEqual(snapshot);
  });
});
