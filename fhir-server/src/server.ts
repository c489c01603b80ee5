import { mkdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from './config.js';
import { loadR4 } from './definitions/r4.js';
import type { Edge } from './edges/edge.js';
import { EDGES } from './edges/index.js';
import { openJobQueue } from './jobs/index.js';
import { createApp, expressMessageClasses, type AppState } from './http/app.js';
import { createLogger, type Logger } from './http/logger.js';
import type { Db } from './repository/db.js';
import { openPglite } from './repository/pglite-db.js';
import { openPostgres } from './repository/postgres-db.js';
import { openAuditLog } from './audit/log.js';
import { openFieldEncryption } from './crypto/at-rest.js';
import { Repository } from './repository/repository.js';
import type { Context } from './router/types.js';
import { migrate } from './schema/migrate.js';
import { loadStoredSearchParameters } from './search/stored-parameters.js';
import { installProfiles } from './validation/install.js';

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8080` */
  url: string;
  ctx: Context;
  logger: Logger;
  close(): Promise<void>;
}

export async function openDatabase(config: Config): Promise<Db> {
  if (config.databaseUrl) return openPostgres({ url: config.databaseUrl });
  const dir = path.join(config.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return openPglite(dir);
}

/** Opens the database, migrates it, and serves HTTP; `close` drains in-flight requests first. */
export async function startServer(config: Config): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  loadR4();
  const db = await openDatabase(config);
  const applied = await migrate(db);
  if (applied.length) logger.log('info', 'migrations applied', { versions: applied });
  const parameters = await loadStoredSearchParameters(db);
  if (parameters) logger.log('info', 'stored search parameters active', { count: parameters });
  // A key ring that cannot serve the stored values stops the start (docs/crypto.md).
  const sealer = await openFieldEncryption(config, db, logger).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  const ctx: Context = { config, db, repo: new Repository(db, sealer) };
  const jobs = await openJobQueue(ctx, logger);
  const audit = openAuditLog(ctx, logger);
  if (config.audit === 'off') logger.log('warn', 'QIAO_AUDIT=off: no audit records are written (for measuring only; 等保 level 3 requires auditing)');
  if (config.installProfiles) await installProfiles(ctx, logger);
  const state: AppState = { ready: true, inFlight: 0 };
  const edges: Edge[] = [];
  for (const factory of EDGES) edges.push(await factory(ctx, logger));
  const { app, listener } = createApp(ctx, logger, state, edges);
  const options = { keepAliveTimeout: 65_000, requestTimeout: 300_000, ...expressMessageClasses(app) };
  const server = config.tls ? https.createServer({ ...options, cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) }, listener) : http.createServer(options, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.port, host: config.host, ipv6Only: false }, resolve);
  });
  for (const edge of edges) edge.attach?.(server);
  for (const edge of edges) await edge.start?.();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? (address.address === '::' ? '[::1]' : `[${address.address}]`) : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${address.port}`;
  logger.log('info', 'listening', { url, database: db.kind });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      state.ready = false;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + config.shutdownGraceSeconds * 1000;
      while (state.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      server.closeAllConnections();
      await stopped;
      for (const edge of edges.toReversed()) await edge.close?.();
      await jobs.stop();
      await audit.close();
      await db.close();
      logger.log('info', 'stopped');
    })());
  return { url, ctx, logger, close };
}
