import type { Parameters, ParametersParameter, Provenance, Resource } from '@medplum/fhirtypes';
import { sm2PublicKeyPem } from '../../crypto/index.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { publishedKeys } from '../../signatures/keys.js';
import { signerReference } from '../../signatures/provenance.js';
import { ALGORITHM, describe, verifyProvenance, verifyVersion, type Verification } from '../../signatures/verify.js';
import type { OperationEntry } from '../registry.js';

/**
 * `DiagnosticReport/{id}/$verify-signature` (the current version) and
 * `Provenance/{id}/$verify-signature` (each SM2 signature it holds, against what it signed):
 * Parameters with `result` valid | invalid | unsigned, `reason`, a bilingual `message`, the
 * signer, time, key and algorithm (docs/signatures.md).
 */
async function verifySignature(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const stored = await ctx.repo.read(q, path.type as string, path.id as string);
  const resource = JSON.parse(stored.json as string) as Resource;
  const verification = resource.resourceType === 'Provenance' ? await verifyProvenance(ctx, q, resource as Provenance) : await verifyVersion(ctx, q, resource, { receipts: false });
  return { status: 200, body: verificationParameters(verification, ctx.config.sm2UserId) };
}

export function verificationParameters(v: Verification, userId: string): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'result', valueCode: v.result },
    ...(v.reason ? [{ name: 'reason', valueCode: v.reason }] : []),
    { name: 'message', valueString: describe(v) },
    ...(v.who ? [{ name: 'signer', valueReference: v.who }] : []),
    ...(v.when ? [{ name: 'when', valueInstant: v.when }] : []),
    ...(v.result !== 'unsigned' ? [{ name: 'algorithm', valueString: ALGORITHM }, { name: 'userId', valueString: userId }] : []),
    ...(v.kid ? [{ name: 'keyId', valueString: v.kid }] : []),
    ...(v.provenance ? [{ name: 'provenance', valueReference: { reference: v.provenance } }] : []),
    ...(v.signed ? [{ name: 'signedVersion', valueString: v.signed }] : []),
    ...(v.checked ? [{ name: 'checkedVersion', valueString: v.checked }] : []),
  ];
  return { resourceType: 'Parameters', parameter };
}

/**
 * `GET [base]/$signature-keys[?signer=Practitioner/12]`: the published SM2 public keys (current
 * and retired), so anyone can verify a Provenance signature outside Qiao — PEM for OpenSSL and
 * Tongsuo, the uncompressed point in hex for sm-crypto and similar libraries.
 */
async function signatureKeys(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const signer = req.query.find(([name]) => name === 'signer')?.[1];
  const keys = await publishedKeys(q, signer);
  return {
    status: 200,
    body: {
      resourceType: 'Parameters',
      parameter: keys.map((k) => ({
        name: 'key',
        part: [
          { name: 'keyId', valueString: k.kid },
          { name: 'signer', valueReference: signerReference(k.signer, k.kid) },
          { name: 'algorithm', valueString: ALGORITHM },
          { name: 'userId', valueString: ctx.config.sm2UserId },
          { name: 'publicKey', valueString: k.publicKey },
          { name: 'publicKeyPem', valueString: sm2PublicKeyPem(k.publicKey) },
          { name: 'created', valueInstant: k.created },
          ...(k.retired ? [{ name: 'retired', valueInstant: k.retired }] : []),
        ],
      })),
    },
  };
}

export const SIGNATURE_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'verify-signature',
    definition: 'https://qiao.health/fhir/OperationDefinition/verify-signature',
    levels: ['instance'],
    types: ['DiagnosticReport', 'Provenance'],
    affectsState: false,
    ownTransactions: false,
    handler: verifySignature,
  },
  {
    code: 'signature-keys',
    definition: 'https://qiao.health/fhir/OperationDefinition/signature-keys',
    levels: ['system'],
    affectsState: false,
    ownTransactions: false,
    handler: signatureKeys,
  },
];
