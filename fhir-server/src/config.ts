import path from 'node:path';

/** Everything an operator can set, read once from the environment. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL URL; undefined selects the embedded database under `dataDir`. */
  databaseUrl: string | undefined;
  /** Public base (e.g. `https://hub.example.cn`); undefined derives it from each request. */
  baseUrl: string | undefined;
  auth: 'off' | 'on';
  /** Largest request body in bytes; a 100 MB DICOM upload must fit. */
  maxBodyBytes: number;
  /** Load the demo data set into an empty database at start. */
  demoData: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Seconds to wait for in-flight requests on shutdown. */
  shutdownGraceSeconds: number;
  /** Largest number of entries a batch or transaction may carry. */
  maxBundleEntries: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const auth = env.QIAO_AUTH ?? 'off';
  if (auth !== 'off' && auth !== 'on') throw new Error(`QIAO_AUTH must be "off" or "on", not "${auth}"`);
  const logLevel = env.QIAO_LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) throw new Error(`QIAO_LOG_LEVEL "${logLevel}" is not a level`);
  return {
    port: integer(env.PORT, 8080, 'PORT'),
    host: env.HOST ?? '::',
    dataDir: path.resolve(env.QIAO_DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    baseUrl: env.QIAO_BASE_URL ? env.QIAO_BASE_URL.replace(/\/+$/, '') : undefined,
    auth,
    maxBodyBytes: integer(env.QIAO_MAX_BODY_MB, 128, 'QIAO_MAX_BODY_MB') * 1024 * 1024,
    demoData: (env.QIAO_DEMO_DATA ?? 'on') !== 'off',
    logLevel: logLevel as Config['logLevel'],
    shutdownGraceSeconds: integer(env.QIAO_SHUTDOWN_GRACE_S, 10, 'QIAO_SHUTDOWN_GRACE_S'),
    maxBundleEntries: integer(env.QIAO_MAX_BUNDLE_ENTRIES, 10000, 'QIAO_MAX_BUNDLE_ENTRIES'),
  };
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not "${value}"`);
  return n;
}
