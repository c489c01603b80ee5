import { createTerminology, shippedContent, type Terminology } from '@qiao/terminology';

/**
 * Whether a code is in a national code system (GB/T 3304, GB/T 2260…), for the profiles'
 * bindings: the one seam between validation and the terminology service. Undefined when the
 * system is not held, since a code that cannot be checked is not thereby wrong.
 */
export type NationalCodes = (system: string, code: string) => boolean | undefined;

let terminology: Terminology | undefined;

/** Backed by the content the terminology workspace ships, built on first use. */
export const shippedNationalCodes: NationalCodes = (system, code) => {
  terminology ??= createTerminology({ resources: shippedContent() });
  if (!terminology.codeSystem(system)) return undefined;
  return terminology.inValueSet(system, system, code);
};
