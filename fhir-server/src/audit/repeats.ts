import type { AuditEvent } from '@medplum/fhirtypes';
import { requestEntity, type AuditFacts } from './event.js';

/** How many accesses one record stands for, when it stands for more than one. */
export const REPETITIONS_URL = 'https://qiao.health/fhir/StructureDefinition/audit-event-repetitions';

/**
 * What makes two image accesses the same access repeated: every fact but the time and the request
 * (its id and user agent). A viewer reading a series frame by frame, or a modality sending a study
 * instance by instance over one association, is one access of the study by one party (DICOM PS3.15
 * A.5.3 audits an instance transfer per study, not per instance). Keyed on the facts, so a repeat
 * folds in before any record is built for it.
 */
export function repeatKey(facts: AuditFacts): string {
  const { recorded: _recorded, origin, ...rest } = facts;
  return JSON.stringify({ ...rest, address: origin?.address });
}

/**
 * Folds a repeat into `first`: the period covers both, every request is kept (each still finds
 * its record), and the count says how many accesses the record stands for.
 */
export function absorb(first: AuditEvent, next: AuditFacts): void {
  const start = first.period?.start ?? first.recorded;
  first.period = { start, end: (next.recorded ?? new Date()).toISOString() };
  const request = requestEntity(next.origin);
  // In place: a viewer's window folds hundreds of reads, and copying the list each time is quadratic.
  if (request) (first.entity ??= []).push(request);
  const count = first.extension?.find((x) => x.url === REPETITIONS_URL);
  if (count) count.valueInteger = (count.valueInteger ?? 1) + 1;
  else first.extension = [...(first.extension ?? []), { url: REPETITIONS_URL, valueInteger: 2 }];
}
