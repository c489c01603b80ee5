import type { CodeSystem, ConceptMap, ValueSet } from '@medplum/fhirtypes';
import { diffVersions } from './history.js';
import { indexCodeSystem, isA, type IndexedCodeSystem } from './code-system.js';
import { MapIndex } from './concept-map.js';
import {
  TerminologyError,
  type CodeChange,
  type ExpandOptions,
  type Expansion,
  type ExpansionItem,
  type LookupResult,
  type SubsumptionOutcome,
  type TerminologyIssue,
  type TranslateRequest,
  type TranslateResult,
  type ValidateCodeRequest,
  type ValidateCodeResult,
} from './model.js';
import { expandAll, matchesFilter, membership, unknownValueSet, type Resolver } from './value-set.js';

export type TerminologyResource = CodeSystem | ValueSet | ConceptMap;

export interface CodeSystemSummary {
  url: string;
  version?: string;
  name: string;
  count: number;
  versions: string[];
}

/** The terminology service: every answer comes from indexes built when content is added. */
export interface Terminology {
  lookup(system: string, code: string, version?: string): LookupResult;
  validateCode(request: ValidateCodeRequest): ValidateCodeResult;
  /** Membership only (a retired member is still a member). A URL of a code system means all its codes. */
  inValueSet(valueSetUrl: string, system: string, code: string): boolean;
  expand(valueSetUrl: string, options?: ExpandOptions): Expansion;
  subsumes(system: string, codeA: string, codeB: string, version?: string): SubsumptionOutcome;
  translate(request: TranslateRequest): TranslateResult;
  /** Adds or replaces (same url and version) a resource; for a new version of a code system, what changed. */
  add(resource: TerminologyResource): CodeChange[];
  remove(resourceType: TerminologyResource['resourceType'], url: string, version?: string): void;
  codeSystem(url: string, version?: string): CodeSystem | undefined;
  valueSet(url: string): ValueSet | undefined;
  conceptMap(url: string): ConceptMap | undefined;
  codeSystems(): CodeSystemSummary[];
  /** Target systems of the maps from `system`: non-empty means `system` holds local codes to map (标化). */
  mapTargets(system: string): string[];
  readonly generation: number;
}

function stripVersion(url: string): [string, string | undefined] {
  const bar = url.indexOf('|');
  return bar < 0 ? [url, undefined] : [url.slice(0, bar), url.slice(bar + 1)];
}

function issue(severity: TerminologyIssue['severity'], code: TerminologyIssue['code'], id: string, zh: string, en: string): TerminologyIssue {
  return { severity, code, id, zh, en };
}

export function unknownSystem(system: string): TerminologyIssue {
  return issue('error', 'not-found', 'TX-UNKNOWN-SYSTEM', `未知代码系统：${system}`, `Unknown code system: ${system}`);
}

export function unknownCode(system: string, code: string, version?: string): TerminologyIssue {
  const v = version ? `（版本 ${version}）` : '';
  const ve = version ? ` (version ${version})` : '';
  return issue('error', 'code-invalid', 'TX-UNKNOWN-CODE', `代码 ${code} 不在代码系统 ${system}${v} 中`, `Code ${code} is not in code system ${system}${ve}`);
}

export function retiredCode(system: string, code: string): TerminologyIssue {
  return issue('warning', 'business-rule', 'TX-RETIRED-CODE',
    `代码 ${system}|${code} 已停用：新数据不得使用，已存数据仍然有效`,
    `Code ${system}|${code} is retired: new data may not use it; stored data stays valid`);
}

interface StoredSystem {
  resource: CodeSystem;
  version?: string;
  indexed?: IndexedCodeSystem;
}

function indexOf(entry: StoredSystem): IndexedCodeSystem {
  entry.indexed ??= indexCodeSystem(entry.resource);
  return entry.indexed;
}

class Registry implements Terminology, Resolver {
  /** Versions of each code system, oldest first; indexed on first use (most FHIR tables never are). */
  private readonly systems = new Map<string, StoredSystem[]>();
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly maps = new Map<string, ConceptMap>();
  private mapIndex: MapIndex | undefined;
  generation = 0;

