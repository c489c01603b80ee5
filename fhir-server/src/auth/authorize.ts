import { randomBytes } from 'node:crypto';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import type { Request, Response } from 'express';
import { findClient, findUser, type User } from './accounts.js';
import { fhir, type AuthServer } from './context.js';
import { consentPage, langOf, messagePage, type Lang, type PatientChoice, type Text } from './pages.js';
import type { Principal } from './principal.js';
import { isNarrowing, parseScopes } from './scopes.js';
import { csrfMatches, currentSession, ensureSession, setPendingRequest, type Session } from './sessions.js';
import { sha256, type Grant } from './tokens.js';
import { AUTH_PATH, fhirBaseOf, originOf } from './urls.js';

/** An authorize request that passed its checks and waits for login and consent (kept in the session). */
interface PendingRequest {
  clientId: string;
  clientName: string;
  redirectUri: string;
  state?: string;
  codeChallenge: string;
  scopes: string[];
  nonce?: string;
  patient?: string;
  encounter?: string;
  fhirContext?: { reference: string }[];
  /** A standalone launch asking for a patient context: the user picks one. */
  needPatient: boolean;
}

/** How long an authorisation code may wait for its exchange. */
const CODE_SECONDS = 120;

export type Form = Record<string, string>;

/** The request's parameters, from the query (GET) or the form (POST, SMART `authorize-post`); single values only. */
export function paramsOf(req: Request): Form {
  const form: Form = {};
  const source = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(source)) if (typeof v === 'string') form[k] = v;
  return form;
}

function redirectWith(res: Response, uri: string, params: Record<string, string | undefined>): void {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  res.redirect(303, url.toString());
}

function page(res: Response, status: number, html: string): void {
  res.status(status).setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Frame-Options', 'DENY');
  // No form-action: Chromium applies it to the redirect after the consent form, which goes to the app.
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  res.end(html);
}
export { page };

const strip = (u: string) => u.replace(/\/+$/, '');

/**
 * GET/POST /auth/authorize (SMART App Launch 2.2, EHR and standalone launch). A bad client or
 * redirect URI is shown to the user (never redirected to an unregistered address); other errors go
 * back to the app as OAuth errors.
 */
