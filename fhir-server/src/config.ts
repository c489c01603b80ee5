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
  /** Resource types that must declare and satisfy a CN profile (`QIAO_REQUIRE_PROFILES=Patient,Encounter`). */
  requireProfiles: string[];
  /** Store the CN profile package at start, so `/fhir/StructureDefinition` serves it (`QIAO_INSTALL_PROFILES=off` skips). */
  installProfiles: boolean;
  /** Key of the research pseudonyms (HMAC-SM3); undefined = a key generated once and kept in the database. */
  pseudonymKey: string | undefined;
  /** DIMSE listener port (bound to `host`); null when `QIAO_DIMSE_PORT=off`, 0 for a random port. */
  dimsePort: number | null;
  /** The gateway's own AE title: associations called to another title are rejected. */
  dimseAeTitle: string;
  /** Calling AE titles allowed to associate; empty = any. */
  dimseAllowedAes: string[];
  /** The site's UTC offset (`+08:00`), for DICOM dates and times that carry none (ImagingStudy.started). */
  siteUtcOffset: string;
  /** Remote AEs the gateway sends to (C-MOVE destinations): `QIAO_DIMSE_PEERS=AE@host:port,…`. */
  dimsePeers: { aeTitle: string; host: string; port: number }[];
  /** JSON key file of the national-cryptography keys (SM4 field keys, blind-index key, SM2 signing key). */
  keyFile: string | undefined;
  /** The same JSON in the environment, for secret stores that inject variables; used when no key file is named. */
  keys: string | undefined;
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
    installProfiles: (env.QIAO_INSTALL_PROFILES ?? 'on') !== 'off',
    requireProfiles: (env.QIAO_REQUIRE_PROFILES ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''),
    pseudonymKey: pseudonymKey(env.QIAO_PSEUDONYM_KEY),
    dimsePort: env.QIAO_DIMSE_PORT === 'off' ? null : integer(env.QIAO_DIMSE_PORT, 11112, 'QIAO_DIMSE_PORT'),
    dimseAeTitle: aeTitle(env.QIAO_DIMSE_AE_TITLE ?? 'QIAO', 'QIAO_DIMSE_AE_TITLE'),
    siteUtcOffset: utcOffset(env.QIAO_UTC_OFFSET ?? '+08:00'),
    dimseAllowedAes: (env.QIAO_DIMSE_ALLOWED_AES ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
      .map((t) => aeTitle(t, 'QIAO_DIMSE_ALLOWED_AES')),
    dimsePeers: (env.QIAO_DIMSE_PEERS ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
      .map(peer),
    keyFile: env.QIAO_KEY_FILE ? path.resolve(env.QIAO_KEY_FILE) : undefined,
    keys: env.QIAO_KEYS || undefined,
  };
}

function utcOffset(value: string): string {
  if (!/^[+-](0\d|1[0-4]):[0-5]\d$/.test(value)) throw new Error(`QIAO_UTC_OFFSET must look like +08:00, not "${value}"`);
  return value;
}

/** An AE title: 1–16 characters of the default repertoire, no backslash or control characters. */
function aeTitle(value: string, name: string): string {
  const t = value.trim();
  if (!/^[\x20-\x5b\x5d-\x7e]{1,16}$/.test(t)) throw new Error(`${name}: "${value}" is not an AE title (1-16 ASCII characters, no backslash)`);
  return t;
}

/** A pseudonym key must be too long to guess: at least 32 characters (e.g. 64 hex digits from a key store). */
function pseudonymKey(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length < 32) throw new Error('QIAO_PSEUDONYM_KEY must be at least 32 characters');
  return value;
}

/** `AE@host:port`; an IPv6 host in brackets (`PACS@[fd00::5]:104`). */
function peer(entry: string): { aeTitle: string; host: string; port: number } {
  const m = /^([^@]+)@(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry);
  if (!m || Number(m[3]) > 65535) throw new Error(`QIAO_DIMSE_PEERS: "${entry}" is not AE@host:port`);
  return { aeTitle: aeTitle(m[1] as string, 'QIAO_DIMSE_PEERS'), host: (m[2] as string).replace(/^\[|\]$/g, ''), port: Number(m[3]) };
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not "${value}"`);
  return n;
}
