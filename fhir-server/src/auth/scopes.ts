/**
 * The SMART App Launch scope grammar (v2, with v1 read as v2): what a token string grants. Shared by
 * the authorisation server (which scopes to issue, whether a refresh only narrows) and access control
 * (which interactions a request may perform and which query restrictions narrow it).
 */

export type ScopeContext = 'patient' | 'user' | 'system';

/** v2 interaction letters, in their canonical order: create, read, update, delete, search. */
export type ScopeInteraction = 'c' | 'r' | 'u' | 'd' | 's';
export const SCOPE_INTERACTIONS: readonly ScopeInteraction[] = ['c', 'r', 'u', 'd', 's'];

/** v1 permissions as the v2 letters they stand for (SMART 2.x, "Scopes for requesting clinical data"). */
const V1_PERMISSIONS: Readonly<Record<string, readonly ScopeInteraction[]>> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': ['c', 'r', 'u', 'd', 's'],
};

/** One resource scope such as `patient/Observation.rs?category=laboratory`. */
export interface ResourceScope {
  readonly context: ScopeContext;
  /** A resource type, or `*` for all. */
  readonly resourceType: string;
  readonly interactions: ReadonlySet<ScopeInteraction>;
  /** v2 query restrictions: search parameters (name, value) every permitted resource must match. */
  readonly query: readonly (readonly [string, string])[];
  /** The scope as written. */
  readonly text: string;
}

export interface ParsedScopes {
  readonly resources: readonly ResourceScope[];
  /** Every other well-formed scope as written: `launch`, `launch/patient`, `openid`, `fhirUser`, `offline_access`, ... */
  readonly other: ReadonlySet<string>;
  /** Scopes that follow neither grammar; the authorisation server refuses a request that names one. */
  readonly invalid: readonly string[];
}

/** Non-resource scopes of SMART App Launch 2.2 and OpenID Connect. */
const OTHER_SCOPES = /^(openid|fhirUser|profile|offline_access|online_access|launch|launch\/(patient|encounter)|email|phone|address)$/;

const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.([^?]+)(?:\?(.*))?$/;

/** Parses a space-separated scope string (or the scopes one by one). */
export function parseScopes(scopes: string | readonly string[]): ParsedScopes {
  const list = typeof scopes === 'string' ? scopes.split(/\s+/).filter((s) => s !== '') : scopes;
  const resources: ResourceScope[] = [];
  const other = new Set<string>();
  const invalid: string[] = [];
  for (const text of list) {
    const resource = parseResourceScope(text);
    if (resource) resources.push(resource);
    else if (OTHER_SCOPES.test(text)) other.add(text);
    else invalid.push(text);
  }
  return { resources, other, invalid };
}

/** One resource scope, or undefined when `text` is not one (v2 letters in order, or v1 read/write/*). */
export function parseResourceScope(text: string): ResourceScope | undefined {
  const m = RESOURCE_SCOPE.exec(text);
  if (!m) return undefined;
  const [, context, resourceType, permission, queryText] = m as unknown as [string, ScopeContext, string, string, string | undefined];
  const interactions = V1_PERMISSIONS[permission] ?? v2Letters(permission);
  if (!interactions) return undefined;
  // v1 scopes carry no query restrictions.
  if (queryText !== undefined && V1_PERMISSIONS[permission]) return undefined;
  const query = queryText === undefined ? [] : parseQuery(queryText);
  if (!query) return undefined;
  return { context, resourceType, interactions: new Set(interactions), query, text };
}

/** `cruds` letters: each at most once, in canonical order. */
function v2Letters(permission: string): ScopeInteraction[] | undefined {
  let from = 0;
  const letters: ScopeInteraction[] = [];
  for (const ch of permission) {
    const at = SCOPE_INTERACTIONS.indexOf(ch as ScopeInteraction, from);
    if (at < 0) return undefined;
    letters.push(ch as ScopeInteraction);
    from = at + 1;
  }
  return letters.length > 0 ? letters : undefined;
}

function parseQuery(text: string): [string, string][] | undefined {
  if (text === '') return undefined;
  const pairs: [string, string][] = [];
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      pairs.push([decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))]);
    } catch {
      return undefined;
    }
  }
  return pairs;
}

/** Whether `scope` permits `interaction` on `resourceType` (any query restriction still applies). */
export function scopeCovers(scope: ResourceScope, resourceType: string, interaction: ScopeInteraction): boolean {
  return (scope.resourceType === '*' || scope.resourceType === resourceType) && scope.interactions.has(interaction);
}

/** The resource scopes that permit `interaction` on `resourceType`: none means the request is out of scope. */
export function scopesFor(scopes: ParsedScopes, resourceType: string, interaction: ScopeInteraction): ResourceScope[] {
  return scopes.resources.filter((s) => scopeCovers(s, resourceType, interaction));
}

/**
 * Whether `requested` asks for no more than `granted` (a refresh token's scopes may only narrow):
 * every non-resource scope was granted, and each interaction of each requested resource scope is
 * covered by one granted scope of the same context, for the same type or `*`, whose query
 * restrictions are all among the requested scope's (a requested scope may add restrictions, never
 * drop one). Invalid requested scopes are never a narrowing.
 */
export function isNarrowing(requested: ParsedScopes, granted: ParsedScopes): boolean {
  if (requested.invalid.length > 0) return false;
  for (const s of requested.other) if (!granted.other.has(s)) return false;
  return requested.resources.every((r) =>
    [...r.interactions].every((interaction) =>
      granted.resources.some(
        (g) =>
          g.context === r.context &&
          (g.resourceType === '*' || g.resourceType === r.resourceType) &&
          g.interactions.has(interaction) &&
          g.query.every(([name, value]) => r.query.some(([n, v]) => n === name && v === value)),
      ),
    ),
  );
}

/** Scopes in v2 form, for the token response and introspection (v1 `.read` → `.rs`). */
export function toV2(scope: ResourceScope): string {
  const letters = SCOPE_INTERACTIONS.filter((i) => scope.interactions.has(i)).join('');
  const query = scope.query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
  return `${scope.context}/${scope.resourceType}.${letters}${query ? `?${query}` : ''}`;
}
