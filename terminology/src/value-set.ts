import type { ValueSet, ValueSetComposeInclude } from '@medplum/fhirtypes';
import { descendants, isA, type IndexedCodeSystem, type IndexedConcept } from './code-system.js';
import { TerminologyError, type ConceptStatus, type Designation } from './model.js';
import { matchesKeys, searchKeys, type SearchKeys } from './pinyin.js';

/** What a value set needs from the registry: code systems and other value sets by canonical URL. */
export interface Resolver {
  indexed(url: string, version?: string): IndexedCodeSystem | undefined;
  valueSet(url: string): ValueSet | undefined;
  /** Bumped whenever content changes, so cached expansions are rebuilt. */
  readonly generation: number;
}

export interface Member {
  system: string;
  version?: string;
  code: string;
  display?: string;
  status: ConceptStatus;
  designations: Designation[];
  keys: SearchKeys;
  /** The code lower-cased once, for prefix filters. */
  codeKey: string;
}

export type Membership = 'member' | 'not-member' | 'unknown-system';

/** Expansions larger than this are refused (too costly); membership checks never expand. */
export const MAX_EXPANSION = 200_000;

function member(system: string, version: string | undefined, concept: IndexedConcept): Member {
  return {
    system,
    ...(version ? { version } : {}),
    code: concept.code,
    ...(concept.display ? { display: concept.display } : {}),
    status: concept.status,
    designations: concept.designations,
    keys: concept.keys,
    codeKey: concept.code.toLowerCase(),
  };
}

/** Does `concept` of `cs` pass one compose filter? undefined: the filter cannot be evaluated. */
function passes(cs: IndexedCodeSystem, concept: IndexedConcept, f: { property?: string; op?: string; value?: string }): boolean | undefined {
  const value = f.value ?? '';
  const property = f.property ?? 'concept';
  if (property === 'concept' || property === 'code') {
    switch (f.op) {
      case 'is-a': return isA(cs, concept.code, value);
      case 'descendent-of': return concept.code !== value && isA(cs, concept.code, value);
      case 'is-not-a': return !isA(cs, concept.code, value);
      case 'generalizes': return isA(cs, value, concept.code);
      case '=': return concept.code === value;
      case 'in': return value.split(',').map((v) => v.trim()).includes(concept.code);
      case 'not-in': return !value.split(',').map((v) => v.trim()).includes(concept.code);
      case 'regex': return safeRegex(value)?.test(concept.code);
      default: return undefined;
    }
  }
  const values = concept.properties.filter((p) => p.code === property).map((p) => String(p.value));
  if (property === 'status' && values.length === 0) values.push(concept.status);
  switch (f.op) {
    case '=': return values.includes(value);
    case 'in': return value.split(',').some((v) => values.includes(v.trim()));
    case 'not-in': return !value.split(',').some((v) => values.includes(v.trim()));
    case 'exists': return (values.length > 0) === (value !== 'false');
    case 'regex': {
      const re = safeRegex(value);
      return re ? values.some((v) => re.test(v)) : undefined;
    }
    default: return undefined;
  }
}

function safeRegex(pattern: string): RegExp | undefined {
  if (pattern.length > 200) return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}

function includeMembership(r: Resolver, inc: ValueSetComposeInclude, system: string, code: string, depth: number): Membership {
  if (inc.system !== undefined) {
    if (inc.system !== system) return 'not-member';
    const cs = r.indexed(system, inc.version);
    if (inc.concept) {
      if (!inc.concept.some((c) => c.code === code)) return 'not-member';
    } else if (!cs) {
      return 'unknown-system';
    } else if (!cs.concepts.has(code)) {
      return cs.complete ? 'not-member' : 'unknown-system';
    }
    if (inc.filter?.length) {
      const concept = cs?.concepts.get(code);
      if (!cs || !concept) return cs ? 'not-member' : 'unknown-system';
      for (const f of inc.filter) if (passes(cs, concept, f) !== true) return 'not-member';
    }
  }
  for (const url of inc.valueSet ?? []) {
    const answer = membership(r, url, system, code, depth + 1);
    if (answer !== 'member') return answer;
  }
  return inc.system === undefined && !inc.valueSet?.length ? 'not-member' : 'member';
}

/** Whether `system|code` is in the value set, evaluated on its definition (no expansion). */
export function membership(r: Resolver, url: string, system: string, code: string, depth = 0): Membership {
  if (depth > 20) return 'not-member';
  const vs = r.valueSet(url);
  if (!vs) throw unknownValueSet(url);
  if (vs.compose) {
    let answer: Membership = 'not-member';
    for (const inc of vs.compose.include ?? []) {
      const m = includeMembership(r, inc, system, code, depth);
      if (m === 'member') {
        answer = m;
        break;
      }
      if (m === 'unknown-system') answer = m;
    }
    if (answer !== 'member') return answer;
    for (const exc of vs.compose.exclude ?? []) if (includeMembership(r, exc, system, code, depth) === 'member') return 'not-member';
    return 'member';
  }
  return (vs.expansion?.contains ?? []).some((c) => c.system === system && c.code === code) ? 'member' : 'not-member';
}

