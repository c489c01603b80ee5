import type { Parameters, Patient } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import { informational } from '../../errors/outcome.js';
import { mergePatients } from '../../mpi/merge.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { ParameterReader } from './parameters.js';
import { patientArgument } from './patients.js';
import { interactionWriter } from './writer.js';

/**
 * `Patient/$merge` as R5 defines it (source-patient[-identifier], target-patient[-identifier],
 * result-patient, preview), on R4. Answers R5's output: `input`, `outcome`, `result`; Qiao adds
 * `provenance`, the record of the merge that `$unmerge` undoes.
 */
export async function merge(ctx: Context, q: Queryable, req: FhirRequest, _path: ParsedPath): Promise<FhirResponse> {
  const params = new ParameterReader(req.body);
  const source = await patientArgument(q, params, 'source', req);
  const target = await patientArgument(q, params, 'target', req);
  const resultParam = params.resource<Patient>('result-patient');
  if (resultParam && resultParam.value.resourceType !== 'Patient') {
    throw new FhirError('mpi.parameter-type', { name: 'result-patient', type: 'Patient' }, `${resultParam.expression}.resourceType`);
  }
  const preview = params.boolean('preview', false);
  const result = await mergePatients(q, ctx.repo, interactionWriter(ctx, q, req), {
    source,
    target,
    preview,
    ...(resultParam ? { result: { patient: resultParam.value, expression: resultParam.expression } } : {}),
  });
  const moved = result.moved.length;
  const text = preview
    ? `预览：合并将把 ${moved} 个资源的引用从 Patient/${source.id} 转到 Patient/${target.id}，未写入任何数据 | Preview: the merge would move the references of ${moved} resources from Patient/${source.id} to Patient/${target.id}; nothing was written`
    : `已将 Patient/${source.id} 合并到 Patient/${target.id}，${moved} 个资源的引用已转移 | Merged Patient/${source.id} into Patient/${target.id}; references in ${moved} resources moved`;
  const out: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'input', resource: params.parameters },
      { name: 'outcome', resource: informational(text) },
      { name: 'result', resource: result.target },
      ...(result.provenance ? [{ name: 'provenance', valueReference: { reference: `Provenance/${result.provenance.id}` } }] : []),
    ],
  };
  return { status: 200, body: out };
}
