import type { Parameters } from '@medplum/fhirtypes';
import { informational } from '../../errors/outcome.js';
import { setSeeAlso } from '../../mpi/link.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { ParameterReader } from './parameters.js';
import { patientArgument } from './patients.js';
import { interactionWriter } from './writer.js';

/** `Patient/$link` and `Patient/$unlink` (Qiao): seealso links between two records, named as $merge names them. */
function seeAlso(linked: boolean) {
  return async (ctx: Context, q: Queryable, req: FhirRequest, _path: ParsedPath): Promise<FhirResponse> => {
    const params = new ParameterReader(req.body);
    const a = await patientArgument(q, params, 'source', req);
    const b = await patientArgument(q, params, 'target', req);
    const result = await setSeeAlso(q, ctx.repo, interactionWriter(ctx, q, req), a, b, linked);
    const pair = `Patient/${a.id} ↔ Patient/${b.id}`;
    const text = !result.provenance
      ? `${pair} 无需更改 | ${pair}: nothing to change`
      : linked
        ? `已关联 ${pair} | Linked ${pair}`
        : `已取消关联 ${pair} | Unlinked ${pair}`;
    const out: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'outcome', resource: informational(text) },
        { name: 'source', resource: result.patients[0] },
        { name: 'target', resource: result.patients[1] },
        ...(result.provenance ? [{ name: 'provenance', valueReference: { reference: `Provenance/${result.provenance.id}` } }] : []),
      ],
    };
    return { status: 200, body: out };
  };
}

export const link = seeAlso(true);
export const unlink = seeAlso(false);
