import type { Extension, Provenance, Signature } from '@medplum/fhirtypes';
import { sm3 } from '../crypto/index.js';
import { sm2SignMessage } from './digest.js';
import type { Queryable } from '../repository/db.js';
import type { Context } from '../router/types.js';
import { SERVER_SIGNER, signingKey } from './keys.js';
import { readJson } from './verify.js';
import { AUTHOR_SIGNATURE, EXT, extensionString, signatureElement, SOURCE_SIGNATURE, type Signer } from './provenance.js';

type Json = Record<string, unknown>;

const CDA = 'application/hl7-cda+xml';
const XMLDSIG = 'http://www.w3.org/2000/09/xmldsig#';
/** CDA `signatureCode` of the legal authenticator and authenticators (S = signed, on file), recorded as found. */
const CDA_SIGNATURE_CODE = 'https://qiao.health/fhir/StructureDefinition/cda-signature-code';
const DSIG_ELEMENT = /<((?:[A-Za-z_][\w.-]*:)?)Signature\b[^>]*>[\s\S]*?<\/\1Signature\s*>/;

/**
 * The transaction entry that seals an imported document: a Provenance, signed with the server
 * key over the original bytes (kept as the Binary the import stores), targeting that Binary and
 * the DocumentReference. Its id follows from the Binary's, which is named by the SM3 of the
 * bytes: a re-import of the same bytes adds nothing, and other bytes under a registered document
 * id are refused before anything is written (operations/cda/import.ts).
 * A signature the document carries itself (XML-DSig) is recorded as found, marked unverified:
 * Qiao does not check formats it does not know; `signatureCode` values are recorded too.
 */
export async function documentSealEntry(ctx: Context, q: Queryable, bytes: Uint8Array, entries: readonly Json[]): Promise<Json | undefined> {
  const binary = entries.map((e) => e.resource as Json).find((r) => r.resourceType === 'Binary' && typeof r.id === 'string');
  const docRef = entries.find((e) => (e.resource as Json).resourceType === 'DocumentReference');
  if (!binary) return undefined;
  const id = `sig-${String(binary.id)}`.slice(0, 64);
  const digest = sm3(bytes).toString('hex');
  const existing = await readJson<Provenance>(ctx, q, 'Provenance', id);
  if (existing && existing.signature?.some((s) => extensionString(s, EXT.digest) === digest)) return undefined;
  const key = await signingKey(ctx.config, q, SERVER_SIGNER);
  const userId = ctx.config.sm2UserId;
  const when = new Date().toISOString();
  const text = Buffer.from(bytes).toString('utf8');
  const embedded = embeddedSignature(text, (docRef?.resource as Json | undefined) ?? {}, when);
  const codes = [...text.matchAll(/<signatureCode\b[^>]*\bcode="([^"]{1,8})"/g)].map((m) => m[1] as string);
  const extension: Extension[] = codes.map((code) => ({ url: CDA_SIGNATURE_CODE, valueCode: code }));
  const provenance: Provenance = {
    resourceType: 'Provenance',
    id,
    ...(extension.length ? { extension } : {}),
    target: [{ reference: `Binary/${String(binary.id)}` }, ...(typeof docRef?.fullUrl === 'string' ? [{ reference: docRef.fullUrl }] : [])],
    recorded: when,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE', display: 'create' }] },
    agent: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'custodian', display: 'Custodian' }] }, who: { display: 'Qiao' } }],
    signature: [
      signatureElement({ type: SOURCE_SIGNATURE, when, signer: key.signer, kid: key.kid, userId, message: bytes, signature: sm2SignMessage(bytes, key, userId), targetFormat: CDA }),
      ...(embedded ? [embedded] : []),
    ],
  };
  return { resource: provenance, request: { method: 'PUT', url: `Provenance/${id}` } };
}

/** An XML-DSig Signature element in the document, as a Provenance signature of the document's authenticator, not verified. */
function embeddedSignature(text: string, docRef: Json, when: string): Signature | undefined {
  if (!text.includes(XMLDSIG)) return undefined;
  const element = DSIG_ELEMENT.exec(text)?.[0];
  if (!element) return undefined;
  const who: Signer = (docRef.authenticator as Signer | undefined) ?? (docRef.author as Signer[] | undefined)?.[0] ?? { display: '文档内签名者（未识别）| signer named in the document (not identified)' };
  return {
    extension: [{ url: EXT.verification, valueCode: 'not-verified' }],
    type: [AUTHOR_SIGNATURE],
    when,
    who,
    targetFormat: CDA,
    sigFormat: 'application/signature+xml',
    data: Buffer.from(element, 'utf8').toString('base64'),
  };
}
