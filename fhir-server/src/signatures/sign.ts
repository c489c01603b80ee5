import { randomUUID } from 'node:crypto';
import type { DiagnosticReport, Provenance, ProvenanceAgent } from '@medplum/fhirtypes';
import type { Principal } from '../auth/principal.js';
import { sm2SignMessage } from './digest.js';
import type { WriteRule } from '../hooks/write-rules.js';
import type { Queryable } from '../repository/db.js';
import type { Context } from '../router/types.js';
import { sm3 } from '../crypto/index.js';
import { canonicalBytes, CANONICAL_FORM } from './canonical.js';
import { receiptKey, SERVER_SIGNER, signingKey } from './keys.js';
import { receipt } from './receipt.js';
import { AUTHOR_SIGNATURE, clientReference, signatureElement, userReference, type Signer } from './provenance.js';

/** Report states that carry the reader's signature (the viewer treats the same states as signed). */
export const SIGNED_STATES: ReadonlySet<string> = new Set(['final', 'amended', 'corrected', 'appended']);

const AUTHOR_TYPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] };
const LEGALLY_AUTHENTICATED = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion', code: 'LA', display: 'legally authenticated' }] };

/**
 * Who signs for a principal: a user with a fhirUser signs with their own key; anyone else a
 * person or client acts as (a backend client, a user without a Practitioner, a caller when
 * authorisation is off) is signed for by the server key, naming them. The server's own work
 * (demo data, imports) is not a report signature.
 */
function signerOf(principal: Principal): { signer: string; agent: Signer; onBehalfOf?: Signer } | undefined {
  if (principal.kind === 'system') return undefined;
  if (principal.kind === 'user' && principal.fhirUser) return { signer: principal.fhirUser, agent: { reference: principal.fhirUser } };
  const named = principal.username ? userReference(principal.username) : principal.clientId ? clientReference(principal.clientId) : { display: principal.kind === 'development' ? '开发模式调用者 | development caller (QIAO_AUTH=off)' : principal.kind };
  return { signer: SERVER_SIGNER, agent: named, onBehalfOf: named };
}

/** The version the write will store: the row is locked by then (the write rules read it FOR UPDATE), so the next number is certain. */
async function nextVersion(q: Queryable, type: string, id: string): Promise<number> {
  const [row] = await q.query<{ version_id: string }>('SELECT version_id::text FROM resource WHERE resource_type = $1 AND id = $2 FOR UPDATE', [type, id]);
  return row ? Number(row.version_id) + 1 : 1;
}

/**
 * Signs a DiagnosticReport written in a signed state: a Provenance targeting the exact version,
 * created in the write's transaction (no report version is ever stored final without its
 * signature, and a rolled-back write leaves no signature behind).
 */
export async function signReport(ctx: Context, q: Queryable, report: DiagnosticReport, principal: Principal): Promise<void> {
  const who = signerOf(principal);
  if (!who) return;
  // A create gets its id now, so the signed bytes are the stored ones.
  report.id ??= randomUUID();
  const version = await nextVersion(q, 'DiagnosticReport', report.id);
  const key = await signingKey(ctx.config, q, who.signer);
  const message = canonicalBytes(report);
  const userId = ctx.config.sm2UserId;
  const when = new Date().toISOString();
  const signature = sm2SignMessage(message, key, userId);
  const receiptWith = await receiptKey(ctx.config);
  const agent: ProvenanceAgent = { type: AUTHOR_TYPE, who: who.agent, ...(principal.organisation ? { onBehalfOf: { reference: principal.organisation } } : {}) };
  const provenance: Provenance = {
    resourceType: 'Provenance',
    id: randomUUID(),
    target: [{ reference: `DiagnosticReport/${report.id}/_history/${version}` }],
    recorded: when,
    activity: LEGALLY_AUTHENTICATED,
    agent: [agent],
    signature: [
      signatureElement({
        type: AUTHOR_SIGNATURE,
        when,
        signer: key.signer,
        kid: key.kid,
        userId,
        message,
        signature,
        targetFormat: 'application/fhir+json',
        canonical: CANONICAL_FORM,
        ...(who.onBehalfOf ? { onBehalfOf: who.onBehalfOf } : {}),
      }),
    ],
  };
  await ctx.repo.create(q, provenance);
  await q.query('INSERT INTO signature_record (target_type, target_id, target_version, provenance_id, kid, signed_at, receipt) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    'DiagnosticReport',
    report.id,
    version,
    provenance.id,
    key.kid,
    when,
    receiptWith ? receipt(receiptWith, key.kid, userId, signature, sm3(message)) : null,
  ]);
}

export const SIGNATURE_RULES: readonly WriteRule[] = [
  {
    name: 'signatures.report',
    types: ['DiagnosticReport'],
    async check(ctx, q, change) {
      const report = change.resource as DiagnosticReport;
      if (SIGNED_STATES.has(report.status)) await signReport(ctx, q, report, change.principal);
    },
  },
];
