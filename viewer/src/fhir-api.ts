/**
 * The one way the viewer talks to the server: FHIR JSON under `/fhir` and DICOMweb under
 * `/dicomweb`, both on the page's origin, both carrying the bearer token when the app holds one
 * (SMART launch, `viewer/src/launch/**`, supplies it through `setTokenSource`).
 */

export interface FhirApi {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  /** `headers` e.g. `If-Match` for a version-aware update. */
  put<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T>;
}

/** A FHIR reply that was not 2xx; `outcome` is the server's OperationOutcome when it sent one. */
export class FhirHttpError extends Error {
  constructor(
    readonly status: number,
    readonly outcome: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'FhirHttpError';
  }
}

type TokenSource = () => string | undefined;
let tokenSource: TokenSource = () => undefined;

/** Called once by the launch module; every later request carries the token it returns. */
export function setTokenSource(source: TokenSource): void {
  tokenSource = source;
}

/** Adds `Authorization: Bearer …` when a token is held. */
export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const token = tokenSource();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

/** fetch with the bearer token: every DICOMweb request of the viewer goes through here. */
export function authFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = authHeaders(Object.fromEntries(new Headers(init.headers).entries()));
  return fetch(url, { ...init, headers });
}

function describeOutcome(outcome: unknown): string | undefined {
  const issue = (outcome as { issue?: { diagnostics?: string; details?: { text?: string } }[] } | undefined)?.issue?.[0];
  return issue?.details?.text ?? issue?.diagnostics;
}

/** A FhirApi rooted at `base` (default: `/fhir` on the page's origin); paths are relative to it, e.g. `Patient/1`. */
export function createFhirApi(base = '/fhir'): FhirApi {
  const root = base.replace(/\/$/, '');
  async function send<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { ...extra, Accept: 'application/fhir+json' };
    if (body !== undefined) headers['Content-Type'] = 'application/fhir+json';
    const reply = await fetch(`${root}/${path.replace(/^\//, '')}`, {
      method,
      headers: authHeaders(headers),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await reply.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!reply.ok) throw new FhirHttpError(reply.status, json, describeOutcome(json) ?? `${method} ${path}: HTTP ${reply.status}`);
    return json as T;
  }
  return {
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, body),
    put: (path, body, headers) => send('PUT', path, body, headers),
  };
}
