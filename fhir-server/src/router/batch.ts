import { randomUUID } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import { toOperationOutcome } from '../errors/outcome.js';
import type { OutBundle } from './bundle-builder.js';
import { entryResponse, parseEntry, statusLine } from './entries.js';
import type { FhirRequest, FhirResponse } from './types.js';

/**
 * A batch: each entry on its own, in its own database transaction, and one entry's failure is
 * that entry's response, not the Bundle's. Entries run in order so results are reproducible.
 */
export async function processBatch(bundle: Bundle, outer: FhirRequest, handle: (req: FhirRequest) => Promise<FhirResponse>): Promise<OutBundle> {
  const entries = bundle.entry ?? [];
  const out: OutBundle = { resourceType: 'Bundle', id: randomUUID(), type: 'batch-response', entry: [] };
  for (let index = 0; index < entries.length; index++) {
    try {
      const parsed = parseEntry(entries[index] ?? {}, index, outer);
      out.entry?.push(entryResponse(await handle({ ...parsed.request, prefer: outer.prefer }), outer));
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      out.entry?.push({ response: { status: statusLine(error.status), outcome: toOperationOutcome(error.issues) } });
    }
  }
  return out;
}
