import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { expandValueSet, expansionHas, valueSetExpander, type Expansion } from '../../src/validation/value-set-expansion.js';

const codes = (expansion: Expansion | undefined): Record<string, string[]> | undefined =>
  expansion && Object.fromEntries([...expansion].map(([system, set]) => [system, [...set].sort()]));

describe('expandValueSet (R4 base definitions)', () => {
  it('expands a whole code system, nested concepts included, ignoring |version', () => {
    const status = codes(expandValueSet('http://hl7.org/fhir/ValueSet/observation-status|4.0.1'));
    expect(status).toEqual({
      'http://hl7.org/fhir/observation-status': ['amended', 'cancelled', 'corrected', 'entered-in-error', 'final', 'preliminary', 'registered', 'unknown'],
    });
  });

  it('combines an imported value set with an explicit concept list', () => {
    // yesnodontknow = all of v2 table 0136 + asked-unknown from data-absent-reason.
    expect(codes(expandValueSet('http://hl7.org/fhir/ValueSet/yesnodontknow'))).toEqual({
      'http://terminology.hl7.org/CodeSystem/v2-0136': ['N', 'Y'],
      'http://terminology.hl7.org/CodeSystem/data-absent-reason': ['asked-unknown'],
    });
  });

  it('cannot expand filters, external code systems or unknown value sets', () => {
    expect(expandValueSet('http://hl7.org/fhir/ValueSet/mimetypes')).toBeUndefined();
    expect(expandValueSet('http://hl7.org/fhir/ValueSet/ucum-units')).toBeUndefined();
    expect(expandValueSet('http://hl7.org/fhir/ValueSet/encounter-participant-type')).toBeUndefined();
    expect(expandValueSet('http://example.org/ValueSet/none')).toBeUndefined();
  });

  it('caches each expansion', () => {
    const first = expandValueSet('http://hl7.org/fhir/ValueSet/administrative-gender');
    expect(expandValueSet('http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1')).toBe(first);
  });
});

describe('valueSetExpander', () => {
  const codeSystems: CodeSystem[] = [
    {
      resourceType: 'CodeSystem',
      url: 'http://example.org/cs/colour',
      status: 'active',
      content: 'complete',
      concept: [{ code: 'red', concept: [{ code: 'dark-red', concept: [{ code: 'maroon' }] }] }, { code: 'blue' }, { code: 'green' }],
    },
    { resourceType: 'CodeSystem', url: 'http://example.org/cs/partial', status: 'active', content: 'fragment', concept: [{ code: 'a' }] },
  ];
  const vs = (id: string, compose: ValueSet['compose']): ValueSet => ({ resourceType: 'ValueSet', url: `http://example.org/vs/${id}`, status: 'active', compose });
  const valueSets: ValueSet[] = [
    vs('all', { include: [{ system: 'http://example.org/cs/colour' }] }),
    vs('no-red', { include: [{ valueSet: ['http://example.org/vs/all'] }], exclude: [{ system: 'http://example.org/cs/colour', concept: [{ code: 'red' }] }] }),
    vs('pick', { include: [{ system: 'http://example.org/cs/colour', concept: [{ code: 'blue' }, { code: 'maroon' }] }] }),
    vs('both', { include: [{ system: 'http://example.org/cs/colour', valueSet: ['http://example.org/vs/pick', 'http://example.org/vs/no-red'] }] }),
    vs('filtered', { include: [{ system: 'http://example.org/cs/colour', filter: [{ property: 'concept', op: 'is-a', value: 'red' }] }] }),
    vs('fragment', { include: [{ system: 'http://example.org/cs/partial' }] }),
    vs('imports-filtered', { include: [{ valueSet: ['http://example.org/vs/filtered'] }, { system: 'http://example.org/cs/colour' }] }),
    vs('cycle-a', { include: [{ valueSet: ['http://example.org/vs/cycle-b'] }] }),
    vs('cycle-b', { include: [{ valueSet: ['http://example.org/vs/cycle-a|2'] }] }),
    vs('empty', undefined),
  ];
  const lookups: string[] = [];
  const expand = valueSetExpander({
    valueSet: (url) => {
      lookups.push(url);
      return valueSets.find((v) => v.url === url);
    },
    codeSystem: (url) => codeSystems.find((c) => c.url === url),
  });
  const colour = (id: string) => codes(expand(`http://example.org/vs/${id}`))?.['http://example.org/cs/colour'];

  it('takes every concept of a complete code system at any depth', () => {
    expect(colour('all')).toEqual(['blue', 'dark-red', 'green', 'maroon', 'red']);
  });

  it('removes excluded codes only', () => {
    expect(colour('no-red')).toEqual(['blue', 'dark-red', 'green', 'maroon']);
  });

  it('intersects a clause with the value sets it imports', () => {
    expect(colour('both')).toEqual(['blue', 'maroon']);
  });

  it('gives up on filters, partial code systems, anything importing them, cycles and missing compose', () => {
    for (const id of ['filtered', 'fragment', 'imports-filtered', 'cycle-a', 'cycle-b', 'empty', 'absent']) {
      expect([id, expand(`http://example.org/vs/${id}`)]).toEqual([id, undefined]);
    }
  });

  it('looks a value set up once, also when it cannot be expanded', () => {
    lookups.length = 0;
    expand('http://example.org/vs/filtered|1.0');
    expand('http://example.org/vs/all');
    expect(lookups).toEqual([]);
  });
});

describe('expansionHas', () => {
  const expansion: Expansion = new Map([
    ['http://a', new Set(['x'])],
    ['http://b', new Set(['y'])],
  ]);
  it('matches system and code, or the code in any system when there is no system', () => {
    expect(expansionHas(expansion, 'http://a', 'x')).toBe(true);
    expect(expansionHas(expansion, 'http://a', 'y')).toBe(false);
    expect(expansionHas(expansion, 'http://c', 'x')).toBe(false);
    expect(expansionHas(expansion, undefined, 'y')).toBe(true);
    expect(expansionHas(expansion, undefined, 'z')).toBe(false);
  });
});
