import type { Resource } from '@medplum/fhirtypes';
import { escapeToken, prepareImport } from '@qiao/cda-adapters';
import { fromEdgeIssue } from '../../errors/edge-issues.js';
import { toOperationOutcome } from '../../errors/outcome.js';
import type { Queryable } from '../../repository/db.js';
import { handle } from '../../router/router.js';
import type { Context, FhirRequest, FhirResponse } from '../../router/types.js';
import { noteTransmission } from './audit.js';
import { searchAll } from './fhir-io.js';
import { documentBytes, rejectInvalid } from './request.js';
import { cdaCodeChecker } from './code-checker.js';
import { ruleOverrides } from './rule-overrides.js';
import { resolveSharedResources, restoreResolved } from './shared-resources.js';
import { documentSealEntry } from '../../signatures/document.js';

type Json = Record<string, unknown>;

/**
 * `POST [base]/$cda-import`: validates a shared document, maps it and stores it all in one
 * transaction (clinical resources, the original as a Binary, its DocumentReference, and the
 * audit record that is the transmission log), answering with the transaction-response Bundle
 * (the validator's warnings in the DocumentReference entry's `response.outcome`). Every create
 * is conditional on an identifier, so importing the same document again adds only a
 * transmission-log record.
 */
export async function cdaImport(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const bytes = documentBytes(req);
  const prepared = prepareImport(bytes, { overrides: await ruleOverrides(ctx, q, req), codes: await cdaCodeChecker(ctx, q) });
  rejectInvalid(prepared.issues);
  const bundle = prepared.transaction as Json;
  const entries = bundle.entry as Json[];
  const docRef = entries.find((e) => (e.resource as Json).resourceType === 'DocumentReference')?.fullUrl as string;
  const docRefIndex = entries.findIndex((e) => e.fullUrl === docRef);
  const resolved = await resolveSharedResources(ctx, q, req, entries);
  const replaced = await supersede(ctx, q, req, prepared.mapped?.header.replaces);
  if (replaced) {
    entries.push(replaced.update);
    const docRefResource = entries.find((e) => e.fullUrl === docRef)?.resource as Json;
    for (const r of (docRefResource.relatesTo as Json[] | undefined) ?? []) (r.target as Json).reference = replaced.reference;
  }
  const seal = await documentSealEntry(ctx, q, bytes, entries);
  if (seal) entries.push(seal);
  const code = prepared.mapped?.header.code?.code ?? '';
  // The transaction's audit record is the transmission log entry, written with what it stored.
  noteTransmission('cda-import', code);
  const res = await handle(ctx, { method: 'POST', path: '', query: [], body: bundle as unknown as Resource, prefer: {}, baseUrl: req.baseUrl, principal: req.principal });
  // Warnings and information the validator had go with the document's registration (entry.response.outcome).
  const notes = prepared.issues.filter((i) => i.severity === 'warning' || i.severity === 'information');
  if (res.status === 200) restoreResolved(res.body as Json | undefined, resolved, req.baseUrl);
  const answered = ((res.body as Json | undefined)?.entry as Json[] | undefined)?.[docRefIndex];
  if (notes.length && answered?.response) (answered.response as Json).outcome = toOperationOutcome(notes.map(fromEdgeIssue));
  return res;
}

/**
 * The registration of the document a replacement replaces (relatedDocument RPLC), marked
 * superseded in the same transaction; the If-Match makes a concurrent change to it fail the
 * import rather than be overwritten. Nothing when that document was never registered here.
 */
async function supersede(ctx: Context, q: Queryable, req: FhirRequest, replaces: { root: string; extension?: string } | undefined): Promise<{ update: Json; reference: string } | undefined> {
  if (!replaces?.extension) return undefined;
  const [previous] = await searchAll(ctx, q, req, 'DocumentReference', [['identifier', `${escapeToken(`urn:oid:${replaces.root}`)}|${escapeToken(replaces.extension)}`]]);
  if (!previous || previous.status === 'superseded') return undefined;
  const reference = `DocumentReference/${String(previous.id)}`;
  const version = String((previous.meta as Json | undefined)?.versionId ?? '');
  return { update: { resource: { ...previous, status: 'superseded' }, request: { method: 'PUT', url: reference, ifMatch: `W/"${version}"` } }, reference };
}
