import type { AuditEvent } from '@medplum/fhirtypes';
import { auditEvent, requestEntity, type AuditFacts, type RequestOrigin } from './event.js';

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
 * An image access held open for its repeats. A repeat costs a note of its request and time; the
 * record takes them in once, when it is released — a viewer's window holds hundreds of frames, and
 * updating the record per frame (period, count, entity) cost more than serving some of them.
 */
export class HeldAccess {
  private readonly event: AuditEvent;
  private readonly repeats: { origin: RequestOrigin | undefined; at: number }[] = [];

  constructor(first: AuditFacts) {
    this.event = auditEvent(first);
  }

  repeat(origin: RequestOrigin | undefined, at: number = Date.now()): void {
    this.repeats.push({ origin, at });
  }

  /**
   * The record: the period covers every access, every request is kept (each still finds its
   * record), and the count says how many accesses it stands for.
   */
  record(): AuditEvent {
    const last = this.repeats[this.repeats.length - 1];
    if (!last) return this.event;
    const event = this.event;
    event.period = { start: event.period?.start ?? event.recorded, end: new Date(last.at).toISOString() };
    const entities = (event.entity ??= []);
    for (const { origin } of this.repeats) {
      const request = requestEntity(origin);
      if (request) entities.push(request);
    }
    event.extension = [...(event.extension ?? []), { url: REPETITIONS_URL, valueInteger: this.repeats.length + 1 }];
    return event;
  }
}
