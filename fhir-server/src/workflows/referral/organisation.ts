import type { Extension, Organization, Reference } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import type { Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { CARE_LEVELS, LEVEL_SYSTEM, RESOURCE_MODES, SETTINGS_EXTENSION } from './vocabulary.js';

/**
 * What an organisation decided about referrals (转诊设置), kept on its Organization resource in one
 * extension `referral-settings` with parts:
 *   `outgoingApproval` (boolean, default true) — referrals it sends wait for its own approval (转出审核);
 *   `incomingApproval` (boolean, default true) — referrals to it wait for its approval (转入审核);
 *   `mode` (code, 0..*, default both) — how referred patients are booked: `quota` (its reserved slots,
 *     绿色通道) and/or `online` (any free slot, 在线预约);
 *   `contact` (Reference(Practitioner|PractitionerRole), 0..*) — its referral approvers and
 *     coordinators, who are notified when a referral waits for the organisation.
 * Its level (primary, secondary, tertiary) is an Organization.type coding in the care-level code system.
 */
export interface ReferralSettings {
  readonly outgoingApproval: boolean;
  readonly incomingApproval: boolean;
  readonly modes: readonly string[];
  readonly contacts: readonly string[];
}

const DEFAULTS: ReferralSettings = { outgoingApproval: true, incomingApproval: true, modes: RESOURCE_MODES.map((m) => m.code), contacts: [] };

export function settingsOf(org: Organization | undefined): ReferralSettings {
  const ext = org?.extension?.find((e) => e.url === SETTINGS_EXTENSION);
  if (!ext) return DEFAULTS;
  const parts = (name: string): Extension[] => (ext.extension ?? []).filter((e) => e.url === name);
  const flag = (name: string, fallback: boolean) => parts(name)[0]?.valueBoolean ?? fallback;
  const modes = parts('mode').flatMap((e) => (e.valueCode ? [e.valueCode] : []));
  return {
    outgoingApproval: flag('outgoingApproval', true),
    incomingApproval: flag('incomingApproval', true),
    modes: modes.length ? modes : DEFAULTS.modes,
    contacts: parts('contact').flatMap((e) => (e.valueReference?.reference ? [e.valueReference.reference] : [])),
  };
}

/** The rank of an organisation's care level (1 primary … 3 tertiary), undefined when it has none. */
export function levelRank(org: Organization | undefined): number | undefined {
  const code = org?.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === LEVEL_SYSTEM)?.code;
  return CARE_LEVELS.find((l) => l.code === code)?.rank;
}

/** Reads `Type/id` inside the transaction; undefined when it does not exist (or is not a local reference). */
export async function readLocal<T>(ctx: Context, q: Queryable, ref: Reference | string | undefined, type: string, forUpdate = false): Promise<T | undefined> {
  const text = typeof ref === 'string' ? ref : ref?.reference;
  const match = text ? /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(text) : null;
  if (!match || match[1] !== type) return undefined;
  try {
    return JSON.parse((await ctx.repo.read(q, type, match[2] as string, forUpdate)).json as string) as T;
  } catch (error) {
    if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
    throw error;
  }
}
