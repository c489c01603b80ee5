import express from 'express';
import type { EdgeFactory } from '../edges/edge.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Logger } from '../http/logger.js';
import type { Context } from '../router/types.js';
import { adminActions, createLaunch } from './admin.js';
import { authenticate, cors } from './authenticate.js';
import { authorize, consentDecision, consentForm } from './authorize.js';
import { loadBootstrap } from './bootstrap.js';
import { registerViewerClient } from './viewer-client.js';
import type { AuthServer } from './context.js';
import { accountPage, loginForm, loginSubmit, logout, passwordForm, passwordSubmit } from './login.js';
import { oidcCallback, oidcStart } from './oidc-login.js';
import { loadSigningKey } from './signing-keys.js';
import { openidConfiguration, smartConfiguration } from './smart-configuration.js';
import { introspect, revoke, token } from './token-endpoint.js';
import { purgeExpired } from './tokens.js';
import { AUTH_PATH } from './urls.js';

const servers = new WeakMap<Context, AuthServer>();

function authServer(ctx: Context, logger: Logger): AuthServer {
  let server = servers.get(ctx);
  if (!server) {
    let keys: ReturnType<AuthServer['keys']> | undefined;
    let loadedAt = 0;
    server = {
      ctx,
      logger,
      keys: (reload = false) => {
        // Re-read now and then: a rotation made by another process on the same database reaches this one.
        if (!keys || reload || Date.now() - loadedAt > KEY_REFRESH_MS) {
          keys = loadSigningKey(ctx.config, ctx.db, logger);
          loadedAt = Date.now();
        }
        keys.catch(() => (keys = undefined));
        return keys;
      },
    };
    servers.set(ctx, server);
  }
  return server;
}

const PURGE_MS = 10 * 60_000;
const KEY_REFRESH_MS = 60_000;

/**
 * The authorisation server as an edge: at start it loads the bootstrap file and the signing key
 * (a bad file stops the start), and it purges expired tokens, codes and assertion ids now and then.
 * Its routes are installed by `installAuth`, ahead of /fhir, behind `authGate`.
 */
export const authEdge: EdgeFactory = async (ctx, logger) => {
  const server = authServer(ctx, logger);
  if (ctx.config.auth === 'off') {
    logger.log('warn', '!!! QIAO_AUTH=off: AUTHORISATION IS OFF — every caller has full access without masking. Development only. | 授权已关闭：任何调用者均拥有完全访问权限（仅用于开发）');
  } else {
    await server.keys();
  }
  await registerViewerClient(ctx);
  if (ctx.config.bootstrapFile) await loadBootstrap(ctx, logger, ctx.config.bootstrapFile, `${ctx.config.baseUrl ?? 'http://localhost'}/fhir`);
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'auth',
    async start() {
      timer = setInterval(() => purgeExpired(ctx.db).catch((e) => logger.log('warn', 'auth purge failed', { error: String(e) })), PURGE_MS);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
    },
  };
};

/** CORS, then authentication of /fhir, /dicomweb and /bulk: what every request meets before it is routed. */
export function authGate(ctx: Context): express.RequestHandler[] {
  return [cors(), authenticate(ctx.config, ctx.db)];
}

/** Mounts the discovery documents and the /auth endpoints (behind `authGate`). */
export function installAuth(app: express.Express, ctx: Context, logger: Logger): void {
  const server = authServer(ctx, logger);
  // With authorisation off there is no authorisation to discover: the documents are 404 and apps run without a token.
  if (ctx.config.auth === 'on') {
    app.get('/fhir/.well-known/smart-configuration', (req, res) => {
      res.json(smartConfiguration(ctx.config, req));
    });
    app.get('/fhir/.well-known/openid-configuration', (req, res) => {
      res.json(openidConfiguration(ctx.config, req));
    });
  }

  const auth = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  const json = express.json({ limit: '1mb' });
  const admin = adminActions(server);
  auth.get('/jwks', async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json((await server.keys()).jwks);
  });
  auth.get('/authorize', (req, res) => authorize(server, req, res));
  auth.post('/authorize', form, (req, res) => authorize(server, req, res));
  auth.get('/login', (req, res) => loginForm(server, req, res));
  auth.post('/login', form, (req, res) => loginSubmit(server, req, res));
  auth.get('/password', (req, res) => passwordForm(server, req, res));
  auth.post('/password', form, (req, res) => passwordSubmit(server, req, res));
  auth.get('/consent', (req, res) => consentForm(server, req, res));
  auth.post('/consent', form, (req, res) => consentDecision(server, req, res));
  auth.get('/account', (req, res) => accountPage(server, req, res));
  auth.get('/oidc/start', (req, res) => oidcStart(server, req, res));
  auth.get('/oidc/callback', (req, res) => oidcCallback(server, req, res));
  auth.post('/logout', form, (req, res) => logout(server, req, res));
  auth.post('/token', form, token(server));
  auth.post('/introspect', form, introspect(server));
  auth.post('/revoke', form, revoke(server));
  auth.post('/launch', json, createLaunch(server));
  auth.get('/admin/clients', admin.listClients);
  auth.post('/admin/clients', json, admin.createClient);
  auth.post('/admin/clients/:id/disable', admin.setClientEnabled(false));
  auth.post('/admin/clients/:id/enable', admin.setClientEnabled(true));
  auth.get('/admin/users', admin.listUsers);
  auth.post('/admin/users', json, admin.createUser);
  auth.post('/admin/users/:username/disable', admin.setUserEnabled(false));
  auth.post('/admin/users/:username/enable', admin.setUserEnabled(true));
  auth.post('/admin/users/:username/reset-password', admin.resetPassword);
  auth.post('/admin/signing-keys/rotate', admin.rotateSigningKey);
  // The body parsers' own errors (malformed JSON, oversized forms) become 4xx OperationOutcomes.
  auth.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
    const type = (error as { type?: unknown } | null)?.type;
    if (type === 'entity.parse.failed') return next(new FhirError('body.malformed-json', { detail: (error as Error).message }));
    if (type === 'entity.too.large') return next(new FhirError('body.too-large', { limit: (error as { limit?: number }).limit ?? 0 }));
    next(error);
  });
  app.use(AUTH_PATH, auth);
}
