import { evalFhirPathTyped, parseFhirPath, toTypedValue } from '@medplum/core';
import { baseSearchParameters } from '../../src/definitions/r4.js';
import { compilePath } from '../../src/search/compiled-path.js';

type Json = Record<string, unknown>;

/** What @medplum/core's FHIRPath engine finds: the reference the compiled evaluators must equal. */
function interpreted(expression: string, resource: Json): { type: string; value: unknown }[] {
  try {
    return evalFhirPathTyped(parseFhirPath(expression), [toTypedValue(resource)]).map((tv) => ({ type: tv.type, value: tv.value }));
  } catch {
    return [];
  }
}

/** Every R4 branch of the form `path.where(resolve() is Type)`, with the resource type it is rooted in. */
const RESOLVE_IS = baseSearchParameters().flatMap((sp) =>
  (sp.expression ?? '')
    .split('|')
    .map((b) => b.trim())
    .filter((b) => /\.where\(resolve\(\) is [A-Za-z]+\)$/.test(b))
    .map((b) => ({ code: sp.code, type: b.split('.')[0] as string, expression: b })),
);

/** References of every shape resolve() reads differently. */
const REFERENCES: unknown[] = [
  { reference: 'Patient/p1' },
  { reference: 'Patient/p1/_history/2' },
  { reference: 'Practitioner/d1' },
  { reference: 'Group/g1' },
  { reference: 'Location/l1' },
  { reference: 'RelatedPerson/r1' },
  { reference: 'http://example.org/fhir/Patient/p1' },
  { reference: 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0' },
  { reference: '#contained' },
  { reference: 'Patient?identifier=urn:oid:2.16.156.10011.1.3|110101199001011234' },
  { reference: 'Device?x=a/b' },
  { reference: '' },
  { type: 'Patient', identifier: { system: 'urn:oid:2.16.156.10011.1.3', value: '110101199001011234' } },
  { type: 'Practitioner', identifier: { value: 'L0042' } },
  { type: 'Patient' },
  { identifier: { value: 'x' } },
  { display: '王小明' },
  { resource: { resourceType: 'Patient', id: 'p9' } },
  { resource: { resourceType: 'Practitioner' }, reference: 'Patient/p1' },
  { resource: 'Patient' },
  { reference: 42 },
  {},
];

/** A resource of `type` holding `leaf` at the end of the branch's path (an array at every step, several items). */
function holding(expression: string, leaves: unknown[]): Json {
  const [type, ...segments] = (expression.split('.where(')[0] as string).split('.');
  const build = (steps: string[]): unknown[] => {
    const [first, ...rest] = steps;
    if (rest.length === 0) return leaves.map((leaf) => ({ [first as string]: leaf }));
    return build(rest).map((inner) => ({ [first as string]: [inner] }));
  };
  const [head, ...tail] = segments;
  return { resourceType: type, [head as string]: tail.length ? build(tail) : leaves.length === 1 ? leaves[0] : leaves };
}

describe('search expressions compiled instead of interpreted find what the FHIRPath engine finds', () => {
  it('covers the R4 branches that filter references by resolve() … is', () => {
    expect(RESOLVE_IS.length).toBeGreaterThan(40);
  });

  it.each(RESOLVE_IS.map((b) => [`${b.code}: ${b.expression}`, b]))('%s', (_name, branch) => {
    const evaluate = compilePath(branch.type, branch.expression);
    // Each reference alone, then all of them together (in order, several per resource).
    for (const reference of REFERENCES) {
      const resource = holding(branch.expression, [reference]);
      expect(evaluate(resource)).toEqual(interpreted(branch.expression, resource));
    }
    const sane = REFERENCES.filter((r) => typeof (r as Json).reference !== 'number');
    const resource = holding(branch.expression, sane);
    expect(evaluate(resource)).toEqual(interpreted(branch.expression, resource));
    expect(evaluate(resource).length).toBeGreaterThan(0);
    // One unreadable reference among them fails the whole expression in the engine: nothing found.
    const spoilt = holding(branch.expression, REFERENCES);
    expect(evaluate(spoilt)).toEqual(interpreted(branch.expression, spoilt));
  });

  it('finds the resource itself for a bare type, as the base of Observation composites', () => {
    const observation = { resourceType: 'Observation', status: 'final', code: { text: '血红蛋白' } };
    expect(compilePath('Observation', 'Observation')(observation)).toEqual(interpreted('Observation', observation));
  });
});
