import type { Observation, Parameters, ParametersParameter, Patient } from '@medplum/fhirtypes';
import { applyFhirPathPatch } from '../../src/patch/fhirpath-patch.js';
import { summary, thrown } from './thrown.js';

interface Op {
  type: string;
  path: string;
  name?: string;
  value?: Omit<ParametersParameter, 'name'>;
  index?: number;
  source?: number;
  destination?: number;
}

/** A FHIRPath Patch Parameters resource, one `operation` parameter per op. */
function patch(...ops: Op[]): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: ops.map((op) => ({
      name: 'operation',
      part: [
        { name: 'type', valueCode: op.type },
        { name: 'path', valueString: op.path },
        ...(op.name === undefined ? [] : [{ name: 'name', valueString: op.name }]),
        ...(op.value === undefined ? [] : [{ name: 'value', ...op.value }]),
        ...(['index', 'source', 'destination'] as const).flatMap((k) => (op[k] === undefined ? [] : [{ name: k, valueInteger: op[k] }])),
      ],
    })),
  };
}

const patient: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  name: [
    { use: 'official', family: 'Chalmers', given: ['Peter', 'James'] },
    { use: 'usual', given: ['Jim'] },
  ],
  telecom: [
    { system: 'phone', value: '(03) 5555 6473', use: 'work' },
    { system: 'email', value: 'peter@example.org' },
  ],
  gender: 'male',
  birthDate: '1974-12-25',
};

const run = (ops: Op[], resource: Patient = patient): Patient => applyFhirPathPatch(resource, patch(...ops)) as Patient;

describe('FHIRPath Patch: add', () => {
  it('appends a telecom to the list', () => {
    const phone = { system: 'phone' as const, value: '0411 222 333', use: 'mobile' as const };
    const patched = run([{ type: 'add', path: 'Patient', name: 'telecom', value: { valueContactPoint: phone } }]);
    expect(patched.telecom).toEqual([...patient.telecom!, phone]);
  });

  it('creates the list when the repeating element is absent', () => {
    const identifier = { system: 'urn:example', value: '42' };
    expect(run([{ type: 'add', path: 'Patient', name: 'identifier', value: { valueIdentifier: identifier } }]).identifier).toEqual([identifier]);
  });

  it('sets an absent single element, but will not overwrite one', () => {
    expect(run([{ type: 'add', path: 'Patient', name: 'active', value: { valueBoolean: true } }]).active).toBe(true);
    const error = thrown(() => run([{ type: 'add', path: 'Patient', name: 'gender', value: { valueCode: 'female' } }]));
    expect(summary(error)).toEqual({ messageId: 'patch.failed', expression: 'Parameters.parameter[0]', status: 422 });
  });

  it('adds inside a selected element', () => {
    expect(run([{ type: 'add', path: 'Patient.name[1]', name: 'family', value: { valueString: 'Chalmers' } }]).name?.[1]).toEqual({
      use: 'usual',
      given: ['Jim'],
      family: 'Chalmers',
    });
  });

  it('builds a HumanName given as parts, making repeating elements lists', () => {
    const value = {
      part: [
        { name: 'use', valueCode: 'nickname' },
        { name: 'family', valueString: 'Wang' },
        { name: 'given', valueString: 'Xiao' },
        { name: 'given', valueString: 'Ming' },
        { name: 'prefix', valueString: 'Dr' },
      ],
    };
    const patched = run([{ type: 'add', path: 'Patient', name: 'name', value }]);
    expect(patched.name?.[2]).toEqual({ use: 'nickname', family: 'Wang', given: ['Xiao', 'Ming'], prefix: ['Dr'] });
  });

  it('builds nested parts with choice elements (an extension)', () => {
    const value = {
      part: [
        { name: 'url', valueUri: 'http://example.org/birth-place' },
        { name: 'valueAddress', part: [{ name: 'city', valueString: 'Beijing' }, { name: 'line', valueString: '1 Chang An Jie' }] },
      ],
    };
    const patched = run([{ type: 'add', path: 'Patient', name: 'extension', value }]);
    expect(patched.extension).toEqual([{ url: 'http://example.org/birth-place', valueAddress: { city: 'Beijing', line: ['1 Chang An Jie'] } }]);
  });

  it('stores a choice element under the key of its value type', () => {
    const observation: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'weight' } };
    const quantity = { value: 70, unit: 'kg' };
    const patched = applyFhirPathPatch(observation, patch({ type: 'add', path: 'Observation', name: 'value', value: { valueQuantity: quantity } }));
    expect(patched).toEqual({ ...observation, valueQuantity: quantity });
    // Any existing variant of the choice counts as already present.
    const withString: Observation = { ...observation, valueString: 'heavy' };
    const error = thrown(() => applyFhirPathPatch(withString, patch({ type: 'add', path: 'Observation', name: 'value', value: { valueQuantity: quantity } })));
    expect(summary(error).messageId).toBe('patch.failed');
  });

  it.each([
    ['a path selecting nothing', { type: 'add', path: 'Patient.contact', name: 'gender', value: { valueCode: 'male' } }],
    ['a path selecting several elements', { type: 'add', path: 'Patient.name', name: 'text', value: { valueString: 'x' } }],
    ['a primitive target', { type: 'add', path: 'Patient.birthDate', name: 'id', value: { valueString: 'x' } }],
    ['an element the type does not have', { type: 'add', path: 'Patient', name: 'nickname', value: { valueString: 'x' } }],
    ['a choice element without a type', { type: 'add', path: 'Patient', name: 'deceased', value: { part: [{ name: 'x', valueString: 'y' }] } }],
    ['a type the choice does not allow', { type: 'add', path: 'Patient', name: 'deceased', value: { valueString: 'yes' } }],
    ['parts for a primitive element', { type: 'add', path: 'Patient', name: 'birthDate', value: { part: [{ name: 'value', valueString: 'x' }] } }],
    ['a repeated part for a single element', { type: 'add', path: 'Patient', name: 'name', value: { part: [{ name: 'family', valueString: 'a' }, { name: 'family', valueString: 'b' }] } }],
  ])('fails on %s', (_, op) => {
    expect(summary(thrown(() => run([op])))).toEqual({ messageId: 'patch.failed', expression: 'Parameters.parameter[0]', status: 422 });
  });
});

