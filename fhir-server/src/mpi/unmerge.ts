import type { Patient, Provenance, Resource } from '@medplum/fhirtypes';
import { FhirError, type IssueInput } from '../errors/fhir-error.js';
import type { Queryable } from '../repository/db.js';
import type { Repository } from '../repository/repository.js';
import type { StoredVersion } from '../repository/stored.js';
import { executeSearch } from '../search/execute.js';
import { parseSearch } from '../search/parse.js';
import { parsed, recordChanges, undoPatches, versionReference, type Change, type ResourceWriter } from './changes.js';
import { replacedBy } from './links.js';
import { lockPatient, type PatientArgument } from './merge.js';
import { LIFECYCLE } from './systems.js';
import { applyUndo } from './undo-patch.js';

export interface UnmergeResult {
  source: Patient;
  target: Patient;
  /** Resources whose references were moved back to the source. */
  restored: { resourceType: string; id: string }[];
  /** The merge's Provenance, and the one recording its undoing. */
  merge: StoredVersion;
  provenance: StoredVersion;
}

/** The latest merge Provenance that changed `Patient/{id}`. */
async function lastMerge(q: Queryable, id: string, baseUrl: string): Promise<StoredVersion | undefined> {
  const search = parseSearch(
    'Provenance',
    [['target', `Patient/${id}`], ['_tag', `${LIFECYCLE}|merge`], ['_sort', '-recorded'], ['_count', '1']],
    { baseUrl },
  );
  return (await executeSearch(q, search)).matches[0];
}

function keyOf(versioned: string): [type: string, id: string] {
  const [type, id] = versioned.split('/') as [string, string];
  return [type, id];
}

/**
 * Undoes the latest merge of `source`: applies, in one transaction, the undo patch the merge's
 * Provenance kept for each resource it changed — the source active again without its
 * replaced-by link, the target without the link and identifiers the merge added, and the
 * references the merge moved pointing at the source again (references written to the target
 * since are left alone). If any of those elements was edited after the merge, nothing is
 * written and the conflicts are listed (409): a person decides, rather than the server guessing.
 */
export async function unmergePatient(q: Queryable, repo: Repository, writer: ResourceWriter, source: PatientArgument, baseUrl: string): Promise<UnmergeResult> {
  const sourceStored = await lockPatient(q, repo, source);
  const survivor = replacedBy(parsed<Patient>(sourceStored));
  if (!survivor) throw new FhirError('mpi.not-merged', { id: source.id }, source.expression);
  const merge = await lastMerge(q, source.id, baseUrl);
  if (!merge) throw new FhirError('mpi.merge-record-missing', { id: source.id }, source.expression);
  // Each resource the merge changed, with its undo patch; locked in the merge's order: the two
  // patients first, then the rest by type and id.
  const isPair = (type: string, id: string) => type === 'Patient' && (id === source.id || id === survivor);
  const undo = [...undoPatches(parsed<Provenance>(merge))]
    .map(([reference, patch]) => ({ key: keyOf(reference), patch }))
    .sort(({ key: [ta, ia] }, { key: [tb, ib] }) => Number(!isPair(ta, ia)) - Number(!isPair(tb, ib)) || (ta + '/' + ia < tb + '/' + ib ? -1 : 1));
  // A merge record that did not change both patients of the current link is not the one that made it.
  if (undo.filter(({ key: [type, id] }) => isPair(type, id)).length !== 2) throw new FhirError('mpi.merge-record-missing', { id: source.id }, source.expression);

  const changes: Change[] = [];
  const conflicts: IssueInput[] = [];
  for (const { key: [type, id], patch } of undo) {
    try {
      const current = type === 'Patient' && id === source.id ? sourceStored : await repo.read(q, type, id, true);
      changes.push({ before: current, after: applyUndo(parsed<Resource>(current), patch) });
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      conflicts.push({ messageId: 'mpi.unmerge-conflict', params: { resource: `${type}/${id}`, merge: merge.id }, expression: source.expression });
    }
  }
  if (conflicts.length) throw FhirError.of(conflicts, 409);
  const { written, provenance } = await recordChanges(writer, changes, 'unmerge', [{ role: 'source', what: { reference: versionReference(merge) } }]);
  const find = (id: string) => parsed<Patient>(written.find((w) => w.resourceType === 'Patient' && w.id === id) as StoredVersion);
  return {
    source: find(source.id),
    target: find(survivor),
    restored: written.filter((w) => !isPair(w.resourceType, w.id)).map((w) => ({ resourceType: w.resourceType, id: w.id })),
    merge,
    provenance,
  };
}
