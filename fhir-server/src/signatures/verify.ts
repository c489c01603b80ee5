import type { Binary, Provenance, Reference, Resource, Signature } from '@medplum/fhirtypes';
import { sm3 } from '../crypto/index.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Queryable } from '../repository/db.js';
import { openStored } from '../repository/sealed-fields.js';
import type { Context } from '../router/types.js';
import { canonicalBytes } from './canonical.js';
import { sm2VerifyMessage } from './digest.js';
import { receiptKey, verifyingKey } from './keys.js';
import { receiptHolds } from './receipt.js';
import { EXT, extensionString, namesSigner, qiaoSignatures } from './provenance.js';

export type VerificationResult = 'valid' | 'invalid' | 'unsigned';

/** Why a signature did not verify (a stable code for clients; the message says it in both languages). */
export type InvalidReason = 'changed-since-signing' | 'altered' | 'unknown-key' | 'signer-mismatch' | 'bad-signature' | 'provenance-missing' | 'target-missing';

export interface Verification {
  result: VerificationResult;
  reason?: InvalidReason;
  /** `Practitioner/…`, or `server` */
  signer?: string;
  who?: Reference;
  when?: string;
  kid?: string;
  provenance?: string;
  /** The target version the signature was made for, e.g. `DiagnosticReport/1/_history/2`. */
  signed?: string;
  /** The version checked. */
  checked?: string;
}

export const ALGORITHM = 'SM2 (GB/T 32918.2) with SM3, GM/T 0009 user ID';

const MESSAGES: Record<VerificationResult | InvalidReason, { zh: string; en: string }> = {
  valid: { zh: '签名有效', en: 'The signature is valid' },
  unsigned: { zh: '未签名', en: 'Not signed' },
  invalid: { zh: '签名无效', en: 'The signature is not valid' },
  'changed-since-signing': { zh: '签名后内容已被修改（后续版本未重新签名）', en: 'Changed since signing (a later version was not signed again)' },
  altered: { zh: '已签名的版本内容被改动', en: 'The signed version has been altered' },
  'unknown-key': { zh: '签名密钥未知', en: 'The signing key is unknown' },
  'signer-mismatch': { zh: '签名者与签名密钥不符', en: 'The signer does not match the signing key' },
  'bad-signature': { zh: 'SM2 签名校验失败', en: 'The SM2 signature does not verify' },
  'provenance-missing': { zh: '签名记录（Provenance）已不存在', en: 'The signature record (Provenance) no longer exists' },
  'target-missing': { zh: '签名对象已不存在', en: 'The signed resource no longer exists' },
};

/** The outcome in words, zh-CN first: `签名无效：… | The signature is not valid: …`. */
export function describe(v: Verification): string {
  const head = MESSAGES[v.result];
  if (!v.reason) return `${head.zh} | ${head.en}`;
  const why = MESSAGES[v.reason];
  return `${head.zh}：${why.zh} | ${head.en}: ${why.en}`;
}

/**
 * SM2 verification costs a few milliseconds (sm-crypto-v2), so results are remembered by everything they
 * depend on — key, signature and the SM3 digest of the bytes — and any change to the content
 * misses the cache. Bounded; the oldest entries go first.
 */
const cache = new Map<string, boolean>();
const CACHE_ENTRIES = 10_000;