export async function authorize(server: AuthServer, req: Request, res: Response): Promise<void> {
  const db = server.ctx.db;
  const p = paramsOf(req);
  const lang = langOf(req);
  const client = p.client_id ? await findClient(db, p.client_id) : undefined;
  if (!client?.enabled || client.type === 'backend') {
    page(res, 400, messagePage({ lang, title: { zh: '授权请求无效', en: 'Invalid authorisation request' }, text: { zh: `未知或已停用的客户端：${p.client_id ?? ''}`, en: `Unknown or disabled client: ${p.client_id ?? ''}` } }));
    return;
  }
  // A registered URI that starts with "/" is relative to this server's origin (the built-in viewer).
  const origin = originOf(server.ctx.config, req);
  const registered = client.redirectUris.map((u) => (u.startsWith('/') ? `${origin}${u}` : u));
  const redirectUri = p.redirect_uri ?? (registered.length === 1 ? registered[0] : undefined);
  if (!redirectUri || !registered.includes(redirectUri)) {
    page(res, 400, messagePage({ lang, title: { zh: '授权请求无效', en: 'Invalid authorisation request' }, text: { zh: `redirect_uri 未注册：${redirectUri ?? ''}`, en: `redirect_uri is not registered: ${redirectUri ?? ''}` } }));
    return;
  }
  const back = (error: string, zh: string, en: string) => redirectWith(res, redirectUri, { error, error_description: `${zh} | ${en}`, state: p.state });
  if (p.response_type !== 'code') return back('unsupported_response_type', 'response_type 必须是 code', 'response_type must be code');
  if (p.code_challenge_method !== 'S256') return back('invalid_request', '必须使用 PKCE，code_challenge_method 为 S256（不接受 plain）', 'PKCE is required with code_challenge_method S256 (plain is refused)');
  if (!/^[A-Za-z0-9_-]{43,128}$/.test(p.code_challenge ?? '')) return back('invalid_request', 'code_challenge 缺失或格式错误', 'code_challenge is missing or malformed');
  const base = fhirBaseOf(server.ctx.config, req);
  if (!p.aud || strip(p.aud) !== strip(base)) return back('invalid_request', `aud 必须是本服务器的 FHIR 地址 ${base}`, `aud must be this server's FHIR base ${base}`);
  const requested = parseScopes(p.scope ?? '');
  if (requested.invalid.length > 0) return back('invalid_scope', `无法识别的权限范围：${requested.invalid.join(' ')}`, `Unrecognised scopes: ${requested.invalid.join(' ')}`);
  const allowed = parseScopes(client.scopes);
  const scopes = [...new Set((p.scope ?? '').split(/\s+/).filter((s) => s !== ''))].filter((s) => isNarrowing(parseScopes([s]), allowed));
  if (scopes.length === 0) return back('invalid_scope', '请求的权限范围均未授予此客户端', 'None of the requested scopes is permitted to this client');
  let launch: Pick<PendingRequest, 'patient' | 'encounter' | 'fhirContext'> = {};
  if (p.launch !== undefined) {
    const [row] = await db.query<{ context: string }>('SELECT context FROM auth_launch WHERE id = $1 AND expires_at > now()', [p.launch]);
    if (!row) return back('invalid_request', 'launch 参数未知或已过期', 'The launch parameter is unknown or expired');
    launch = JSON.parse(row.context) as typeof launch;
  }
  const pending: PendingRequest = {
    clientId: client.clientId,
    clientName: client.name ?? client.clientId,
    redirectUri,
    ...(p.state !== undefined ? { state: p.state } : {}),
    codeChallenge: p.code_challenge as string,
    scopes,
    ...(p.nonce !== undefined ? { nonce: p.nonce } : {}),
    ...launch,
    needPatient: !launch.patient && (scopes.includes('launch/patient') || scopes.some((s) => s.startsWith('patient/'))),
  };
  const session = await ensureSession(db, req, res);
  await setPendingRequest(db, session, JSON.stringify(pending));
  res.redirect(303, `${AUTH_PATH}/${session.username ? 'consent' : 'login'}?lang=${lang}`);
}

/** The logged-in user of a session with a pending request, or why not (the response is then sent). */
async function consentState(server: AuthServer, req: Request, res: Response, lang: Lang): Promise<{ session: Session; user: User; pending: PendingRequest } | undefined> {
  const db = server.ctx.db;
  const session = await currentSession(db, req);
  if (!session?.username) {
    page(res, 401, messagePage({ lang, title: { zh: '会话已过期', en: 'Session expired' }, text: { zh: '请从应用重新开始登录（会话空闲超过 30 分钟会自动结束）。', en: 'Start again from the app (a session ends after 30 minutes without activity).' } }));
    return undefined;
  }
  const user = await findUser(db, session.username);
  if (!user?.enabled) {
    page(res, 403, messagePage({ lang, title: { zh: '账户不可用', en: 'Account unavailable' }, text: { zh: '此账户已停用。', en: 'This account is disabled.' } }));
    return undefined;
  }
  if (user.mustChangePassword) {
    res.redirect(303, `${AUTH_PATH}/password?lang=${lang}`);
    return undefined;
  }
  if (!session.request) {
    page(res, 400, messagePage({ lang, title: { zh: '没有待授权的请求', en: 'Nothing to authorise' }, text: { zh: '请从应用重新开始。', en: 'Start again from the app.' }, csrf: session.csrf, username: user.username }));
    return undefined;
  }
  return { session, user, pending: JSON.parse(session.request) as PendingRequest };
}

/** The principal of the user while choosing a patient: the picker lists only patients the user may see. */
function pickerPrincipal(user: User, clientId: string): Principal {
  return {
    kind: 'user',
    clientId,
    username: user.username,
    ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
    roles: user.roles,
    ...(user.organisation ? { organisation: user.organisation } : {}),
    scopes: ['user/Patient.rs'],
  };
}