export function unknownValueSet(url: string): TerminologyError {
  return new TerminologyError([{ severity: 'error', code: 'not-found', id: 'TX-UNKNOWN-VALUESET', zh: `未知值集：${url}`, en: `Unknown value set: ${url}` }]);
}

function unknownSystemForExpansion(url: string, system: string): TerminologyError {
  return new TerminologyError([{
    severity: 'error', code: 'not-supported', id: 'TX-EXPAND-SYSTEM',
    zh: `无法展开值集 ${url}：代码系统 ${system} 未加载（可用导入命令加载）`,
    en: `Cannot expand value set ${url}: code system ${system} is not loaded (load it with the import command)`,
  }]);
}

function tooCostly(url: string): TerminologyError {
  return new TerminologyError([{
    severity: 'error', code: 'too-costly', id: 'TX-EXPAND-TOO-LARGE',
    zh: `值集 ${url} 过大（超过 ${MAX_EXPANSION} 个代码），请用 filter 缩小范围`,
    en: `Value set ${url} is too large to expand (over ${MAX_EXPANSION} codes); narrow it with a filter`,
  }]);
}

function includeMembers(r: Resolver, url: string, inc: ValueSetComposeInclude, depth: number): Member[] {
  let out: Member[] = [];
  if (inc.system !== undefined) {
    const system = inc.system;
    const cs = r.indexed(system, inc.version);
    if (inc.concept) {
      for (const c of inc.concept) {
        const known = cs?.concepts.get(c.code as string);
        const designations: Designation[] = [
          ...(c.designation ?? []).filter((d) => d.value).map((d) => ({ ...(d.language ? { language: d.language } : {}), value: d.value as string })),
          ...(known?.designations ?? []),
        ];
        const display = c.display ?? known?.display;
        out.push({
          system,
          ...(cs?.version ? { version: cs.version } : {}),
          code: c.code as string,
          ...(display ? { display } : {}),
          status: known?.status ?? 'active',
          designations,
          keys: known && !c.designation?.length && !c.display ? known.keys : searchKeys([display, ...designations.map((d) => d.value)]),
          codeKey: (c.code as string).toLowerCase(),
        });
      }
    } else {
      if (!cs) throw unknownSystemForExpansion(url, system);
      let candidates = cs.ordered;
      const isAFilter = inc.filter?.find((f) => (f.property ?? 'concept') === 'concept' && (f.op === 'is-a' || f.op === 'descendent-of'));
      if (isAFilter?.value) {
        const below = descendants(cs, isAFilter.value);
        if (isAFilter.op === 'is-a') below.add(isAFilter.value);
        candidates = candidates.filter((c) => below.has(c.code));
      }
      for (const concept of candidates) {
        if (inc.filter?.some((f) => passes(cs, concept, f) !== true)) continue;
        out.push(member(system, cs.version, concept));
        if (out.length > MAX_EXPANSION) throw tooCostly(url);
      }
    }
  }
  // Value sets named in one include intersect with each other and with the system's part.
  let started = inc.system !== undefined;
  for (const ref of inc.valueSet ?? []) {
    const members = expandAll(r, ref, depth + 1);
    if (!started) {
      out = [...members];
      started = true;
      continue;
    }
    const keep = new Set(members.map((m) => `${m.system}|${m.code}`));
    out = out.filter((m) => keep.has(`${m.system}|${m.code}`));
  }
  return out;
}

const cache = new WeakMap<ValueSet, { generation: number; members: Member[] }>();

/** Every member of the value set, deduplicated, in definition order (cached until content changes). */
export function expandAll(r: Resolver, url: string, depth = 0): Member[] {
  if (depth > 20) return [];
  const vs = r.valueSet(url);
  if (!vs) throw unknownValueSet(url);
  const cached = cache.get(vs);
  if (cached && cached.generation === r.generation) return cached.members;
  let members: Member[];
  if (vs.compose) {
    const seen = new Set<string>();
    members = [];
    for (const inc of vs.compose.include ?? []) {
      for (const m of includeMembers(r, url, inc, depth)) {
        const key = `${m.system}|${m.code}`;
        if (seen.has(key)) continue;
        seen.add(key);
        members.push(m);
      }
    }
    if (vs.compose.exclude?.length) {
      const drop = new Set(vs.compose.exclude.flatMap((exc) => includeMembers(r, url, exc, depth)).map((m) => `${m.system}|${m.code}`));
      members = members.filter((m) => !drop.has(`${m.system}|${m.code}`));
    }
  } else {
    members = (vs.expansion?.contains ?? []).filter((c) => c.code).map((c) => ({
      system: c.system ?? '',
      code: c.code as string,
      ...(c.display ? { display: c.display } : {}),
      status: c.inactive ? 'retired' : 'active',
      designations: [],
      keys: searchKeys([c.display]),
      codeKey: (c.code as string).toLowerCase(),
    }));
  }
  cache.set(vs, { generation: r.generation, members });
  return members;
}

/** A filter matches a code by prefix, and texts and pinyin anywhere. */
export function matchesFilter(m: Member, filter: string): boolean {
  if (m.codeKey.startsWith(filter)) return true;
  return matchesKeys(m.keys, filter);
}
