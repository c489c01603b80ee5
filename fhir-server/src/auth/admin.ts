import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { FhirError } from '../errors/fhir-error.js';
import { findClient, findUser, listClients, listUsers, saveClient, setClientEnabled, setPassword, setUserEnabled, type Client, type User } from './accounts.js';
import type { AuthServer } from './context.js';
import { hashPassword, oneTimePassword } from './passwords.js';
import { DEVELOPMENT_PRINCIPAL, isUnrestricted, type Principal } from './principal.js';
import { clientFromJson, ONE_TIME_DAYS, registerUser, RegistrationError, userFromJson } from './registration.js';
import { auditedChange, recordAuthEvent } from './security-events.js';
import type { Queryable } from '../repository/db.js';
import type { SecurityEventKind } from '../audit/index.js';
import { rotateSigningKey } from './signing-keys.js';
import { liveToken, principalOf } from './tokens.js';
import { fhirBaseOf } from './urls.js';

/** The caller's principal from its bearer token (DEVELOPMENT_PRINCIPAL with authorisation off), or a 401. */
export async function bearerPrincipal(server: AuthServer, req: Request, res: Response): Promise<Principal> {
  if (server.ctx.config.auth === 'off') return DEVELOPMENT_PRINCIPAL;
  const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  const token = m ? await liveToken(server.ctx.db, m[1] as string, 'access') : undefined;
  if (!token) {
    res.setHeader('WWW-Authenticate', m ? 'Bearer realm="qiao", error="invalid_token"' : 'Bearer realm="qiao"');
    throw new FhirError(m ? 'auth.token-invalid' : 'auth.token-missing');
  }
  return principalOf(token);
}

/** Admin API (JSON): administrator role only (三员分立: the security officer and the auditor cannot). */
export function adminRoute(server: AuthServer, action: (req: Request, res: Response, admin: Principal) => Promise<unknown>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const admin = await bearerPrincipal(server, req, res);
      if (!isUnrestricted(admin) && !admin.roles.includes('administrator')) throw new FhirError('auth.role-required', { role: 'administrator' });
      const result = await action(req, res, admin);
      res.setHeader('Cache-Control', 'no-store');
      res.status(res.statusCode === 200 ? 200 : res.statusCode).json(result);
    } catch (e) {
      next(e instanceof RegistrationError ? new FhirError('auth.admin-invalid', { zh: e.zh, en: e.en }) : e);
    }
  };
}

/** What the admin API shows of a client: never the secret hash. */
function clientView(c: Client) {
  const { secretHash, ...rest } = c;
  return { ...rest, hasSecret: secretHash !== undefined };
}

function userView(u: User) {
  const { passwordHash: _hash, ...rest } = u;
  return rest;
}

const notFound = (what: 'client' | 'user', id: string) =>
  new FhirError('auth.admin-not-found', { what: what === 'client' ? '客户端' : '用户', whatEn: what, id });

