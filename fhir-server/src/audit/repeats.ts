import type { AuditEvent } from '@medplum/fhirtypes';
import { AUDIT } from './event.js';

/** How many accesses one record stands for, when it stands for more than one. */
export const REPETITIONS_URL = 'https://qiao.health/fhir/StructureDefinition/audit-event-repetitions';

const isRequestId = (e: NonNullable<AuditEvent['entity']>[number]) => e.type?.system === AUDIT.balpEntityType && e.type.code === 'XrequestId';

/**
 * What makes two records of image accesses the same access repeated: everything but the time and
 * the request id. A viewer reading a series frame by frame, or a modality sending a study instance
 * by instance over one association, is one access of the study by one party (DICOM PS3.15 A.5.3
 * audits an instance transfer per study, not per instance).
 */
export function repeatKey(event: AuditEvent): string {
  const { recorded: _recorded, entity, ...rest } = event;
  return JSON.stringify({ ...rest, entity: (entity ?? []).filter((e) => !isRequestId(e)) });
}

/**
 * Folds `next` into `first`: the period covers both, every request id is kept (each still finds
 * its record), and the count says how many accesses the record stands for.
 */
export function absorb(first: AuditEvent, next: AuditEvent): void {
  const start = first.period?.start ?? first.recorded;
  first.period = { start, end: next.recorded };
  const requestIds = (next.entity ?? []).filter(isRequestId);
  // In place: a viewer's window folds hundreds of reads, and copying the list each time is quadratic.
  if (requestIds.length) (first.entity ??= []).push(...requestIds);
  const count = first.extension?.find((x) => x.url === REPETITIONS_URL);
  if (count) count.valueInteger = (count.valueInteger ?? 1) + 1;
  else first.extension = [...(first.extension ?? []), { url: REPETITIONS_URL, valueInteger: 2 }];
}
