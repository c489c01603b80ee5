/**
 * C-FIND attribute matching (PS3.4 C.2.2.2) on naturalized items, for answers built in memory
 * (the worklist): single value, list of UIDs, wildcards, date/time ranges, sequence matching.
 * Person names match case-insensitively in any group, as most archives do.
 */
import { identifierKeys, matchString, sequenceItems, vrOfKey, type Naturalized } from './identifier.js';

export function matchesIdentifier(identifier: Naturalized, item: Naturalized): boolean {
  return identifierKeys(identifier).every((key) => {
    const wanted = identifier[key];
    const items = sequenceItems(wanted);
    if (items) {
      const template = items[0] as Naturalized;
      if (identifierKeys(template).every((k) => matchString(template[k]) === undefined && !sequenceItems(template[k]))) return true;
      return (sequenceItems(item[key]) ?? []).some((candidate) => matchesIdentifier(template, candidate));
    }
    const pattern = matchString(wanted);
    if (pattern === undefined || pattern === '*') return true;
    return matchesValue(pattern, item[key], vrOfKey(key));
  });
}

function matchesValue(pattern: string, value: unknown, vr: string): boolean {
  const candidates = candidateStrings(value, vr);
  if (vr === 'UI') {
    const uids = pattern.split('\\');
    return candidates.some((c) => uids.includes(c));
  }
  if ((vr === 'DA' || vr === 'TM' || vr === 'DT') && pattern.includes('-')) {
    const [from = '', to = ''] = pattern.split('-');
    return candidates.some((c) => c !== '' && (from === '' || c >= from) && (to === '' || c.slice(0, to.length) <= to));
  }
  // A PN pattern in several groups matches on its first non-empty one.
  const regex = vr === 'PN' ? wildcard(pattern.split('=').find((g) => g !== '') ?? '*', true) : wildcard(pattern, false);
  return candidates.some((c) => regex.test(c));
}

/** A PN matches on each of its groups; other values on each of their values. */
function candidateStrings(value: unknown, vr: string): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((v) => {
    if (v === null || v === undefined) return [];
    if (vr === 'PN' && typeof v === 'object') return Object.values(v as Record<string, string>).map(String);
    return [String(v)];
  });
}

function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  // Trailing `^` of omitted name components do not change what a name is.
  const p = caseInsensitive ? pattern.replace(/\^+$/, '') : pattern;
  const body = p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}${caseInsensitive ? '\\^*' : ''}$`, caseInsensitive ? 'iu' : 'u');
}
