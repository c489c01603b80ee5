import { isNarrowing, parseScopes, scopesFor, toV2 } from '../../src/auth/scopes.js';

describe('SMART scope grammar', () => {
  it('parses v2 scopes with query restrictions', () => {
    const parsed = parseScopes('patient/Observation.rs?category=laboratory launch/patient openid fhirUser');
    expect(parsed.invalid).toEqual([]);
    expect([...parsed.other].sort()).toEqual(['fhirUser', 'launch/patient', 'openid']);
    const [scope] = parsed.resources;
    expect(scope?.context).toBe('patient');
    expect(scope?.resourceType).toBe('Observation');
    expect([...(scope?.interactions ?? [])]).toEqual(['r', 's']);
    expect(scope?.query).toEqual([['category', 'laboratory']]);
  });

  it('decodes query values and keeps several restrictions', () => {
    const [scope] = parseScopes('user/Observation.rs?category=http%3A%2F%2Fterminology.hl7.org%2FCodeSystem%2Fobservation-category%7Claboratory&status=final').resources;
    expect(scope?.query).toEqual([
      ['category', 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory'],
      ['status', 'final'],
    ]);
  });

  it('reads v1 scopes as v2', () => {
    const parsed = parseScopes(['patient/*.read', 'user/Observation.write', 'system/*.*']);
    expect(parsed.resources.map(toV2)).toEqual(['patient/*.rs', 'user/Observation.cud', 'system/*.cruds']);
  });

  it('refuses malformed scopes', () => {
    const parsed = parseScopes('patient/Observation.sr patient/Observation.rr user/observation.rs patient/Observation.x system/*.read?x=1 user/Patient.rs? foo');
    expect(parsed.resources).toEqual([]);
    expect(parsed.invalid).toHaveLength(7);
  });

  it('finds the scopes that permit an interaction', () => {
    const parsed = parseScopes('patient/Observation.rs patient/*.c user/Patient.r');
    expect(scopesFor(parsed, 'Observation', 's').map((s) => s.text)).toEqual(['patient/Observation.rs']);
    expect(scopesFor(parsed, 'Condition', 'c').map((s) => s.text)).toEqual(['patient/*.c']);
    expect(scopesFor(parsed, 'Condition', 'r')).toEqual([]);
    expect(scopesFor(parsed, 'Patient', 'u')).toEqual([]);
  });

  describe('narrowing (refresh)', () => {
    const granted = parseScopes('patient/*.rs patient/Observation.rs?category=laboratory user/Encounter.cruds launch/patient offline_access openid');
    const narrows = (requested: string): boolean => isNarrowing(parseScopes(requested), granted);

    it('accepts the same or fewer scopes', () => {
      expect(narrows('patient/*.rs patient/Observation.rs?category=laboratory user/Encounter.cruds launch/patient offline_access openid')).toBe(true);
      expect(narrows('patient/Condition.r user/Encounter.rs')).toBe(true);
      expect(narrows('patient/*.read')).toBe(true);
      expect(narrows('patient/Condition.rs?clinical-status=active')).toBe(true);
      expect(narrows('')).toBe(true);
    });

    it('refuses more interactions, another context, dropped restrictions or new scopes', () => {
      expect(narrows('patient/*.cruds')).toBe(false);
      expect(narrows('patient/*.write')).toBe(false);
      expect(narrows('user/Condition.rs')).toBe(false);
      expect(narrows('user/*.rs')).toBe(false);
      expect(narrows('fhirUser')).toBe(false);
      expect(narrows('patient/Observation.rs?category=laboratory&status=final')).toBe(true);
      expect(isNarrowing(parseScopes('patient/Observation.rs'), parseScopes('patient/Observation.rs?category=laboratory'))).toBe(false);
      expect(narrows('patient/Observation.bogus')).toBe(false);
    });
  });
});
