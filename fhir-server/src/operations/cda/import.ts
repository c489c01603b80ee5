import type { Resource } from '@medplum/fhirtypes';
import { escapeToken, EXT, prepareImport, type MappedDocument } from '@qiao/cda-adapters';
import { FhirError } from '../../errors/fhir-error.js';
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
import { matchPatientByOtherIdentifiers } from './patients.js';
import { supersede } from './replacement.js';
import { resolveSharedResources, restoreResolved } from './shared-resources.js';
import { documentSealEntry } from '../../signatures/document.js';

type Json = Record<string, unknown>;

/**
 * `POST [base]/$cda-import`: validates a shared document, maps it and stores it all in one
 * transaction (clinical resources, the original as a Binary, its DocumentReference, and the
 * audit record that is the transmission log), answering with the transaction-response Bundle
 * (the validator's warnings in the DocumentReference entry's `response.outcome`). Every create
 * is conditional on an identifier, so importing the same document again adds only a
 * transmission-log record; other bytes under a registered document id are refused (409), the
 * original is kept.
 */
export async function cdaImport(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const transmission = noteTransmission('cda-import');
  const bytes = documentBytes(req);
  const prepared = prepareImport(bytes, { overrides: await ruleOverrides(ctx, q, req), codes: await cdaCodeChecker(ctx, q) });
  transmission.about(prepared.code);
  rejectInvalid(prepared.issues);
  const mapped = prepared.mapped as MappedDocument;
  const bundle = prepared.transaction as Json;
  const entries = bundle.entry as Json[];
  const docRefIndex = entries.findIndex((e) => (e.resource as Json).resourceType === 'DocumentReference');
  const docRef = entries[docRefIndex]?.fullUrl as string;
  await refuseChangedDocument(ctx, q, req, mapped.header.id, sm3Of(entries[docRefIndex]?.resource as Json));
  await matchPatientByOtherIdentifiers(ctx, q, req, mapped, entries);
  const resolved = await resolveSharedResources(ctx, q, req, entries);
  const replaced = await supersede(ctx, q, req, mapped.header.replaces);
  if (replaced) {
    entries.push(...replaced.updates);
    const docRefResource = entries.find((e) => e.fullUrl === docRef)?.resource as Json;
    for (const r of (docRefResource.relatesTo as Json[] | undefined) ?? []) (r.target as Json).reference = replaced.reference;
  }
  const seal = await documentSealEntry(ctx, q, bytes, entries);
  if (seal) entries.push(seal);
  const res = await handle(ctx, { method: 'POST', path: '', query: [], body: bundle as unknown as Resource, prefer: {}, baseUrl: req.baseUrl, principal: req.principal });
  // Warnings and information the validator had go with the document's registration (entry.response.outcome).
  const notes = prepared.issues.filter((i) => i.severity === 'warning' || i.severity === 'information');
  if (res.status === 200) restoreResolved(res.body as Json | undefined, resolved, req.baseUrl);
  const answered = ((res.body as Json | undefined)?.entry as Json[] | undefined)?.[docRefIndex];
  if (notes.length && answered?.response) (answered.response as Json).outcome = toOperationOutcome(notes.map(fromEdgeIssue));
  return res;
}

/** The SM3 hash of the document bytes a DocumentReference registers (the mapping wrote it for this one). */
const sm3Of = (docRef: Json | undefined): string | undefined => ((docRef?.extension as Json[] | undefined) ?? []).find((x) => x.url === EXT.sm3)?.valueString as string | undefined;

/**
 * A document id names one document: once registered, its stored original (the Binary the
 * DocumentReference's SM3 hash was taken of) is what the id means. The same bytes again are a
 * re-import; other bytes are a changed document, which WS/T 500 sends under a new id replacing
 * this one (relatedDocument RPLC) — refused, so the original is never overwritten.
 */
async function refuseChangedDocument(ctx: Context, q: Queryable, req: FhirRequest, id: { root: string; extension?: string } | undefined, hash: string | undefined): Promise<void> {
  if (!id?.extension) return;
  const registered = await searchAll(ctx, q, req, 'DocumentReference', [['identifier', `${escapeToken(`urn:oid:${id.root}`)}|${escapeToken(id.extension)}`]]);
  const changed = registered.some((r) => sm3Of(r) !== undefined && sm3Of(r) !== hash);
  if (changed) throw new FhirError('cda.document-id-taken', { id: id.extension }, '/ClinicalDocument/id/@extension');
}
