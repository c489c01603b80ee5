import type { Parameters } from '@medplum/fhirtypes';
import { pseudonymKey, pseudonymOf } from '../../mpi/pseudonym.js';
import { PSEUDONYM_SYSTEM } from '../../mpi/systems.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';

/**
 * `Patient/{id}/$pseudonym` (Qiao): the patient's research pseudonym, an identifier a research
 * export puts in place of the id and every identifying element. A merged record answers with its
 * survivor's pseudonym, so one person has one pseudonym.
 */
export async function pseudonym(ctx: Context, q: Queryable, _req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const key = await pseudonymKey(ctx.db, ctx.config.pseudonymKey);
  const { survivor, pseudonym: value } = await pseudonymOf(q, ctx.repo, key, path.id as string);
  const out: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'pseudonym', valueIdentifier: { use: 'secondary', system: PSEUDONYM_SYSTEM, value } },
      { name: 'patient', valueReference: { reference: `Patient/${survivor}` } },
    ],
  };
  return { status: 200, body: out };
}