export function adminActions(server: AuthServer) {
  const db = server.ctx.db;
  /** The change and its record commit together; a change that finds nothing to change throws and records nothing. */
  const audited = <T>(req: Request, res: Response, admin: Principal, kind: SecurityEventKind, subject: { username: string } | { clientId: string }, change: (q: Queryable) => Promise<T>) =>
    auditedChange(server, req, res, change, () => [{ kind, outcome: 'success', principal: admin, ...subject }]);
  return {
    listClients: adminRoute(server, async () => (await listClients(db)).map(clientView)),
    createClient: adminRoute(server, async (req, res, admin) => {
      const client = await clientFromJson(req.body, 'client');
      await audited(req, res, admin, 'client-created', { clientId: client.clientId }, async (q) => {
        if (!(await saveClient(q, client))) throw new FhirError('auth.admin-exists', { what: '客户端', whatEn: 'Client', id: client.clientId });
      });
      res.status(201);
      return clientView(client);
    }),
    setClientEnabled: (enabled: boolean) =>
      adminRoute(server, async (req, res, admin) => {
        const id = String(req.params.id);
        await audited(req, res, admin, enabled ? 'client-changed' : 'client-disabled', { clientId: id }, async (q) => {
          if (!(await setClientEnabled(q, id, enabled))) throw notFound('client', id);
        });
        return clientView((await findClient(db, id)) as Client);
      }),
    listUsers: adminRoute(server, async () => (await listUsers(db)).map(userView)),
    createUser: adminRoute(server, async (req, res, admin) => {
      // An administrator never chooses a user's lasting password: a new account gets a one-time one.
      const input = { ...userFromJson(req.body, 'user'), oneTimePassword: true };
      const record = { kind: 'user-created', outcome: 'success', principal: admin, username: input.username } as const;
      const result = await registerUser(server.ctx, fhirBaseOf(server.ctx.config, req), input, (q) => recordAuthEvent(server, req, res, record, q));
      if (!result.created) throw new FhirError('auth.admin-exists', { what: '用户', whatEn: 'User', id: input.username });
      res.status(201);
      return { ...userView((await findUser(db, input.username)) as User), ...(result.password ? { oneTimePassword: result.password } : {}) };
    }),
    setUserEnabled: (enabled: boolean) =>
      adminRoute(server, async (req, res, admin) => {
        const id = String(req.params.username);
        await audited(req, res, admin, enabled ? 'user-changed' : 'user-disabled', { username: id }, async (q) => {
          if (!(await setUserEnabled(q, id, enabled))) throw notFound('user', id);
        });
        return userView((await findUser(db, id)) as User);
      }),
    resetPassword: adminRoute(server, async (req, res, admin) => {
      const id = String(req.params.username);
      const password = oneTimePassword();
      const hash = await hashPassword(password);
      await audited(req, res, admin, 'password-reset', { username: id }, async (q) => {
        if (!(await setPassword(q, id, hash, new Date(Date.now() + ONE_TIME_DAYS * 86400_000)))) throw notFound('user', id);
      });
      return { username: id, oneTimePassword: password };
    }),
    /** A new id_token signing key; the old ones stay in the JWKS until their tokens have expired. */
    rotateSigningKey: adminRoute(server, async (req, res, admin) => {
      const rotated = await auditedChange(
        server,
        req,
        res,
        (q) => rotateSigningKey(server.ctx.config, q, server.logger),
        (r) => [{ kind: 'admin-action', outcome: 'success', principal: admin, detail: `签名密钥轮换 | signing key rotated: ${r.kid} (retired ${r.retired.join(', ') || '-'})` }],
      );
      await server.keys(true);
      return rotated;
    }),
  };
}

/** EHR launch contexts live this long: the EHR creates one right before opening the app. */
const LAUNCH_SECONDS = 300;

/**
 * POST /auth/launch {patient, encounter?, fhirContext?} → {launch}: an EHR (a backend client or a
 * clinical user's app) registers the context the app will receive through `launch`.
 */
export function createLaunch(server: AuthServer) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const principal = await bearerPrincipal(server, req, res);
      if (principal.patient) throw new FhirError('auth.role-required', { role: 'clinician / backend' });
      const body = (req.body ?? {}) as Record<string, unknown>;
      const id = (v: unknown, where: string) => {
        if (v === undefined) return undefined;
        if (typeof v !== 'string' || !/^[A-Za-z0-9.-]{1,64}$/.test(v)) throw new FhirError('auth.admin-invalid', { zh: `${where} 必须是资源 id`, en: `${where} must be a resource id` });
        return v;
      };
      const patient = id(body.patient, 'patient');
      const encounter = id(body.encounter, 'encounter');
      const fhirContext = Array.isArray(body.fhirContext) ? body.fhirContext.filter((c): c is { reference: string } => typeof (c as { reference?: unknown })?.reference === 'string') : undefined;
      const launch = randomBytes(16).toString('base64url');
      await server.ctx.db.query('INSERT INTO auth_launch (id, context, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))', [
        launch,
        JSON.stringify({ ...(patient ? { patient } : {}), ...(encounter ? { encounter } : {}), ...(fhirContext?.length ? { fhirContext } : {}) }),
        LAUNCH_SECONDS,
      ]);
      res.status(201).setHeader('Cache-Control', 'no-store');
      res.json({ launch, expires_in: LAUNCH_SECONDS });
    } catch (e) {
      next(e);
    }
  };
}