  constructor(resources: Iterable<TerminologyResource>) {
    for (const r of resources) this.add(r);
  }

  add(resource: TerminologyResource): CodeChange[] {
    if (!resource.url) {
      throw new TerminologyError([issue('error', 'invalid', 'TX-NO-URL', `${resource.resourceType} 缺少 url`, `${resource.resourceType} has no url`)]);
    }
    this.generation++;
    if (resource.resourceType === 'ValueSet') {
      this.valueSets.set(resource.url, resource);
      return [];
    }
    if (resource.resourceType === 'ConceptMap') {
      this.maps.set(resource.url, resource);
      this.mapIndex = undefined;
      return [];
    }
    const entry: StoredSystem = { resource, ...(resource.version ? { version: resource.version } : {}) };
    const versions = this.systems.get(resource.url) ?? [];
    const previous = versions.at(-1);
    const others = versions.filter((v) => v.version !== entry.version);
    // A definition without its codes (a stub someone stored) must not hide the content held.
    if (resource.content === 'not-present' && others.length) {
      this.systems.set(resource.url, [entry, ...others]);
      return [];
    }
    this.systems.set(resource.url, [...others, entry]);
    return previous && previous.version !== entry.version ? diffVersions(indexOf(previous), indexOf(entry)) : [];
  }

  remove(resourceType: TerminologyResource['resourceType'], url: string, version?: string): void {
    this.generation++;
    if (resourceType === 'ValueSet') this.valueSets.delete(url);
    else if (resourceType === 'ConceptMap') {
      this.maps.delete(url);
      this.mapIndex = undefined;
    } else {
      const left = (this.systems.get(url) ?? []).filter((v) => version !== undefined && v.version !== version);
      if (left.length) this.systems.set(url, left);
      else this.systems.delete(url);
    }
  }

  private entry(url: string, version?: string): StoredSystem | undefined {
    const versions = this.systems.get(url);
    if (!versions) return undefined;
    return version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
  }

  codeSystem(url: string, version?: string): CodeSystem | undefined {
    return this.entry(url, version)?.resource;
  }

  indexed(url: string, version?: string): IndexedCodeSystem | undefined {
    const entry = this.entry(url, version);
    return entry ? indexOf(entry) : undefined;
  }

  valueSet(url: string): ValueSet | undefined {
    const [bare] = stripVersion(url);
    const vs = this.valueSets.get(bare);
    if (vs) return vs;
    // A code system's URL (or its declared all-codes value set) stands for all of its codes.
    const cs = this.indexed(bare);
    if (!cs) return undefined;
    const implicit: ValueSet = { resourceType: 'ValueSet', url: bare, status: 'active', name: cs.name, compose: { include: [{ system: bare }] } };
    this.valueSets.set(bare, implicit);
    return implicit;
  }

  conceptMap(url: string): ConceptMap | undefined {
    return this.maps.get(stripVersion(url)[0]);
  }

  private requireSystem(system: string, version?: string): IndexedCodeSystem {
    const cs = this.indexed(system, version);
    if (cs) return cs;
    if (version !== undefined && this.systems.has(system)) {
      throw new TerminologyError([issue('error', 'not-found', 'TX-UNKNOWN-VERSION', `代码系统 ${system} 没有版本 ${version}`, `Code system ${system} has no version ${version}`)]);
    }
    throw new TerminologyError([unknownSystem(system)]);
  }

  lookup(system: string, code: string, version?: string): LookupResult {
    const cs = this.requireSystem(system, version);
    const c = cs.concepts.get(code);
    if (!c) throw new TerminologyError([unknownCode(system, code, version)]);
    return {
      name: cs.name,
      system,
      ...(cs.version ? { version: cs.version } : {}),
      code,
      ...(c.display ? { display: c.display } : {}),
      ...(c.definition ? { definition: c.definition } : {}),
      status: c.status,
      designations: c.designations,
      properties: c.properties,
      parents: c.parents,
      children: c.children,
    };
  }