describe('FHIRPath Patch: insert', () => {
  it('inserts a given name at index 0', () => {
    expect(run([{ type: 'insert', path: 'Patient.name[0].given', index: 0, value: { valueString: 'Pete' } }]).name?.[0]?.given).toEqual([
      'Pete',
      'Peter',
      'James',
    ]);
  });

  it('inserts at the end (index = length) and into an absent list', () => {
    expect(run([{ type: 'insert', path: 'Patient.name[1].given', index: 1, value: { valueString: 'Jimmy' } }]).name?.[1]?.given).toEqual(['Jim', 'Jimmy']);
    const identifier = { value: '7' };
    expect(run([{ type: 'insert', path: 'Patient.identifier', index: 0, value: { valueIdentifier: identifier } }]).identifier).toEqual([identifier]);
  });

  it('fails on an index beyond the list, or a single-valued element', () => {
    const beyond = thrown(() => run([{ type: 'insert', path: 'Patient.telecom', index: 3, value: { valueContactPoint: { value: 'x' } } }]));
    expect(summary(beyond)).toEqual({ messageId: 'patch.failed', expression: 'Parameters.parameter[0]', status: 422 });
    const single = thrown(() => run([{ type: 'insert', path: 'Patient.gender', index: 0, value: { valueCode: 'male' } }]));
    expect(summary(single).messageId).toBe('patch.failed');
  });
});

describe('FHIRPath Patch: delete', () => {
  it('deletes Patient.birthDate', () => {
    const patched = run([{ type: 'delete', path: 'Patient.birthDate' }]);
    expect('birthDate' in patched).toBe(false);
    expect(patched.gender).toBe('male');
  });

  it('deletes the list item a where() selects', () => {
    expect(run([{ type: 'delete', path: "Patient.telecom.where(system='email')" }]).telecom).toEqual([patient.telecom![0]]);
  });

  it('removes a list that becomes empty', () => {
    const patched = run([{ type: 'delete', path: 'Patient.name[1].given' }]);
    expect(patched.name?.[1]).toEqual({ use: 'usual' });
  });

  it('does nothing when the path matches nothing', () => {
    expect(run([{ type: 'delete', path: 'Patient.deceased' }, { type: 'delete', path: "Patient.telecom.where(system='fax')" }])).toEqual(patient);
  });

  it('refuses to delete several elements at once', () => {
    const error = thrown(() => run([{ type: 'delete', path: 'Patient.name.given' }]));
    expect(summary(error)).toEqual({ messageId: 'patch.failed', expression: 'Parameters.parameter[0]', status: 422 });
    expect(error.message).toContain('3');
  });
});

