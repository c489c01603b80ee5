import type { Patient } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import type { Queryable } from '../repository/db.js';
import type { Repository } from '../repository/repository.js';
import type { StoredVersion } from '../repository/stored.js';
import { parsed, recordChanges, type Change, type ResourceWriter } from './changes.js';
import { hasLink, replacedBy, withLink, withoutLink } from './links.js';
import { lockPatients, type PatientArgument } from './merge.js';

export interface LinkResult {
  patients: [Patient, Patient];
  /** Absent when the records were already (un)linked: nothing was written. */
  provenance?: StoredVersion;
}

/**
 * Records that two patients may be the same person without merging them (`link.type = seealso`,
 * both ways), or takes that back: for a steward who cannot yet decide, and for registries that
 * keep each hospital's record. Recorded with a Provenance like a merge; merged-away records refuse.
 */
export async function setSeeAlso(q: Queryable, repo: Repository, writer: ResourceWriter, a: PatientArgument, b: PatientArgument, linked: boolean): Promise<LinkResult> {
  if (a.id === b.id) throw new FhirError('mpi.link-same', { id: a.id }, b.expression);
  const stored = await lockPatients(q, repo, a, b);
  const [pa, pb] = stored.map((s) => parsed<Patient>(s)) as [Patient, Patient];
  for (const [patient, argument] of [[pa, a], [pb, b]] as const) {
    const survivor = replacedBy(patient);
    if (survivor) throw new FhirError('mpi.source-merged', { id: argument.id, survivor }, argument.expression);
  }
  const change = (patient: Patient, other: string) => (linked ? withLink(patient, 'seealso', other) : withoutLink(patient, 'seealso', other));
  const after: [Patient, Patient] = [hasLink(pa, 'seealso', b.id) === linked ? pa : change(pa, b.id), hasLink(pb, 'seealso', a.id) === linked ? pb : change(pb, a.id)];
  const changes: Change[] = [];
  if (after[0] !== pa) changes.push({ before: stored[0], after: after[0] });
  if (after[1] !== pb) changes.push({ before: stored[1], after: after[1] });
  if (changes.length === 0) return { patients: [pa, pb] };
  const { written, provenance } = await recordChanges(writer, changes, linked ? 'link' : 'unlink');
  const current = (id: string, fallback: Patient) => {
    const w = written.find((s) => s.id === id);
    return w ? parsed<Patient>(w) : fallback;
  };
  return { patients: [current(a.id, pa), current(b.id, pb)], provenance };
}
