import path from 'node:path';
import { parseDicomwebPeers, type DicomwebPeer, type S3Location } from '@qiao/dicom-gateway';

/** Everything an operator can set, read once from the environment. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL URL; undefined selects the embedded database under `dataDir`. */
  databaseUrl: string | undefined;
  /** Public base (e.g. `https://hub.example.cn`); undefined derives it from each request. */
  baseUrl: string | undefined;
  /** `on` (default): every /fhir, /dicomweb and /bulk request needs a bearer token; `off` is for development only. */
  auth: 'off' | 'on';
  /** JSON file of clients and users loaded (idempotently) at start (`QIAO_BOOTSTRAP`); see docs/auth.md. */
  bootstrapFile: string | undefined;
  /** Lifetimes in seconds: access tokens of users, of backend clients (at most 300), refresh tokens. */
  accessTokenSeconds: number;
  backendTokenSeconds: number;
  refreshTokenSeconds: number;
  /** A trusted external OpenID Connect issuer for user login (`QIAO_OIDC_ISSUER`), with this server's client id and secret there. */
  oidc: { issuer: string; clientId: string; clientSecret: string } | undefined;
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
  /** Which patients clinicians of another organisation see (`QIAO_CROSS_ORG=open|shared-only`); see docs/access.md. */
  crossOrg: 'open' | 'shared-only';
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
  /** Remote DICOMweb archives asked for what the gateway does not hold (proxy mode): `QIAO_DICOMWEB_PEERS=name@https://host/dicom-web,…`. */
  dicomwebPeers: DicomwebPeer[];
  /** Memory for WADO-RS frames read more than once (`QIAO_DICOM_FRAME_CACHE_MB`, default 128; 0 = off). */
  dicomFrameCacheBytes: number;
  /** Where DICOM files are kept (`QIAO_DICOM_STORAGE`): under `dataDir` (`file`, the default) or in an S3-compatible bucket (`s3`, with `QIAO_S3_*`). */
  dicomStorage: { kind: 'file' } | ({ kind: 's3' } & S3Location);
  /** JSON key file of the national-cryptography keys (SM4 field keys, blind-index key, SM2 signing key). */
  keyFile: string | undefined;
  /** The same JSON in the environment, for secret stores that inject variables; used when no key file is named. */
  keys: string | undefined;
  /** Field-level encryption at rest of identity-document and phone numbers (docs/crypto.md); `off` is for measuring only. */
  fieldEncryption: 'on' | 'off';
  /** `off` stops writing audit records — for measuring their cost only; 等保 requires `on` (the default). */
  audit: 'on' | 'off';
  /** Days audit records are kept (`QIAO_AUDIT_RETENTION_DAYS`, at least 180: GB/T 22239-2019 level 3). */
  auditRetentionDays: number;
  /** Where rest-hook subscriptions may post (`QIAO_SUBSCRIPTION_ENDPOINTS`): URL prefixes, `loopback` (the default), or `*`; see docs/subscriptions.md. */
  subscriptionEndpoints: string[];
  /** Senders of notifications to people, by name (`QIAO_NOTIFY_SENDERS`, default `logging`); see docs/subscriptions.md. */
  notifySenders: string[];
  /** SM2 user ID (distinguishing identifier, GM/T 0009) of the signatures Qiao makes (`QIAO_SM2_USER_ID`). */
  sm2UserId: string;
  /** PEM certificate (chain) and private key files for built-in HTTPS (`QIAO_TLS_CERT`, `QIAO_TLS_KEY`); plain HTTP when unset. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** Express `trust proxy` (`QIAO_TRUST_PROXY`): which proxies' X-Forwarded-* headers count; undefined trusts none. */
  trustProxy: string | number | undefined;
  /** Critical values (危急值): escalate an unacknowledged one after `ackSeconds` (`QIAO_CRITICAL_ACK_MINUTES`, default 15); the sweeper looks every `sweepSeconds`. */
  criticalValues: { ackSeconds: number; sweepSeconds: number };
  /** Report write-back: turnaround (`QIAO_REPORT_TURNAROUND_HOURS`), clinic PACS per ordering organisation (`QIAO_REPORT_PACS=Organization/1=AE@host:port,…`), C-STORE retries (first after `retrySeconds`, doubling, `maxAttempts` in all). */
  reporting: { turnaroundHours: number; pacs: { organisation: string; aeTitle: string; host: string; port: number }[]; retrySeconds: number; maxAttempts: number };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const auth = env.QIAO_AUTH ?? 'on';
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
    bootstrapFile: env.QIAO_BOOTSTRAP ? path.resolve(env.QIAO_BOOTSTRAP) : undefined,
    accessTokenSeconds: integer(env.QIAO_ACCESS_TOKEN_S, 3600, 'QIAO_ACCESS_TOKEN_S'),
    backendTokenSeconds: Math.min(300, integer(env.QIAO_BACKEND_TOKEN_S, 300, 'QIAO_BACKEND_TOKEN_S')),
    refreshTokenSeconds: integer(env.QIAO_REFRESH_TOKEN_S, 8 * 3600, 'QIAO_REFRESH_TOKEN_S'),
    oidc: oidc(env),
    maxBodyBytes: integer(env.QIAO_MAX_BODY_MB, 128, 'QIAO_MAX_BODY_MB') * 1024 * 1024,
    demoData: (env.QIAO_DEMO_DATA ?? 'on') !== 'off',
    logLevel: logLevel as Config['logLevel'],
    shutdownGraceSeconds: integer(env.QIAO_SHUTDOWN_GRACE_S, 10, 'QIAO_SHUTDOWN_GRACE_S'),
    maxBundleEntries: integer(env.QIAO_MAX_BUNDLE_ENTRIES, 10000, 'QIAO_MAX_BUNDLE_ENTRIES'),
    installProfiles: (env.QIAO_INSTALL_PROFILES ?? 'on') !== 'off',
    requireProfiles: (env.QIAO_REQUIRE_PROFILES ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''),
    pseudonymKey: pseudonymKey(env.QIAO_PSEUDONYM_KEY),
    crossOrg: oneOf(env.QIAO_CROSS_ORG ?? 'open', ['open', 'shared-only'] as const, 'QIAO_CROSS_ORG'),
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
    dicomwebPeers: parseDicomwebPeers(env.QIAO_DICOMWEB_PEERS),
    dicomStorage: dicomStorage(env),
    dicomFrameCacheBytes: integer(env.QIAO_DICOM_FRAME_CACHE_MB, 128, 'QIAO_DICOM_FRAME_CACHE_MB') * 1024 * 1024,
    keyFile: env.QIAO_KEY_FILE ? path.resolve(env.QIAO_KEY_FILE) : undefined,
    keys: env.QIAO_KEYS || undefined,
    fieldEncryption: oneOf(env.QIAO_FIELD_ENCRYPTION ?? 'on', ['on', 'off'] as const, 'QIAO_FIELD_ENCRYPTION'),
    audit: oneOf(env.QIAO_AUDIT ?? 'on', ['on', 'off'] as const, 'QIAO_AUDIT'),
    auditRetentionDays: retentionDays(env.QIAO_AUDIT_RETENTION_DAYS),
    subscriptionEndpoints: list(env.QIAO_SUBSCRIPTION_ENDPOINTS ?? 'loopback'),
    notifySenders: list(env.QIAO_NOTIFY_SENDERS ?? 'logging'),
    sm2UserId: sm2UserId(env.QIAO_SM2_USER_ID),
    tls: tls(env),
    trustProxy: trustProxy(env.QIAO_TRUST_PROXY),
    criticalValues: {
      ackSeconds: integer(env.QIAO_CRITICAL_ACK_MINUTES, 15, 'QIAO_CRITICAL_ACK_MINUTES') * 60,
      sweepSeconds: integer(env.QIAO_CRITICAL_SWEEP_S, 30, 'QIAO_CRITICAL_SWEEP_S') || 30,
    },
    reporting: {
      turnaroundHours: integer(env.QIAO_REPORT_TURNAROUND_HOURS, 24, 'QIAO_REPORT_TURNAROUND_HOURS'),
      pacs: (env.QIAO_REPORT_PACS ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '')
        .map(reportPacs),
      retrySeconds: integer(env.QIAO_REPORT_RETRY_S, 30, 'QIAO_REPORT_RETRY_S') || 30,
      maxAttempts: integer(env.QIAO_REPORT_MAX_ATTEMPTS, 8, 'QIAO_REPORT_MAX_ATTEMPTS') || 8,
    },
  };
}