describe('FHIRPath Patch: replace', () => {
  it('replaces Patient.gender and Patient.birthDate', () => {
    const patched = run([
      { type: 'replace', path: 'Patient.gender', value: { valueCode: 'female' } },
      { type: 'replace', path: 'Patient.birthDate', value: { valueDate: '1975-01-01' } },
    ]);
    expect(patched.gender).toBe('female');
    expect(patched.birthDate).toBe('1975-01-01');
  });

  it("replaces a value selected with .where(system='phone')", () => {
    const patched = run([{ type: 'replace', path: "Patient.telecom.where(system='phone').value", value: { valueString: '(03) 1234 5678' } }]);
    expect(patched.telecom).toEqual([{ system: 'phone', value: '(03) 1234 5678', use: 'work' }, patient.telecom![1]]);
  });

  it('replaces one item of a primitive list by index', () => {
    expect(run([{ type: 'replace', path: 'Patient.name[0].given[1]', value: { valueString: 'J.' } }]).name?.[0]?.given).toEqual(['Peter', 'J.']);
  });

  it('replaces a complex element with one built from parts', () => {
    const value = { part: [{ name: 'family', valueString: 'Li' }, { name: 'given', valueString: 'Lei' }] };
    expect(run([{ type: 'replace', path: "Patient.name.where(use='usual')", value }]).name?.[1]).toEqual({ family: 'Li', given: ['Lei'] });
  });

  it('changes the key of a choice element to the new value type', () => {
    const deceased: Patient = { ...patient, deceasedBoolean: false };
    const patched = run([{ type: 'replace', path: 'Patient.deceased', value: { valueDateTime: '2020-02-02' } }], deceased);
    expect(patched.deceasedDateTime).toBe('2020-02-02');
    expect('deceasedBoolean' in patched).toBe(false);
  });

  it.each([
    ['an ambiguous path', 'Patient.name.given'],
    ['a path matching nothing', 'Patient.deceased'],
    ['the resource itself', 'Patient'],
    ['a computed value', 'Patient.name.count()'],
  ])('fails on %s', (_, path) => {
    const error = thrown(() => run([{ type: 'replace', path, value: { valueString: 'x' } }]));
    expect(summary(error)).toEqual({ messageId: 'patch.failed', expression: 'Parameters.parameter[0]', status: 422 });
  });
});

describe('FHIRPath Patch: move', () => {
  it('moves names within their list', () => {
    expect(run([{ type: 'move', path: 'Patient.name', source: 0, destination: 1 }]).name).toEqual([patient.name![1], patient.name![0]]);
  });

  it('moves towards the front', () => {
    const three: Patient = { resourceType: 'Patient', name: [{ given: ['a', 'b', 'c'] }] };
    expect(run([{ type: 'move', path: 'Patient.name.given', source: 2, destination: 0 }], three).name?.[0]?.given).toEqual(['c', 'a', 'b']);
  });

  it('fails on an index outside the list', () => {
    const error = thrown(() => run([{ type: 'move', path: 'Patient.name', source: 0, destination: 2 }]));
    expect(summary(error)).toEqual({ messageId: 'patch.failed', expression: 'Parameters.parameter[0]', status: 422 });
  });
});

describe('FHIRPath Patch: primitive extensions', () => {
  const extension = [{ url: 'http://example.org/pronunciation', valueString: 'PEE-ter' }];
  const annotated: Patient = { resourceType: 'Patient', name: [{ given: ['Peter', 'James'], _given: [{ extension }, null] } as never] };
  const givenOf = (p: Patient) => p.name?.[0] as { given?: string[]; _given?: unknown[] };

  it('keeps the _given list aligned on insert, move and delete', () => {
    const inserted = givenOf(run([{ type: 'insert', path: 'Patient.name.given', index: 0, value: { valueString: 'Dr' } }], annotated));
    expect(inserted).toEqual({ given: ['Dr', 'Peter', 'James'], _given: [null, { extension }, null] });
    const moved = givenOf(run([{ type: 'move', path: 'Patient.name.given', source: 0, destination: 1 }], annotated));
    expect(moved).toEqual({ given: ['James', 'Peter'], _given: [null, { extension }] });
    const deleted = givenOf(run([{ type: 'delete', path: 'Patient.name.given.first()' }], annotated));
    expect(deleted).toEqual({ given: ['James'] });
  });

  it('replaces the element as a whole, dropping its extensions', () => {
    const dated: Patient = { resourceType: 'Patient', birthDate: '1974', _birthDate: { extension } } as Patient;
    expect(run([{ type: 'replace', path: 'Patient.birthDate', value: { valueDate: '1974-12-25' } }], dated)).toEqual({
      resourceType: 'Patient',
      birthDate: '1974-12-25',
    });
  });
});

