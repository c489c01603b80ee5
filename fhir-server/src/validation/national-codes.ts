import type { Terminology } from '@qiao/terminology';

/**
 * Whether a code is in a national code system (GB/T 3304, GB/T 2260…), for the profiles'
 * bindings: the one seam between validation and the terminology service. Undefined when the
 * system is not held, since a code that cannot be checked is not thereby wrong.
 */
export type NationalCodes = (system: string, code: string) => boolean | undefined;

/**
 * The answer of a terminology service: on the server, the per-database instance
 * (`nationalCodesFor` in operations/terminology), so a hospital's stored code tables and new
 * versions count. A retired code is still in its system: the write hook refuses it in new data.
 */
export function nationalCodesOf(t: Terminology): NationalCodes {
  return (system, code) => (t.codeSystem(system) ? t.inValueSet(system, system, code) : undefined);
}

let active: NationalCodes | undefined;

/**
 * What the compiled profile validator asks: the checker of the validation running now. The
 * validator is compiled once and validation is synchronous, so the checker is set around each
 * run instead of compiling a validator per database.
 */
export const activeNationalCodes: NationalCodes = (system, code) => active?.(system, code);

export function checkingWith<T>(codes: NationalCodes | undefined, work: () => T): T {
  const previous = active;
  active = codes;
  try {
    return work();
  } finally {
    active = previous;
  }
}
