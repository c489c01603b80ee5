import { RULES, type RuleId, type RuleOverrides } from '@qiao/cda-adapters';
import { SYSTEM_PRINCIPAL } from '../../auth/principal.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { searchAll } from './fhir-io.js';

type Json = Record<string, unknown>;

export const RULES_CODE_SYSTEM = 'https://qiao.health/fhir/CodeSystem/cda-rules';
export const RULE_OVERRIDE_EXT = 'https://qiao.health/fhir/StructureDefinition/cda-rule-override';
const SEVERITIES = new Set(['fatal', 'error', 'warning', 'information']);

/**
 * The platform's changes to the CDA validation rules (校验规则配置), kept as data on the server:
 * a `Basic` resource coded `cda-rules|overrides` whose extensions each name a rule and give it
 * another `severity` or `enabled: false`. Edited with the ordinary REST API; read per request.
 */
export async function ruleOverrides(ctx: Context, q: Queryable, req: FhirRequest): Promise<RuleOverrides> {
  // The platform's configuration, read by the server for every caller (the caller may reach no Basic at all).
  const [basic] = await searchAll(ctx, q, { ...req, principal: SYSTEM_PRINCIPAL }, 'Basic', [['code', `${RULES_CODE_SYSTEM}|overrides`], ['_sort', '-_lastUpdated']]);
  const overrides: RuleOverrides = {};
  for (const x of (basic?.extension as Json[] | undefined) ?? []) {
    if (x.url !== RULE_OVERRIDE_EXT) continue;
    const parts = (x.extension as Json[] | undefined) ?? [];
    const rule = parts.find((p) => p.url === 'rule')?.valueCode as string | undefined;
    if (!rule || !(rule in RULES)) continue;
    const severity = parts.find((p) => p.url === 'severity')?.valueCode as string | undefined;
    const enabled = parts.find((p) => p.url === 'enabled')?.valueBoolean as boolean | undefined;
    overrides[rule as RuleId] = {
      ...(severity && SEVERITIES.has(severity) ? { severity: severity as 'error' } : {}),
      ...(enabled === false ? { enabled: false } : {}),
    };
  }
  return overrides;
}