describe('FHIRPath Patch: atomicity and isolation', () => {
  it('never changes the resource or the Parameters', () => {
    const snapshot = structuredClone(patient);
    const parameters = patch(
      { type: 'add', path: 'Patient', name: 'telecom', value: { valueContactPoint: { value: 'x' } } },
      { type: 'delete', path: 'Patient.birthDate' },
      { type: 'move', path: 'Patient.name', source: 0, destination: 1 },
    );
    const parametersSnapshot = structuredClone(parameters);
    const patched = applyFhirPathPatch(patient, parameters) as Patient;
    patched.telecom![2]!.value = 'changed';
    expect(patient).toEqual(snapshot);
    expect(parameters).toEqual(parametersSnapshot);
  });

  it('applies nothing when a later operation fails, naming that operation', () => {
    const snapshot = structuredClone(patient);
    const error = thrown(() =>
      run([
        { type: 'delete', path: 'Patient.birthDate' },
        { type: 'replace', path: 'Patient.name.given', value: { valueString: 'x' } },
      ]),
    );
    expect(summary(error).expression).toBe('Parameters.parameter[1]');
    expect(patient).toEqual(snapshot);
  });

  it('sees the effect of earlier operations', () => {
    const patched = run([
      { type: 'add', path: 'Patient', name: 'active', value: { valueBoolean: false } },
      { type: 'replace', path: 'Patient.active', value: { valueBoolean: true } },
    ]);
    expect(patched.active).toBe(true);
  });

  it('accepts Parameters without operations as an empty patch', () => {
    expect(applyFhirPathPatch(patient, { resourceType: 'Parameters' })).toEqual(patient);
  });
});

describe('FHIRPath Patch: malformed Parameters', () => {
  it('requires a Parameters resource', () => {
    expect(summary(thrown(() => applyFhirPathPatch(patient, { resourceType: 'Patient' })))).toEqual({
      messageId: 'patch.invalid',
      expression: undefined,
      status: 400,
    });
  });

  const part = (name: string, value: Record<string, unknown>) => ({ name, ...value });
  it.each([
    ['a parameter not named operation', { name: 'op', part: [part('type', { valueCode: 'delete' }), part('path', { valueString: 'Patient.id' })] }],
    ['an operation without parts', { name: 'operation' }],
    ['an unknown type', { name: 'operation', part: [part('type', { valueCode: 'upsert' }), part('path', { valueString: 'Patient' })] }],
    ['a missing path', { name: 'operation', part: [part('type', { valueCode: 'delete' })] }],
    ['an invalid FHIRPath', { name: 'operation', part: [part('type', { valueCode: 'delete' }), part('path', { valueString: 'Patient.name[' })] }],
    ['replace without a value', { name: 'operation', part: [part('type', { valueCode: 'replace' }), part('path', { valueString: 'Patient.gender' })] }],
    ['add without a name', { name: 'operation', part: [part('type', { valueCode: 'add' }), part('path', { valueString: 'Patient' }), part('value', { valueString: 'x' })] }],
    ['a part the type does not take', { name: 'operation', part: [part('type', { valueCode: 'delete' }), part('path', { valueString: 'Patient.id' }), part('index', { valueInteger: 0 })] }],
    ['a repeated part', { name: 'operation', part: [part('type', { valueCode: 'delete' }), part('path', { valueString: 'Patient.id' }), part('path', { valueString: 'Patient.id' })] }],
    ['a negative index', { name: 'operation', part: [part('type', { valueCode: 'insert' }), part('path', { valueString: 'Patient.name' }), part('index', { valueInteger: -1 }), part('value', { valueString: 'x' })] }],
    ['insert into a path that is not a list element', { name: 'operation', part: [part('type', { valueCode: 'insert' }), part('path', { valueString: 'Patient.name.first()' }), part('index', { valueInteger: 0 }), part('value', { valueString: 'x' })] }],
    ['a value with two value[x]', { name: 'operation', part: [part('type', { valueCode: 'replace' }), part('path', { valueString: 'Patient.gender' }), part('value', { valueCode: 'male', valueString: 'male' })] }],
    ['a value part without a name', { name: 'operation', part: [part('type', { valueCode: 'add' }), part('path', { valueString: 'Patient' }), part('name', { valueString: 'name' }), part('value', { part: [{ valueString: 'x' }] })] }],
    ['a name that is not an element name', { name: 'operation', part: [part('type', { valueCode: 'add' }), part('path', { valueString: 'Patient' }), part('name', { valueString: '__proto__' }), part('value', { valueString: 'x' })] }],
  ])('rejects %s with the position of the operation', (_, bad) => {
    const good = patch({ type: 'delete', path: 'Patient.birthDate' }).parameter![0]!;
    const parameters = { resourceType: 'Parameters', parameter: [good, bad] };
    expect(summary(thrown(() => applyFhirPathPatch(patient, parameters)))).toEqual({
      messageId: 'patch.invalid',
      expression: 'Parameters.parameter[1]',
      status: 400,
    });
  });
});
