import type { Resource } from '@medplum/fhirtypes';
import { prepareImport } from '@qiao/cda-adapters';
import type { Queryable } from '../../repository/db.js';
import { handle } from '../../router/router.js';
import type { Context, FhirRequest, FhirResponse } from '../../router/types.js';
import { transmissionLog } from './audit.js';
import { documentBytes, rejectInvalid } from './request.js';

type Json = Record<string, unknown>;

/**
 * `POST [base]/$cda-import`: validates a shared document, maps it and stores it all in one
 * transaction (clinical resources, the original as a Binary, its DocumentReference and the
 * transmission log), answering with the transaction-response Bundle. Every create is
 * conditional on an identifier, so importing the same document again adds only a log entry.
 */
export async function cdaImport(ctx: Context, _q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const bytes = documentBytes(req);
  const prepared = prepareImport(bytes);
  rejectInvalid(prepared.issues);
  const bundle = prepared.transaction as Json;
  const entries = bundle.entry as Json[];
  const docRef = entries.find((e) => (e.resource as Json).resourceType === 'DocumentReference')?.fullUrl as string;
  const code = prepared.mapped?.header.code?.code ?? '';
  entries.push({ resource: transmissionLog('cda-import', [docRef, prepared.mapped?.composition as string], code, 'success'), request: { method: 'POST', url: 'AuditEvent' } });
  return handle(ctx, { method: 'POST', path: '', query: [], body: bundle as unknown as Resource, prefer: {}, baseUrl: req.baseUrl });
}
