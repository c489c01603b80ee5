import type { Coding, Extension, Provenance, Reference, Signature } from '@medplum/fhirtypes';
import { sm3 } from '../crypto/index.js';
import { SERVER_SIGNER } from './keys.js';

/**
 * What a Qiao signature looks like in FHIR (docs/signatures.md): a Provenance whose `signature`
 * carries the SM2 signature (GB/T 32918.2, SM3 with the signer's Z value, GM/T 0009) as the
 * ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }` of GM/T 0009 §7 / X.509, in base64. There is no
 * registered media type or JOSE `alg` for SM2 (the one JOSE proposal is an expired draft), so
 * `sigFormat` is Qiao's own, and the key id, the SM2 user ID, the canonical form and the SM3
 * digest of the signed bytes go in extensions on the signature.
 */
export const SIG_FORMAT = 'application/x-sm2-signature';
export const EXT = {
  keyId: 'https://qiao.health/fhir/StructureDefinition/signature-key-id',
  userId: 'https://qiao.health/fhir/StructureDefinition/signature-sm2-user-id',
  canonical: 'https://qiao.health/fhir/StructureDefinition/signature-canonical-form',
  digest: 'https://qiao.health/fhir/StructureDefinition/signature-sm3-digest',
  /** On a signature the document itself carried: how far Qiao checked it. */
  verification: 'https://qiao.health/fhir/StructureDefinition/signature-verification',
} as const;

const ASTM = 'urn:iso-astm:E1762-95:2013';
/** ASTM E1762 signature types: the author signs a report; the server seals a document as it received it. */
export const AUTHOR_SIGNATURE: Coding = { system: ASTM, code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" };
export const SOURCE_SIGNATURE: Coding = { system: ASTM, code: '1.2.840.10065.1.12.1.14', display: 'Source Signature' };

/** Who may sign or be signed for: the Reference type of Signature.who (and ProvenanceAgent.who). */
export type Signer = Signature['who'];

const SID = {
  signingKey: 'https://qiao.health/fhir/sid/signing-key',
  clientId: 'https://qiao.health/fhir/sid/client-id',
  username: 'https://qiao.health/fhir/sid/username',
};

/** The signer as a Reference: a Practitioner, or the server by its key id (it is no resource of its own). */
export function signerReference(signer: string, kid: string): Signer {
  if (signer !== SERVER_SIGNER) return { reference: signer };
  return { type: 'Device', identifier: { system: SID.signingKey, value: kid }, display: 'Qiao 服务器签名密钥 | Qiao server signing key' };
}

/** Whether `who` names this signer (as signerReference makes it). */
export function namesSigner(who: Reference | undefined, signer: string, kid: string): boolean {
  if (signer !== SERVER_SIGNER) return who?.reference === signer;
  return who?.identifier?.system === SID.signingKey && who.identifier.value === kid;
}

export function clientReference(clientId: string): Signer {
  return { type: 'Device', identifier: { system: SID.clientId, value: clientId }, display: clientId };
}

export function userReference(username: string): Signer {
  return { identifier: { system: SID.username, value: username }, display: username };
}

export interface SignatureInput {
  type: Coding;
  when: string;
  signer: string;
  kid: string;
  userId: string;
  /** The bytes signed, for the SM3 digest. */
  message: Uint8Array;
  signature: Buffer;
  targetFormat: string;
  canonical?: string;
  onBehalfOf?: Signer;
}

export function signatureElement(s: SignatureInput): Signature {
  const extension: Extension[] = [
    { url: EXT.keyId, valueString: s.kid },
    { url: EXT.userId, valueString: s.userId },
    ...(s.canonical ? [{ url: EXT.canonical, valueCode: s.canonical }] : []),
    { url: EXT.digest, valueString: sm3(Buffer.from(s.message)).toString('hex') },
  ];
  return {
    extension,
    type: [s.type],
    when: s.when,
    who: signerReference(s.signer, s.kid),
    ...(s.onBehalfOf ? { onBehalfOf: s.onBehalfOf } : {}),
    targetFormat: s.targetFormat,
    sigFormat: SIG_FORMAT,
    data: s.signature.toString('base64'),
  };
}

/** The Qiao SM2 signatures of a Provenance (those with a key id), with the values verification needs. */
export function qiaoSignatures(provenance: Provenance): { signature: Signature; kid: string; userId: string }[] {
  return (provenance.signature ?? []).flatMap((signature) => {
    if (signature.sigFormat !== SIG_FORMAT) return [];
    const kid = extensionString(signature, EXT.keyId);
    return kid ? [{ signature, kid, userId: extensionString(signature, EXT.userId) ?? '' }] : [];
  });
}

export function extensionString(signature: Signature, url: string): string | undefined {
  const e = signature.extension?.find((x) => x.url === url);
  return e?.valueString ?? e?.valueCode;
}
