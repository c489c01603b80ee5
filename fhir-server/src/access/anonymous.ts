import { DEVELOPMENT_PRINCIPAL, type Principal } from '../auth/principal.js';

/**
 * A request with authorisation on that authentication let through without a principal (a public
 * path such as `/fhir/metadata`): it may reach nothing, and is told to authenticate (401) — never
 * taken for the development principal, so a gap in the middleware fails closed.
 */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({ kind: 'backend', roles: [], scopes: [] });

/** The principal authentication put on the response (`res.locals.principal`). */
export function requestPrincipal(locals: Record<string, unknown> | undefined, auth: 'on' | 'off'): Principal {
  const set = locals?.principal as Principal | undefined;
  return set ?? (auth === 'off' ? DEVELOPMENT_PRINCIPAL : ANONYMOUS_PRINCIPAL);
}