  validateCode(request: ValidateCodeRequest): ValidateCodeResult {
    const { code } = request;
    const issues: TerminologyIssue[] = [];
    let system = request.system;
    if (request.url) {
      const vs = this.valueSet(request.url);
      if (!vs) throw unknownValueSet(request.url);
      if (!system) {
        const guess = expandAll(this, request.url).filter((m) => m.code === code);
        if (guess.length !== 1) {
          return { result: false, code, isRetired: false, issues: [issue('error', 'invalid', 'TX-NO-SYSTEM', `代码 ${code} 未给出代码系统`, `Code ${code} has no system`)] };
        }
        system = guess[0]?.system;
      }
    }
    if (!system) {
      return { result: false, code, isRetired: false, issues: [issue('error', 'invalid', 'TX-NO-SYSTEM', `代码 ${code} 未给出代码系统`, `Code ${code} has no system`)] };
    }
    const cs = this.indexed(system, request.version);
    const concept = cs?.concepts.get(code);
    const base = { system, code, ...(cs?.version ? { version: cs.version } : {}) };
    if (request.url) {
      const m = membership(this, request.url, system, code);
      if (m === 'unknown-system') {
        return { ...base, result: false, isRetired: false, unknownSystem: true, issues: [{ ...unknownSystem(system), severity: 'warning' }] };
      }
      if (m === 'not-member') {
        issues.push(issue('error', 'code-invalid', 'TX-NOT-IN-VALUESET', `代码 ${system}|${code} 不在值集 ${request.url} 中`, `Code ${system}|${code} is not in value set ${request.url}`));
        return { ...base, result: false, isRetired: false, ...(concept?.display ? { display: concept.display } : {}), issues };
      }
    } else if (!cs) {
      return { ...base, result: false, isRetired: false, unknownSystem: true, issues: [unknownSystem(system)] };
    }
    if (cs && !concept && !request.url) {
      if (cs.complete) return { ...base, result: false, isRetired: false, issues: [unknownCode(system, code, request.version)] };
      // A fragment (SNOMED CT's stub, a demo subset) cannot refute a code it does not list.
      return {
        ...base, result: false, isRetired: false, unknownSystem: true,
        issues: [issue('warning', 'not-found', 'TX-INCOMPLETE-SYSTEM',
          `代码系统 ${system} 只加载了部分内容，无法确认代码 ${code}`, `Code system ${system} is only partly loaded: code ${code} cannot be checked`)],
      };
    }
    const status = concept?.status ?? 'active';
    if (status === 'retired') issues.push(retiredCode(system, code));
    if (status === 'deprecated') {
      issues.push(issue('warning', 'business-rule', 'TX-DEPRECATED-CODE', `代码 ${system}|${code} 已不推荐使用`, `Code ${system}|${code} is deprecated`));
    }
    if (request.display && concept && request.display !== concept.display && !concept.designations.some((d) => d.value === request.display)) {
      issues.push(issue('warning', 'invalid', 'TX-WRONG-DISPLAY',
        `代码 ${code} 的显示名应为“${concept.display ?? ''}”，而不是“${request.display}”`,
        `Display for code ${code} should be "${concept.display ?? ''}", not "${request.display}"`));
    }
    return { ...base, result: true, ...(concept?.display ? { display: concept.display } : {}), status, isRetired: status === 'retired', issues };
  }

  inValueSet(valueSetUrl: string, system: string, code: string): boolean {
    return membership(this, valueSetUrl, system, code) === 'member';
  }

