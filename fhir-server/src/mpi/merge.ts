import type { Identifier, Patient, Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import type { Queryable } from '../repository/db.js';
import type { Repository } from '../repository/repository.js';
import type { StoredVersion } from '../repository/stored.js';
import { parsed, recordChanges, type Change, type ResourceWriter } from './changes.js';
import { replacedBy, withLink } from './links.js';
import { lockReferrers, rewriteReferences } from './referrers.js';

/** A patient named in a request, with where it was named (for errors). */
export interface PatientArgument {
  id: string;
  expression: string;
}

export interface MergeRequest {
  source: PatientArgument;
  target: PatientArgument;
  /** The target as the client wants it after the merge (R5 `result-patient`); its id must be the target's. */
  result?: { patient: Patient; expression: string };
  /** Work out the merge but write nothing. */
  preview: boolean;
}

export interface MergeResult {
  source: Patient;
  target: Patient;
  /** Resources whose references to the source now name the target. */
  moved: { resourceType: string; id: string }[];
  /** The Provenance that records the merge; absent in a preview. */
  provenance?: StoredVersion;
}

/** Reads and locks a patient named in a request; absent or deleted is an error about where it was named. */
export async function lockPatient(q: Queryable, repo: Repository, p: PatientArgument): Promise<StoredVersion> {
  try {
    return await repo.read(q, 'Patient', p.id, true);
  } catch (error) {
    if (error instanceof FhirError && (error.status === 404 || error.status === 410)) throw new FhirError('mpi.patient-not-found', { id: p.id }, p.expression);
    throw error;
  }
}

/** Reads and locks two patients in id order, so two merges of overlapping pairs queue instead of deadlocking. */
export async function lockPatients(q: Queryable, repo: Repository, a: PatientArgument, b: PatientArgument): Promise<[StoredVersion, StoredVersion]> {
  if (a.id <= b.id) {
    const first = await lockPatient(q, repo, a);
    return [first, await lockPatient(q, repo, b)];
  }
  const second = await lockPatient(q, repo, b);
  return [await lockPatient(q, repo, a), second];
}

/** Source identifiers the target lacks, kept on the target as `old` so searches by them find the survivor. */
function inheritedIdentifiers(source: Patient, target: Patient): Identifier[] {
  const has = new Set((target.identifier ?? []).map((i) => `${i.system ?? ''}|${i.value ?? ''}`));
  return (source.identifier ?? []).filter((i) => !has.has(`${i.system ?? ''}|${i.value ?? ''}`)).map((i) => ({ ...i, use: 'old' as const }));
}

/**
 * R5 `Patient/$merge` on R4: in the caller's transaction, every resource that referenced the
 * source now references the target; the source becomes inactive with `link` replaced-by the
 * target; the target gets `link` replaces the source (and, without a result-patient, the
 * source's identifiers as `old` ones). One Provenance lists every change with its undo patch.
 */
export async function mergePatients(q: Queryable, repo: Repository, writer: ResourceWriter, request: MergeRequest): Promise<MergeResult> {
  const { source: s, target: t } = request;
  if (s.id === t.id) throw new FhirError('mpi.merge-same', { id: s.id }, t.expression);
  if (request.result && request.result.patient.id !== t.id) {
    throw new FhirError('mpi.result-id', { id: String(request.result.patient.id ?? ''), expected: t.id }, `${request.result.expression}.id`);
  }
  const [sourceStored, targetStored] = await lockPatients(q, repo, s, t);
  const [source, target] = [parsed<Patient>(sourceStored), parsed<Patient>(targetStored)];
  const sourceSurvivor = replacedBy(source);
  if (sourceSurvivor) throw new FhirError('mpi.source-merged', { id: s.id, survivor: sourceSurvivor }, s.expression);
  const targetSurvivor = replacedBy(target);
  if (targetSurvivor) throw new FhirError('mpi.target-merged', { id: t.id, survivor: targetSurvivor }, t.expression);

  const sourceAfter = withLink({ ...source, active: false }, 'replaced-by', t.id);
  let targetAfter: Patient;
  if (request.result) {
    const { meta: _meta, ...content } = request.result.patient;
    targetAfter = withLink({ ...content, resourceType: 'Patient', id: t.id }, 'replaces', s.id);
  } else {
    const inherited = inheritedIdentifiers(source, target);
    targetAfter = withLink(inherited.length ? { ...target, identifier: [...(target.identifier ?? []), ...inherited] } : target, 'replaces', s.id);
  }
  const changes: Change[] = [
    { before: sourceStored, after: sourceAfter },
    { before: targetStored, after: targetAfter },
  ];
  for (const stored of await lockReferrers(q, s.id, [s.id, t.id])) {
    const after = rewriteReferences(parsed<Resource>(stored), s.id, t.id);
    if (after) changes.push({ before: stored, after });
  }
  const moved = changes.slice(2).map((c) => ({ resourceType: c.before.resourceType, id: c.before.id }));
  if (request.preview) return { source: sourceAfter, target: targetAfter, moved };
  const { written, provenance } = await recordChanges(writer, changes, 'merge');
  const [sourceWritten, targetWritten] = written as [StoredVersion, StoredVersion];
  return { source: parsed<Patient>(sourceWritten), target: parsed<Patient>(targetWritten), moved, provenance };
}