async function patientChoices(server: AuthServer, req: Request, user: User, pending: PendingRequest, search: string): Promise<PatientChoice[]> {
  const query: [string, string][] = [['_count', '50']];
  if (search.trim() !== '') query.push(['name', search.trim()]);
  const reply = await fhir(server.ctx, { method: 'GET', path: 'Patient', query, baseUrl: fhirBaseOf(server.ctx.config, req), principal: pickerPrincipal(user, pending.clientId) });
  const bundle = reply.status === 200 ? (reply.body as Bundle<Patient>) : undefined;
  return (bundle?.entry ?? []).flatMap((e) => {
    const patient = e.resource;
    if (!patient?.id) return [];
    const name = patient.name?.[0];
    const text = name?.text ?? [name?.family, ...(name?.given ?? [])].filter(Boolean).join(' ');
    return [{ id: patient.id, label: [text || patient.id, patient.gender, patient.birthDate].filter(Boolean).join(' · ') }];
  });
}

export async function consentForm(server: AuthServer, req: Request, res: Response): Promise<void> {
  const lang = langOf(req);
  const state = await consentState(server, req, res, lang);
  if (!state) return;
  const search = typeof req.query.q === 'string' ? req.query.q : '';
  const patients = state.pending.needPatient ? await patientChoices(server, req, state.user, state.pending, search) : undefined;
  page(res, 200, consentPage({ lang, csrf: state.session.csrf, client: state.pending.clientName, scopes: state.pending.scopes, ...(patients ? { patients } : {}), search }));
}

export async function consentDecision(server: AuthServer, req: Request, res: Response): Promise<void> {
  const form = paramsOf(req);
  const lang = langOf(req, form);
  const state = await consentState(server, req, res, lang);
  if (!state) return;
  const { session, user, pending } = state;
  const db = server.ctx.db;
  const again = async (error: Text) => {
    const patients = pending.needPatient ? await patientChoices(server, req, user, pending, '') : undefined;
    page(res, 400, consentPage({ lang, csrf: session.csrf, client: pending.clientName, scopes: pending.scopes, ...(patients ? { patients } : {}), error }));
  };
  if (!csrfMatches(session, form.csrf)) return again({ zh: '表单已过期，请重试', en: 'The form has expired; try again' });
  await setPendingRequest(db, session, undefined);
  if (form.decision === 'deny') {
    redirectWith(res, pending.redirectUri, { error: 'access_denied', error_description: '用户拒绝了授权 | The user denied the request', state: pending.state });
    return;
  }
  let patient = pending.patient;
  if (pending.needPatient) {
    const chosen = form.patient ?? '';
    const read = /^[A-Za-z0-9.-]{1,64}$/.test(chosen)
      ? await fhir(server.ctx, { method: 'GET', path: `Patient/${chosen}`, baseUrl: fhirBaseOf(server.ctx.config, req), principal: pickerPrincipal(user, pending.clientId) })
      : undefined;
    if (read?.status !== 200) {
      await setPendingRequest(db, session, JSON.stringify(pending));
      return again({ zh: '请选择一位患者', en: 'Choose a patient' });
    }
    patient = chosen;
  }
  const grant: Grant = {
    kind: 'user',
    clientId: pending.clientId,
    username: user.username,
    ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
    roles: user.roles,
    ...(user.organisation ? { organisation: user.organisation } : {}),
    scopes: pending.scopes,
    ...(patient ? { patient } : {}),
    ...(pending.encounter ? { encounter: pending.encounter } : {}),
    ...(pending.fhirContext ? { fhirContext: pending.fhirContext } : {}),
  };
  const code = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO auth_code (code_hash, client_id, redirect_uri, code_challenge, grant_json, expires_at) VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
    [sha256(code), pending.clientId, pending.redirectUri, pending.codeChallenge, JSON.stringify({ grant, nonce: pending.nonce, authTime: Math.floor(Date.now() / 1000) }), CODE_SECONDS],
  );
  redirectWith(res, pending.redirectUri, { code, state: pending.state });
}
