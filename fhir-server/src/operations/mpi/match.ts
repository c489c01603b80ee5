import type { Bundle, BundleEntry, Patient, Resource } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import { informational } from '../../errors/outcome.js';
import { explain, matchPatients } from '../../mpi/match.js';
import { MATCH_EVIDENCE, MATCH_GRADE } from '../../mpi/systems.js';
import { DEFAULT_COUNT } from '../../mpi/weights.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { ParameterReader } from './parameters.js';

const MAX_COUNT = 100;

function hasCriteria(p: Patient): boolean {
  return Boolean(p.identifier?.some((i) => i.system && i.value) || p.name?.length || p.birthDate || p.telecom?.some((t) => t.value));
}

/** `Patient/$match` (R4 OperationDefinition Patient-match): a searchset of graded, scored candidates. */
export async function match(_ctx: Context, q: Queryable, req: FhirRequest, _path: ParsedPath): Promise<FhirResponse> {
  const params = new ParameterReader(req.body);
  const resource = params.resource<Resource>('resource');
  if (!resource) throw new FhirError('mpi.parameter-missing', { name: 'resource' }, ParameterReader.missing('resource'));
  if (resource.value.resourceType !== 'Patient') {
    throw new FhirError('mpi.match-resource-type', { type: String(resource.value.resourceType ?? '') }, `${resource.expression}.resourceType`);
  }
  const query = resource.value as Patient;
  if (!hasCriteria(query)) throw new FhirError('mpi.match-no-criteria', {}, resource.expression);
  const onlyCertainMatches = params.boolean('onlyCertainMatches', false);
  const countParam = params.integer('count');
  let count = DEFAULT_COUNT;
  if (countParam) {
    if (!Number.isInteger(countParam.value) || (countParam.value as number) < 1) throw new FhirError('mpi.count-invalid', { value: String(countParam.value) }, countParam.expression);
    count = Math.min(countParam.value as number, MAX_COUNT);
  }

  const result = await matchPatients(q, query, { onlyCertainMatches, count, baseUrl: req.baseUrl });
  const entry: BundleEntry[] = result.matches.map((m) => ({
    fullUrl: `${req.baseUrl}/Patient/${m.patient.id as string}`,
    resource: m.patient,
    search: {
      mode: 'match',
      score: m.score,
      extension: [
        { url: MATCH_GRADE, valueCode: m.grade },
        { url: MATCH_EVIDENCE, valueString: explain(m.evidence) },
      ],
    },
  }));
  if (result.ambiguous) {
    entry.push({
      resource: informational(`有 ${result.ambiguous} 条记录均为确定匹配，按 onlyCertainMatches 不返回 | ${result.ambiguous} records are certain matches; with onlyCertainMatches none is returned`, 'multiple-matches'),
      search: { mode: 'outcome' },
    });
  }
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: result.matches.length, entry };
  return { status: 200, body: bundle };
}
