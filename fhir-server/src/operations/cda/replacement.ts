import { escapeToken } from '@qiao/cda-adapters';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { get, searchAll } from './fhir-io.js';

type Json = Record<string, unknown>;

/**
 * How a resource a replaced document contributed is withdrawn: FHIR has no "superseded" for
 * clinical data, and a replacement (relatedDocument RPLC) says the old content no longer stands,
 * so it becomes entered-in-error — kept, with its history, but out of every current view (a
 * Condition or AllergyIntolerance so marked must carry no clinicalStatus: con-5, ait-2). The
 * replacement's own resources are what is current now.
 */
const WITHDRAWN: Readonly<Record<string, (r: Json) => Json>> = {
  Condition: ({ clinicalStatus: _, ...r }) => ({ ...r, verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' }] } }),
  AllergyIntolerance: ({ clinicalStatus: _, ...r }) => ({ ...r, verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'entered-in-error' }] } }),
  Observation: (r) => ({ ...r, status: 'entered-in-error' }),
  DiagnosticReport: (r) => ({ ...r, status: 'entered-in-error' }),
  Procedure: (r) => ({ ...r, status: 'entered-in-error' }),
  MedicationRequest: (r) => ({ ...r, status: 'entered-in-error' }),
  Media: (r) => ({ ...r, status: 'entered-in-error' }),
};

/** Whether a stored resource was withdrawn (by a replacement, or by hand): not current data. */
export function withdrawn(r: Json): boolean {
  const verification = ((r.verificationStatus as Json | undefined)?.coding as Json[] | undefined) ?? [];
  return r.status === 'entered-in-error' || verification.some((c) => c.code === 'entered-in-error');
}

/** An update of the transaction, made only if the resource is still the version read. */
const put = (resource: Json): Json => ({
  resource,
  request: { method: 'PUT', url: `${String(resource.resourceType)}/${String(resource.id)}`, ifMatch: `W/"${String((resource.meta as Json | undefined)?.versionId ?? '')}"` },
});

/**
 * What registering a replacement changes besides storing it: the replaced document's registration
 * marked superseded, and the clinical resources its Composition placed (with the report over them)
 * withdrawn, all in the replacement's transaction; the If-Match makes a concurrent change fail the
 * import rather than be overwritten. Nothing when that document was never registered here or is
 * already superseded.
 */
export async function supersede(ctx: Context, q: Queryable, req: FhirRequest, replaces: { root: string; extension?: string } | undefined): Promise<{ updates: Json[]; reference: string } | undefined> {
  if (!replaces?.extension) return undefined;
  const [previous] = await searchAll(ctx, q, req, 'DocumentReference', [['identifier', `${escapeToken(`urn:oid:${replaces.root}`)}|${escapeToken(replaces.extension)}`]]);
  if (!previous || previous.status === 'superseded') return undefined;
  const reference = `DocumentReference/${String(previous.id)}`;
  const related = ((previous.context as Json | undefined)?.related as Json[] | undefined) ?? [];
  const contributed = (await Promise.all(related.map((r) => placedBy(ctx, q, req, r.reference as string | undefined)))).flat();
  const results = contributed.filter((r) => r.resourceType === 'Observation').map((r) => `Observation/${String(r.id)}`);
  const reports = results.length ? await searchAll(ctx, q, req, 'DiagnosticReport', [['result', results.join(',')]]) : [];
  const withdrawals = [...contributed, ...reports].flatMap((r) => {
    const withdraw = WITHDRAWN[String(r.resourceType)];
    return withdraw && !withdrawn(r) ? [put(withdraw(r))] : [];
  });
  return { updates: [put({ ...previous, status: 'superseded' }), ...withdrawals], reference };
}

/** The resources a stored Composition's sections (and their subsections) reference. */
async function placedBy(ctx: Context, q: Queryable, req: FhirRequest, composition: string | undefined): Promise<Json[]> {
  if (!composition?.startsWith('Composition/')) return [];
  const refs = new Set<string>();
  const walk = (sections: Json[] | undefined): void => {
    for (const s of sections ?? []) {
      for (const e of (s.entry as Json[] | undefined) ?? []) if (typeof e.reference === 'string') refs.add(e.reference);
      walk(s.section as Json[] | undefined);
    }
  };
  walk((await get(ctx, q, req, composition).catch(() => ({}) as Json)).section as Json[] | undefined);
  const found = await Promise.all([...refs].map((ref) => get(ctx, q, req, ref).catch(() => undefined)));
  return found.filter((r): r is Json => !!r?.id && r.resourceType !== 'OperationOutcome');
}