function verifyCached(message: Uint8Array, digest: Buffer, signature: Buffer, publicKey: string, userId: string): boolean {
  const key = `${publicKey}:${userId}:${signature.toString('base64')}:${digest.toString('hex')}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const ok = sm2VerifyMessage(message, signature, publicKey, userId);
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, ok);
  return ok;
}

/** A receipt to try before SM2 (receipt.ts): the receipt key and the receipt stored with the signature. */
interface Receipt {
  key: Buffer;
  stored: Uint8Array | null;
}

/** Checks one Qiao signature of a Provenance over `message`. */
async function checkSignature(q: Queryable, signature: Signature, kid: string, userId: string, message: Uint8Array, receipt?: Receipt): Promise<Pick<Verification, 'result' | 'reason' | 'signer' | 'who' | 'when' | 'kid'>> {
  const base = { who: signature.who, ...(signature.when ? { when: signature.when } : {}), kid };
  const key = await verifyingKey(q, kid);
  if (!key) return { ...base, result: 'invalid', reason: 'unknown-key' };
  if (!namesSigner(signature.who, key.signer, kid)) return { ...base, signer: key.signer, result: 'invalid', reason: 'signer-mismatch' };
  const bytes = Buffer.from(signature.data ?? '', 'base64');
  const digest = sm3(message);
  const ok = (receipt !== undefined && receiptHolds(receipt.key, receipt.stored, kid, userId, bytes, digest)) || verifyCached(message, digest, bytes, key.publicKey, userId);
  return { ...base, signer: key.signer, result: ok ? 'valid' : 'invalid', ...(ok ? {} : { reason: 'bad-signature' as const }) };
}

interface RecordRow {
  target_id: string;
  target_version: string;
  provenance_id: string;
  kid: string;
  receipt: Uint8Array | null;
  /** The stored Provenance of the signature; null when it is gone. */
  provenance: string | null;
}

/** How far a verification may rely on the server's receipts: reads and searches do; `$verify-signature` verifies every signature in full. */
export interface VerifyOptions {
  receipts: boolean;
}

/**
 * Whether this version of a signed resource carries a valid signature: the latest signature
 * made for this version or an earlier one is checked against this version's content. A later
 * version with other content that nobody signed is "changed since signing"; a signed version
 * whose stored content no longer matches is "altered".
 */
export async function verifyVersion(ctx: Context, q: Queryable, resource: Resource, options: VerifyOptions): Promise<Verification> {
  const [verification] = await verifyVersions(ctx, q, [resource], options);
  return verification as Verification;
}

/** verifyVersion for resources of one type (a search page), their signature records looked up in one statement. */
export async function verifyVersions(ctx: Context, q: Queryable, resources: readonly Resource[], options: VerifyOptions): Promise<Verification[]> {
  const type = resources[0]?.resourceType;
  if (!type) return [];
  // The page's signature records with their Provenances in one statement, not reads per report.
  const rows = await q.query<RecordRow>(
    `SELECT s.target_id, s.target_version::text, s.provenance_id, s.kid, s.receipt, p.content AS provenance FROM signature_record s
     LEFT JOIN resource p ON p.resource_type = 'Provenance' AND p.id = s.provenance_id AND NOT p.deleted
     WHERE s.target_type = $1 AND s.target_id = ANY($2::text[]) ORDER BY s.target_version DESC, s.signed_at DESC`,
    [type, resources.map((r) => r.id as string)],
  );
  const key = options.receipts ? await receiptKey(ctx.config) : undefined;
  const verifications: Verification[] = [];
  for (const resource of resources) {
    const version = Number(resource.meta?.versionId ?? '0');
    const row = rows.find((r) => r.target_id === resource.id && Number(r.target_version) <= version);
    const provenance = row?.provenance ? (JSON.parse(openStored(row.provenance, 'Provenance', row.provenance_id)) as Provenance) : undefined;
    const receipt = key && row ? { key, stored: row.receipt } : undefined;
    verifications.push(await verifyAgainst(q, resource, version, row, provenance, receipt));
  }
  return verifications;
}

async function verifyAgainst(q: Queryable, resource: Resource, version: number, row: RecordRow | undefined, provenance: Provenance | undefined, receipt: Receipt | undefined): Promise<Verification> {
  const type = resource.resourceType;
  const id = resource.id as string;
  const checked = `${type}/${id}/_history/${version}`;
  if (!row) return { result: 'unsigned', checked };
  const signed = `${type}/${id}/_history/${row.target_version}`;
  const provenanceRef = `Provenance/${row.provenance_id}`;
  const found = provenance && qiaoSignatures(provenance).find((s) => s.kid === row.kid);
  if (!found) return { result: 'invalid', reason: 'provenance-missing', provenance: provenanceRef, signed, checked, kid: row.kid };
  const outcome = await checkSignature(q, found.signature, found.kid, found.userId, canonicalBytes(resource), receipt);
  const reason = outcome.reason === 'bad-signature' ? (Number(row.target_version) < version ? 'changed-since-signing' : 'altered') : outcome.reason;
  return { ...outcome, ...(reason ? { reason } : {}), provenance: provenanceRef, signed, checked };
}

/**
 * Every Qiao signature of a Provenance against what it signed: a resource version (its
 * canonical form) or a document (the bytes of the Binary it targets). The first failure is the
 * answer; a Provenance with no Qiao signature is "unsigned".
 */
export async function verifyProvenance(ctx: Context, q: Queryable, provenance: Provenance): Promise<Verification> {
  const provenanceRef = `Provenance/${provenance.id}`;
  const signatures = qiaoSignatures(provenance);
  if (signatures.length === 0) return { result: 'unsigned', provenance: provenanceRef };
  let last: Verification = { result: 'unsigned', provenance: provenanceRef };
  for (const s of signatures) {
    const target = await signedContent(ctx, q, provenance, s.signature);
    if (!target) return { result: 'invalid', reason: 'target-missing', provenance: provenanceRef, kid: s.kid, who: s.signature.who as Reference };
    const outcome = await checkSignature(q, s.signature, s.kid, s.userId, target.message);
    last = { ...outcome, ...(outcome.reason === 'bad-signature' ? { reason: 'altered' as const } : {}), provenance: provenanceRef, signed: target.reference, checked: target.reference };
    if (last.result !== 'valid') return last;
  }
  return last;
}

/** What a signature covers: the canonical resource version it targets, or the document bytes (Binary) when it signs those. */
async function signedContent(ctx: Context, q: Queryable, provenance: Provenance, signature: Signature): Promise<{ message: Uint8Array; reference: string } | undefined> {
  const canonical = extensionString(signature, EXT.canonical) !== undefined;
  for (const target of provenance.target) {
    const m = /^([A-Za-z]+)\/([A-Za-z0-9.-]{1,64})(?:\/_history\/(\d+))?$/.exec(target.reference ?? '');
    if (!m) continue;
    const [, type, id, version] = m as unknown as [string, string, string, string | undefined];
    if (canonical && type !== 'Binary') {
      const resource = await readJson<Resource>(ctx, q, type, id, version);
      return resource ? { message: canonicalBytes(resource), reference: target.reference as string } : undefined;
    }
    if (!canonical && type === 'Binary') {
      const binary = await readJson<Binary>(ctx, q, type, id, version);
      return binary ? { message: Buffer.from(binary.data ?? '', 'base64'), reference: target.reference as string } : undefined;
    }
  }
  return undefined;
}

/** A stored resource (a version when given), or undefined when absent or deleted. */
export async function readJson<T extends Resource>(ctx: Context, q: Queryable, type: string, id: string, version?: string): Promise<T | undefined> {
  try {
    const stored = version ? await ctx.repo.vread(q, type, id, version) : await ctx.repo.read(q, type, id);
    return JSON.parse(stored.json as string) as T;
  } catch (error) {
    if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
    throw error;
  }
}
