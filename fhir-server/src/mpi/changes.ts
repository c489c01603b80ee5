import type { Provenance, ProvenanceEntity, Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import type { StoredVersion } from '../repository/stored.js';
import { LIFECYCLE, UNDO_PATCH } from './systems.js';
import { undoPatch, type PatchOperation } from './undo-patch.js';

/**
 * How the index writes: through the server's ordinary interactions (validation, reference
 * localisation, versioning), inside the caller's transaction. The operation adapter supplies it.
 */
export interface ResourceWriter {
  /** Writes a new version of an existing resource, refusing if its current version is not `ifMatch`. */
  update(resource: Resource, ifMatch: string): Promise<StoredVersion>;
  create(resource: Resource): Promise<StoredVersion>;
}

/** One resource to change: the version read (and locked), and what it becomes. */
export interface Change {
  before: StoredVersion;
  after: Resource;
}

export type Activity = 'merge' | 'unmerge' | 'link' | 'unlink';

const ACTIVITY_TEXT: Record<Activity, string> = {
  merge: '合并重复患者 | Merge of duplicate patients',
  unmerge: '撤销患者合并 | Undo of a patient merge',
  link: '关联可能为同一人的患者记录 | Link of records that may be the same person',
  unlink: '取消患者记录关联 | Unlink of patient records',
};

export function parsed<T extends Resource = Resource>(stored: StoredVersion): T {
  return JSON.parse(stored.json as string) as T;
}

export function versionReference(stored: StoredVersion): string {
  return `${stored.resourceType}/${stored.id}/_history/${stored.versionId}`;
}

export interface Recorded {
  written: StoredVersion[];
  provenance: StoredVersion;
}

/** A refused write (a stored resource that no longer validates, say) says which resource the index was rewriting. */
async function explained<T>(write: Promise<T>, resource: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (!(error instanceof FhirError)) throw error;
    throw FhirError.of([{ messageId: 'mpi.write-refused', params: { resource } }, ...error.issues]);
  }
}

/**
 * Writes every change and one Provenance that lists them: each new version as a `target`, each
 * version it replaced as an `entity` (role revision) carrying the guarded JSON Patch that undoes
 * the change. Nothing is deleted; the history keeps every version.
 */
export async function recordChanges(writer: ResourceWriter, changes: readonly Change[], activity: Activity, extraEntities: ProvenanceEntity[] = []): Promise<Recorded> {
  const written: StoredVersion[] = [];
  const entities: ProvenanceEntity[] = [];
  for (const change of changes) {
    const before = parsed(change.before);
    written.push(await explained(writer.update(change.after, change.before.versionId), `${change.before.resourceType}/${change.before.id}`));
    const patch = undoPatch(before, change.after);
    entities.push({
      role: 'revision',
      what: { reference: versionReference(change.before) },
      extension: [{ url: UNDO_PATCH, valueAttachment: { contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(patch)).toString('base64') } }],
    });
  }
  const provenance: Provenance = {
    resourceType: 'Provenance',
    meta: { tag: [{ system: LIFECYCLE, code: activity }] },
    target: written.map((w) => ({ reference: versionReference(w) })),
    recorded: new Date().toISOString(),
    activity: { coding: [{ system: LIFECYCLE, code: activity }], text: ACTIVITY_TEXT[activity] },
    agent: [{ who: { display: 'Qiao 患者主索引 | Qiao master patient index' } }],
    entity: [...entities, ...extraEntities],
  };
  return { written, provenance: await writer.create(provenance) };
}

/** The undo patch an entity of a merge Provenance carries, by the versioned reference it names. */
export function undoPatches(provenance: Provenance): Map<string, PatchOperation[]> {
  const patches = new Map<string, PatchOperation[]>();
  for (const entity of provenance.entity ?? []) {
    const data = entity.extension?.find((e) => e.url === UNDO_PATCH)?.valueAttachment?.data;
    const reference = entity.what.reference;
    if (data && reference) patches.set(reference, JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as PatchOperation[]);
  }
  return patches;
}
