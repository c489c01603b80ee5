/**
 * The viewer as a SMART App Launch 2.2 app (public client `qiao-viewer`, PKCE S256, authorisation
 * code grant against the server's own authorisation server):
 * - standalone: `/viewer/` without a token → authorize → back to `/viewer/?code=…` → token;
 *   `/viewer/?pickPatient=1` asks for `launch/patient`, so the user picks a patient while consenting;
 * - EHR launch: `/viewer/?iss=<fhir base>&launch=<id>` → the same, with the launch context; an
 *   ImagingStudy in `fhirContext` opens that study, a `patient` filters the worklist to them.
 * A server without SMART configuration, or one that answers anonymous requests, needs no token.
 * The token lives in sessionStorage: it ends with the browser tab.
 */
import { setTokenSource } from '../fhir-api.js';
import { codeChallenge, randomToken } from './pkce.js';

export const CLIENT_ID = 'qiao-viewer';

/** A SMART client a page of the viewer app launches as (the viewer itself, or the registry app). */
export interface LaunchClient {
  clientId: string;
  /** Where the authorisation server sends the browser back: a path registered with the client. */
  redirectPath: string;
  /** sessionStorage prefix: each client keeps its own token. */
  storageKey: string;
  /** Resource scopes asked for, besides `openid fhirUser` and the launch context. */
  scopes: readonly string[];
}

export const VIEWER_LAUNCH: LaunchClient = {
  clientId: CLIENT_ID,
  redirectPath: '/viewer/',
  storageKey: 'qiao.viewer',
  scopes: ['user/ImagingStudy.rs', 'user/Patient.rs', 'user/DiagnosticReport.cruds', 'user/ServiceRequest.rs', 'user/Endpoint.rs', 'user/Practitioner.rs'],
};

let client: LaunchClient = VIEWER_LAUNCH;
const tokenKey = () => `${client.storageKey}.token`;
const pendingKey = () => `${client.storageKey}.pending`;

interface SmartConfiguration {
  authorization_endpoint: string;
  token_endpoint: string;
}

interface StoredToken {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  fhirUser?: string;
}

interface Pending {
  state: string;
  verifier: string;
  tokenEndpoint: string;
  redirectUri: string;
  /** Where the user was when the launch began (the page to show after it). */
  returnTo: string;
}

interface TokenResponse {
  access_token?: string;
  expires_in?: number;
  id_token?: string;
  patient?: string;
  fhirContext?: { reference?: string; identifier?: { system?: string; value?: string } }[];
  error?: string;
  error_description?: string;
}

/** A launch that cannot go on; the message is bilingual (`zh | en`). */
export class LaunchError extends Error {
  constructor(zh: string, en: string) {
    super(`${zh} | ${en}`);
    this.name = 'LaunchError';
  }
}

const fhirBase = () => `${window.location.origin}/fhir`;
const redirectUri = () => `${window.location.origin}${client.redirectPath}`;

