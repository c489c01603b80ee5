import type { Parameters } from '@medplum/fhirtypes';
import { informational } from '../../errors/outcome.js';
import { unmergePatient } from '../../mpi/unmerge.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { ParameterReader } from './parameters.js';
import { patientArgument } from './patients.js';
import { interactionWriter } from './writer.js';

/**
 * `Patient/$unmerge` (Qiao): undoes the latest merge of `source-patient` (a reference or
 * `source-patient-identifier`s) from the Provenance that recorded it.
 */
export async function unmerge(ctx: Context, q: Queryable, req: FhirRequest, _path: ParsedPath): Promise<FhirResponse> {
  const params = new ParameterReader(req.body);
  const source = await patientArgument(q, params, 'source', req);
  const result = await unmergePatient(q, ctx.repo, interactionWriter(ctx, q, req), source, req.baseUrl);
  const n = result.restored.length;
  const out: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      {
        name: 'outcome',
        resource: informational(
          `已撤销合并 Provenance/${result.merge.id}：Patient/${source.id} 恢复为有效，${n} 个资源的引用已转回 | Undid merge Provenance/${result.merge.id}: Patient/${source.id} is active again; references in ${n} resources moved back`,
        ),
      },
      { name: 'source', resource: result.source },
      { name: 'target', resource: result.target },
      { name: 'provenance', valueReference: { reference: `Provenance/${result.provenance.id}` } },
    ],
  };
  return { status: 200, body: out };
}