  expand(valueSetUrl: string, options: ExpandOptions = {}): Expansion {
    const vs = this.valueSet(valueSetUrl);
    if (!vs) throw unknownValueSet(valueSetUrl);
    let members = expandAll(this, valueSetUrl);
    if (options.activeOnly) members = members.filter((m) => m.status !== 'retired');
    const filter = options.filter?.trim().toLowerCase();
    if (filter) members = members.filter((m) => matchesFilter(m, filter));
    const offset = Math.max(0, options.offset ?? 0);
    const count = options.count === undefined ? members.length : Math.max(0, options.count);
    const language = options.displayLanguage?.toLowerCase();
    const contains = members.slice(offset, offset + count).map((m): ExpansionItem => {
      const translated = language
        ? m.designations.find((d) => d.language && (d.language.toLowerCase() === language || d.language.toLowerCase().split('-')[0] === language.split('-')[0]))
        : undefined;
      const display = translated?.value ?? m.display;
      return {
        system: m.system,
        ...(m.version ? { version: m.version } : {}),
        code: m.code,
        ...(display ? { display } : {}),
        ...(m.status === 'retired' ? { inactive: true } : {}),
        ...(options.includeDesignations && m.designations.length ? { designations: m.designations } : {}),
      };
    });
    return {
      url: stripVersion(valueSetUrl)[0],
      ...(vs.version ? { version: vs.version } : {}),
      ...(vs.name ? { name: vs.name } : {}),
      ...(vs.title ? { title: vs.title } : {}),
      total: members.length,
      offset,
      contains,
    };
  }

  subsumes(system: string, codeA: string, codeB: string, version?: string): SubsumptionOutcome {
    const cs = this.requireSystem(system, version);
    for (const code of [codeA, codeB]) if (!cs.concepts.has(code)) throw new TerminologyError([unknownCode(system, code, version)]);
    if (codeA === codeB) return 'equivalent';
    if (isA(cs, codeB, codeA)) return 'subsumes';
    if (isA(cs, codeA, codeB)) return 'subsumed-by';
    return 'not-subsumed';
  }

  private index(): MapIndex {
    this.mapIndex ??= new MapIndex(this.maps.values());
    return this.mapIndex;
  }

  translate(request: TranslateRequest): TranslateResult {
    const { system, code, target, reverse = false } = request;
    if (request.url && !this.conceptMap(request.url)) {
      throw new TerminologyError([issue('error', 'not-found', 'TX-UNKNOWN-CONCEPTMAP', `未知概念映射：${request.url}`, `Unknown concept map: ${request.url}`)]);
    }
    const mapUrl = request.url ? stripVersion(request.url)[0] : undefined;
    const matches = this.index()
      .lookup(system, code, reverse)
      .filter((e) => (mapUrl === undefined || e.map === mapUrl) && (target === undefined || e.toSystem === target))
      .map((e) => ({
        equivalence: e.equivalence,
        system: e.toSystem,
        code: e.code,
        ...(e.display ?? this.indexed(e.toSystem)?.concepts.get(e.code)?.display
          ? { display: (e.display ?? this.indexed(e.toSystem)?.concepts.get(e.code)?.display) as string }
          : {}),
        source: e.map,
      }));
    const result = matches.some((m) => m.equivalence !== 'unmatched' && m.equivalence !== 'disjoint');
    const issues = result ? [] : [issue('warning', 'not-found', 'TX-NO-MAPPING', `代码 ${system}|${code} 没有映射`, `No mapping for code ${system}|${code}`)];
    return { result, matches, issues };
  }

  codeSystems(): CodeSystemSummary[] {
    return [...this.systems.entries()].map(([url, versions]) => {
      const current = indexOf(versions.at(-1) as StoredSystem);
      return {
        url,
        ...(current.version ? { version: current.version } : {}),
        name: current.name,
        count: current.concepts.size,
        versions: versions.map((v) => v.version ?? ''),
      };
    });
  }

  mapTargets(system: string): string[] {
    return [...(this.index().sourceSystems.get(system) ?? [])];
  }
}

export interface TerminologyOptions {
  /** Content to load (the shipped content comes from `shippedContent()`). */
  resources?: Iterable<TerminologyResource>;
}

/** Builds the service over the given content; use `createTerminology({ resources: shippedContent() })` for everything shipped. */
export function createTerminology(options: TerminologyOptions = {}): Terminology {
  return new Registry(options.resources ?? []);
}