function readJson<T>(key: string): T | undefined {
  try {
    const text = sessionStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

function storedToken(): StoredToken | undefined {
  const token = readJson<StoredToken>(tokenKey());
  // A minute's margin, so a request is not sent with a token about to lapse.
  return token && token.expiresAt - 60_000 > Date.now() ? token : undefined;
}

/** The bearer token the viewer holds, if any. */
export function getAccessToken(): string | undefined {
  return storedToken()?.accessToken;
}

/** The logged-in user as a FHIR reference (`Practitioner/…`), from the id_token's `fhirUser`. */
export function getFhirUser(): string | undefined {
  const user = storedToken()?.fhirUser;
  if (!user) return undefined;
  const base = `${fhirBase()}/`;
  return user.startsWith(base) ? user.slice(base.length) : user;
}

/** The claims of a JWT, unverified: the token came straight from the token endpoint over the page's own origin. */
function jwtClaims(jwt: string | undefined): Record<string, unknown> {
  const payload = jwt?.split('.')[1];
  if (!payload) return {};
  try {
    const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function discover(): Promise<SmartConfiguration | undefined> {
  const reply = await fetch(`${fhirBase()}/.well-known/smart-configuration`, { headers: { Accept: 'application/json' } }).catch(() => undefined);
  if (!reply?.ok) return undefined;
  const config = (await reply.json().catch(() => undefined)) as Partial<SmartConfiguration> | undefined;
  return config?.authorization_endpoint && config.token_endpoint ? (config as SmartConfiguration) : undefined;
}

/** Whether the server answers an anonymous FHIR search, i.e. runs with authorisation off. */
async function openToAnonymous(): Promise<boolean> {
  const reply = await fetch(`${fhirBase()}/ImagingStudy?_summary=count`, { headers: { Accept: 'application/fhir+json' } }).catch(() => undefined);
  return reply?.ok ?? false;
}

/** Sends the browser to the authorisation endpoint; the page does not come back from here. */
async function authorize(config: SmartConfiguration, launch: string | undefined, pickPatient: boolean, returnTo: string): Promise<never> {
  const pending: Pending = { state: randomToken(16), verifier: randomToken(), tokenEndpoint: config.token_endpoint, redirectUri: redirectUri(), returnTo };
  sessionStorage.setItem(pendingKey(), JSON.stringify(pending));
  const url = new URL(config.authorization_endpoint);
  const scopes = ['openid', 'fhirUser', ...(launch ? ['launch'] : pickPatient ? ['launch/patient'] : []), ...client.scopes];
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: pending.redirectUri,
    scope: scopes.join(' '),
    state: pending.state,
    aud: fhirBase(),
    code_challenge: await codeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    ...(launch ? { launch } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  window.location.assign(url.toString());
  return new Promise<never>(() => undefined);
}

/** Back from the authorisation server: the code for a token, then the page the launch began on (or its context). */
async function completeLaunch(query: URLSearchParams): Promise<void> {
  const pending = readJson<Pending>(pendingKey());
  sessionStorage.removeItem(pendingKey());
  if (!pending || pending.state !== query.get('state')) throw new LaunchError('登录状态不匹配，请重新打开阅片页面', 'The login state does not match: open the viewer again');
  const error = query.get('error');
  if (error) throw new LaunchError(`授权失败：${query.get('error_description') ?? error}`, `Authorisation failed: ${query.get('error_description') ?? error}`);
  const reply = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: query.get('code') ?? '', redirect_uri: pending.redirectUri, client_id: client.clientId, code_verifier: pending.verifier }),
  });
  const token = (await reply.json().catch(() => ({}))) as TokenResponse;
  if (!reply.ok || !token.access_token) throw new LaunchError(`换取令牌失败：${token.error_description ?? token.error ?? reply.status}`, `Token exchange failed: ${token.error_description ?? token.error ?? reply.status}`);
  const fhirUser = jwtClaims(token.id_token).fhirUser;
  const stored: StoredToken = { accessToken: token.access_token, expiresAt: Date.now() + (token.expires_in ?? 300) * 1000, ...(typeof fhirUser === 'string' ? { fhirUser } : {}) };
  sessionStorage.setItem(tokenKey(), JSON.stringify(stored));
  window.history.replaceState(null, '', (await contextPage(token)) ?? pending.returnTo);
}

/** The page an EHR launch's context asks for: the study in `fhirContext`, else the worklist of the `patient`. */
async function contextPage(token: TokenResponse): Promise<string | undefined> {
  const get = async <T>(path: string): Promise<T | undefined> => {
    const reply = await fetch(`${fhirBase()}/${path}`, { headers: { Accept: 'application/fhir+json', Authorization: `Bearer ${token.access_token}` } });
    return reply.ok ? ((await reply.json()) as T) : undefined;
  };
  const page = (params: Record<string, string>) => `/viewer/?${new URLSearchParams(params).toString()}`;
  for (const item of token.fhirContext ?? []) {
    if (item.identifier?.system === 'urn:dicom:uid' && item.identifier.value) return page({ study: item.identifier.value.replace(/^urn:oid:/, '') });
    const id = item.reference?.match(/^ImagingStudy\/([^/]+)$/)?.[1];
    if (!id) continue;
    const study = await get<{ identifier?: { system?: string; value?: string }[] }>(`ImagingStudy/${encodeURIComponent(id)}`);
    const uid = study?.identifier?.find((i) => i.system === 'urn:dicom:uid')?.value?.replace(/^urn:oid:/, '');
    if (uid) return page({ study: uid });
  }
  if (token.patient) {
    const patient = await get<{ identifier?: { system?: string; value?: string }[] }>(`Patient/${encodeURIComponent(token.patient)}`);
    const id = patient?.identifier?.find((i) => i.system === 'urn:oid:2.16.156.10011.1.3')?.value ?? patient?.identifier?.[0]?.value;
    if (id) return page({ patientId: id });
  }
  return undefined;
}

let ready: Promise<void> | undefined;

/**
 * Resolves once the viewer may call the server: with a token (after a launch, which may take the
 * browser to the login page and back), or without one when the server needs none.
 */
export function ensureAuthorised(as: LaunchClient = VIEWER_LAUNCH): Promise<void> {
  if (!ready) client = as;
  ready ??= authorise();
  return ready;
}

async function authorise(): Promise<void> {
  setTokenSource(getAccessToken);
  const query = new URLSearchParams(window.location.search);
  if (query.has('state') && (query.has('code') || query.has('error'))) return completeLaunch(query);
  const launch = query.get('launch') ?? undefined;
  const iss = query.get('iss');
  const pickPatient = query.get('pickPatient') === '1';
  if (launch !== undefined || iss) {
    // Only this server's own FHIR base: the token must never go to an issuer named by a link.
    if (iss?.replace(/\/+$/, '') !== fhirBase()) throw new LaunchError(`不受信任的 iss：${iss ?? ''}`, `Untrusted iss: ${iss ?? ''}`);
  } else if (storedToken() && !pickPatient) {
    return;
  }
  const config = await discover();
  if (!config) return;
  if (launch === undefined && (await openToAnonymous())) return;
  const returnTo = new URL(window.location.href);
  returnTo.searchParams.delete('iss');
  returnTo.searchParams.delete('launch');
  returnTo.searchParams.delete('pickPatient');
  await authorize(config, launch, pickPatient, returnTo.pathname + returnTo.search);
}
