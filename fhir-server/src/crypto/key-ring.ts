import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../http/logger.js';
import { KEY_ID, type FieldKeys } from './field-cipher.js';
import { generateSm2KeyPair, sm2KeyPair, type Sm2KeyPair } from './sm2.js';

/**
 * The key file (`QIAO_KEY_FILE`, or its content in `QIAO_KEYS`), JSON with 256-bit keys in hex:
 *
 *     { "version": 1,
 *       "field": { "current": "k1", "keys": { "k1": "<64 hex>" } },
 *       "blindIndex": "<64 hex>",
 *       "signing": { "keyId": "s1", "privateKey": "<64 hex>" } }
 *
 * Older field keys stay in `keys` until no value sealed under them is left (see rotate.ts).
 */
export interface KeyFile {
  version: 1;
  field: { current: string; keys: Record<string, string> };
  blindIndex: string;
  signing?: { keyId: string; privateKey: string };
}

export interface KeyRing extends FieldKeys {
  /** Key of the blind indexes of encrypted identifiers. */
  readonly blindIndexKey: Buffer;
  /** SM2 key that signs documents (Provenance.signature); undefined when the file names none. */
  readonly signing: (Sm2KeyPair & { keyId: string }) | undefined;
  /** Where the keys came from, for the log and for the rotation command (only a file can be rotated). */
  readonly source: { kind: 'file' | 'environment' | 'generated'; path?: string };
}

const KEY_HEX = /^[0-9a-fA-F]{64}$/;

/** A new key file: one field key, a blind-index key and an SM2 signing key, all from the system CSPRNG. */
export function generateKeyFile(): KeyFile {
  const fieldKeyId = newKeyId('k');
  return {
    version: 1,
    field: { current: fieldKeyId, keys: { [fieldKeyId]: randomBytes(32).toString('hex') } },
    blindIndex: randomBytes(32).toString('hex'),
    signing: { keyId: newKeyId('s'), privateKey: generateSm2KeyPair().privateKey },
  };
}

/** A key id that sorts by creation date and does not collide: `k20261205-1a2b3c`. */
export function newKeyId(prefix: string, now = new Date()): string {
  return `${prefix}${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** Checks a parsed key file; errors name the member at fault and never echo a key. */
export function keyRingFrom(value: unknown, source: KeyRing['source']): KeyRing {
  const where = source.path ?? (source.kind === 'environment' ? 'QIAO_KEYS' : 'key file');
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  const file = value as Partial<KeyFile> | null;
  if (typeof file !== 'object' || file === null) return fail('not a JSON object');
  if (file.version !== 1) fail('"version" must be 1');
  const field = file.field;
  if (typeof field !== 'object' || field === null || typeof field.keys !== 'object' || field.keys === null) return fail('"field.keys" must be an object of key id → 64 hex digits');
  const fieldKeys = new Map<string, Buffer>();
  for (const [id, hex] of Object.entries(field.keys)) {
    if (!KEY_ID.test(id)) fail(`field key id "${id}" must be 1-32 letters, digits, "_" or "-"`);
    if (typeof hex !== 'string' || !KEY_HEX.test(hex)) fail(`field key "${id}" must be 64 hex digits (256 bits)`);
    fieldKeys.set(id, Buffer.from(hex as string, 'hex'));
  }
  if (typeof field.current !== 'string' || !fieldKeys.has(field.current)) fail('"field.current" must name one of "field.keys"');
  if (typeof file.blindIndex !== 'string' || !KEY_HEX.test(file.blindIndex)) fail('"blindIndex" must be 64 hex digits (256 bits)');
  let signing: KeyRing['signing'];
  if (file.signing !== undefined) {
    const { keyId, privateKey } = file.signing;
    if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) fail('"signing.keyId" must be 1-32 letters, digits, "_" or "-"');
    if (typeof privateKey !== 'string' || !KEY_HEX.test(privateKey)) fail('"signing.privateKey" must be 64 hex digits');
    signing = { keyId, ...sm2KeyPair(privateKey) };
  }
  return {
    currentFieldKeyId: field.current as string,
    fieldKeys,
    blindIndexKey: Buffer.from(file.blindIndex as string, 'hex'),
    signing,
    source,
  };
}

export async function readKeyFile(file: string): Promise<KeyFile> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as KeyFile;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** Writes the file with owner-only permissions, through a rename so a crash never leaves half a key file. */
export async function writeKeyFile(file: string, content: KeyFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

/** Where a development key file is generated when nothing is configured. */
export function devKeyFilePath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'dev-keys.json');
}

/**
 * The key ring: `QIAO_KEY_FILE`, else `QIAO_KEYS`, else a development key file under the data
 * directory, generated on first start. The last is said in the log at warn level, because keys
 * kept beside the data they protect do not meet GB/T 39786 key management.
 */
export async function loadKeyRing(config: Pick<Config, 'keyFile' | 'keys' | 'dataDir'>, logger: Logger): Promise<KeyRing> {
  if (config.keyFile) {
    const ring = keyRingFrom(await readKeyFile(config.keyFile), { kind: 'file', path: config.keyFile });
    logger.log('info', 'keys loaded from QIAO_KEY_FILE', { file: config.keyFile, fieldKey: ring.currentFieldKeyId });
    return ring;
  }
  if (config.keys) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(config.keys);
    } catch (error) {
      throw new Error(`QIAO_KEYS: not valid JSON (${(error as Error).message})`);
    }
    const ring = keyRingFrom(parsed, { kind: 'environment' });
    logger.log('info', 'keys loaded from QIAO_KEYS', { fieldKey: ring.currentFieldKeyId });
    return ring;
  }
  const file = devKeyFilePath(config.dataDir);
  let content: KeyFile;
  try {
    content = await readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    content = generateKeyFile();
    await writeKeyFile(file, content);
  }
  logger.log('warn', '开发用密钥文件（未配置 QIAO_KEY_FILE）| development key file in use: set QIAO_KEY_FILE (or QIAO_KEYS) to keys kept apart from the data', { file });
  return keyRingFrom(content, { kind: 'generated', path: file });
}