/** `file`, or `s3` with everything it needs: a missing setting is named at start, not found at the first upload. */
function dicomStorage(env: NodeJS.ProcessEnv): Config['dicomStorage'] {
  const kind = oneOf(env.QIAO_DICOM_STORAGE ?? 'file', ['file', 's3'] as const, 'QIAO_DICOM_STORAGE');
  if (kind === 'file') return { kind };
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`QIAO_DICOM_STORAGE=s3 needs ${name}`);
    return value;
  };
  const endpoint = required('QIAO_S3_ENDPOINT');
  if (!/^https?:\/\/[^/]/.test(endpoint)) throw new Error(`QIAO_S3_ENDPOINT must be an http(s) URL (e.g. http://127.0.0.1:9000), not "${endpoint}"`);
  const bucket = required('QIAO_S3_BUCKET');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,62}$/.test(bucket) || bucket.includes('..')) throw new Error(`QIAO_S3_BUCKET "${bucket}" is not a bucket name (3-63 letters, digits, dots, hyphens)`);
  const prefix = env.QIAO_S3_PREFIX;
  if (prefix && (!/^[0-9A-Za-z._-]+(\/[0-9A-Za-z._-]+)*\/?$/.test(prefix) || prefix.includes('..'))) throw new Error(`QIAO_S3_PREFIX "${prefix}" may hold only letters, digits and . _ - / (no "..", no leading or doubled /)`);
  const region = env.QIAO_S3_REGION || 'us-east-1';
  if (!/^[a-z0-9-]{1,32}$/.test(region)) throw new Error(`QIAO_S3_REGION "${region}" is not a region name (e.g. us-east-1, cn-north-1)`);
  return {
    kind,
    endpoint,
    bucket,
    region,
    accessKeyId: required('QIAO_S3_ACCESS_KEY_ID'),
    secretAccessKey: required('QIAO_S3_SECRET_ACCESS_KEY'),
    ...(prefix ? { prefix } : {}),
    addressing: oneOf(env.QIAO_S3_ADDRESSING || 'path', ['path', 'virtual'] as const, 'QIAO_S3_ADDRESSING'),
  };
}

