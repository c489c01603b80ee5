import { declaredProfiles, loadProfileSet, ProfileValidator, type ProfileIssue } from '@qiao/profiles';
import { fromEdgeIssue } from '../errors/edge-issues.js';
import type { IssueInput } from '../errors/fhir-error.js';
import { activeNationalCodes, checkingWith, type NationalCodes } from './national-codes.js';
import { expandValueSet, expansionHas } from './value-set-expansion.js';

export interface ProfileOptions {
  /** Profiles to check besides those in `meta.profile` (`$validate?profile=`). */
  profiles?: readonly string[];
  /** Resource types that must declare a CN profile (`QIAO_REQUIRE_PROFILES`). */
  requireProfiles?: readonly string[];
  /** Report `meta.profile` URLs the server does not hold: `$validate` does, writes do not (R4 lets a server ignore them). */
  reportUnknownProfiles?: boolean;
  /** National code membership (the server's terminology service); without it those bindings go unchecked. */
  codes?: NationalCodes;
}

let validator: ProfileValidator | undefined;

/** The package's profiles, compiled once; bindings to R4 value sets are checked from the base definitions. */
export function cnProfiles(): ProfileValidator {
  validator ??= new ProfileValidator(loadProfileSet(), {
    lookup: activeNationalCodes,
    fallback: {
      inValueSet(url, system, code) {
        const expansion = expandValueSet(url);
        return expansion ? expansionHas(expansion, system, code) : undefined;
      },
    },
  });
  return validator;
}

/**
 * The problems of a resource against the CN profiles it declares (and any asked for), and,
 * for the types an operator requires them on, the lack of one.
 */
export function profileIssues(resource: Record<string, unknown>, type: string, options: ProfileOptions): IssueInput[] {
  const declared = declaredProfiles(resource);
  const urls = [...declared, ...(options.profiles ?? [])];
  const required = options.requireProfiles?.includes(type) ?? false;
  if (!urls.length && !required) return [];
  const profiles = cnProfiles();
  const issues: ProfileIssue[] = [];
  if (urls.length) {
    const checked = options.reportUnknownProfiles ? urls : urls.filter((url) => profiles.has(url));
    issues.push(...checkingWith(options.codes, () => profiles.validate(resource, [...new Set(checked)])));
  }
  if (required && !declared.some((url) => profiles.has(url) && profiles.profilesOf(type).includes(url.split('|')[0] as string))) {
    const allowed = profiles.profilesOf(type);
    issues.push({
      severity: 'error',
      code: 'required',
      id: 'cn-profile-required',
      zh: `本服务器要求 ${type} 声明并符合中国国家配置文件（meta.profile）：${allowed.join('、') || '（无）'}`,
      en: `This server requires ${type} to declare and conform to a CN profile (meta.profile): ${allowed.join(', ') || '(none)'}`,
      expression: `${type}.meta.profile`,
    });
  }
  return issues.map(fromEdgeIssue);
}

/** The CapabilityStatement's `supportedProfile` of a resource type: the package's profiles of it. */
export function supportedProfiles(type: string): { supportedProfile?: string[] } {
  const urls = cnProfiles().profilesOf(type);
  return urls.length ? { supportedProfile: [...urls] } : {};
}