/** Audit records are kept at least 180 days (等保三级: six months); a shorter setting is refused at start. */
function retentionDays(value: string | undefined): number {
  const days = integer(value, 180, 'QIAO_AUDIT_RETENTION_DAYS');
  if (days < 180) throw new Error(`QIAO_AUDIT_RETENTION_DAYS must be at least 180 (GB/T 22239-2019 level 3), not ${days}`);
  return days;
}

/** The SM2 user ID is at most 8191 bytes (its bit length is a 16-bit field); the default is the standard's. */
function sm2UserId(value: string | undefined): string {
  if (value === undefined || value === '') return '1234567812345678';
  if (Buffer.byteLength(value, 'utf8') > 8191) throw new Error('QIAO_SM2_USER_ID must be at most 8191 bytes');
  return value;
}

function tls(env: NodeJS.ProcessEnv): Config['tls'] {
  const cert = env.QIAO_TLS_CERT;
  const key = env.QIAO_TLS_KEY;
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new Error('QIAO_TLS_CERT and QIAO_TLS_KEY go together: a certificate file and its private key file (PEM)');
  return { certFile: path.resolve(cert), keyFile: path.resolve(key) };
}

/** `loopback`, addresses or CIDRs separated by commas, or a number of hops; `off` or unset trusts no proxy. */
function trustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === '' || value === 'off') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (!/^[0-9A-Za-z.:/,\s_-]+$/.test(value)) throw new Error(`QIAO_TRUST_PROXY must be "loopback", addresses or CIDRs separated by commas, or a number of hops, not "${value}"`);
  return value;
}

function oidc(env: NodeJS.ProcessEnv): Config['oidc'] {
  const issuer = env.QIAO_OIDC_ISSUER;
  if (!issuer) return undefined;
  if (!/^https?:\/\//.test(issuer)) throw new Error(`QIAO_OIDC_ISSUER must be an http(s) URL, not "${issuer}"`);
  const clientId = env.QIAO_OIDC_CLIENT_ID;
  const clientSecret = env.QIAO_OIDC_CLIENT_SECRET;
  if (!clientId || !clientSecret) throw new Error('QIAO_OIDC_ISSUER needs QIAO_OIDC_CLIENT_ID and QIAO_OIDC_CLIENT_SECRET');
  return { issuer: issuer.replace(/\/+$/, ''), clientId, clientSecret };
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

/** `Organization/id=AE@host:port`: the PACS of one ordering organisation. */
function reportPacs(entry: string): Config['reporting']['pacs'][number] {
  const m = /^(Organization\/[A-Za-z0-9\-.]{1,64})=(.+)$/.exec(entry);
  if (!m) throw new Error(`QIAO_REPORT_PACS: "${entry}" is not Organization/id=AE@host:port`);
  return { organisation: m[1] as string, ...peer(m[2] as string) };
}

/** `AE@host:port`; an IPv6 host in brackets (`PACS@[fd00::5]:104`). */
function peer(entry: string): { aeTitle: string; host: string; port: number } {
  const m = /^([^@]+)@(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry);
  if (!m || Number(m[3]) > 65535) throw new Error(`QIAO_DIMSE_PEERS: "${entry}" is not AE@host:port`);
  return { aeTitle: aeTitle(m[1] as string, 'QIAO_DIMSE_PEERS'), host: (m[2] as string).replace(/^\[|\]$/g, ''), port: Number(m[3]) };
}

function list(value: string): string[] {
  return value.split(',').map((t) => t.trim()).filter((t) => t !== '');
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not "${value}"`);
  return n;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  return value as T;
}
