import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import { pseudonymKey, pseudonymOf } from '../../mpi/pseudonym.js';
import { PSEUDONYM_SYSTEM } from '../../mpi/systems.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { ParameterReader } from './parameters.js';

/** Patients one type-level call may ask for: a cohort is exported in pages of this size. */
const MAX_PATIENTS = 1000;

/**
 * `Patient/{id}/$pseudonym` (Qiao): the patient's research pseudonym, an identifier a research
 * export puts in place of the id and every identifying element. A merged record answers with its
 * survivor's pseudonym, so one person has one pseudonym. At type level, `patient` (ids,
 * comma-separated or repeated, up to 1,000) answers one `pseudonym` part per patient.
 */
export async function pseudonym(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const key = await pseudonymKey(ctx.db, ctx.config.pseudonymKey);
  const one = async (id: string): Promise<ParametersParameter[]> => {
    const { survivor, pseudonym: value } = await pseudonymOf(q, ctx.repo, key, id);
    return [
      { name: 'pseudonym', valueIdentifier: { use: 'secondary', system: PSEUDONYM_SYSTEM, value } },
      { name: 'patient', valueReference: { reference: `Patient/${survivor}` } },
    ];
  };
  if (path.id) return { status: 200, body: { resourceType: 'Parameters', parameter: await one(path.id) } };

  const ids = [...new Set(req.query.filter(([name]) => name === 'patient').flatMap(([, value]) => value.split(',')).map((v) => v.trim()).filter(Boolean))];
  if (ids.length === 0) throw new FhirError('mpi.parameter-missing', { name: 'patient' }, ParameterReader.missing('patient'));
  if (ids.length > MAX_PATIENTS) throw new FhirError('mpi.too-many-patients', { limit: MAX_PATIENTS, count: ids.length }, ParameterReader.missing('patient'));
  const parameter: ParametersParameter[] = [];
  for (const id of ids) {
    try {
      parameter.push({ name: 'pseudonym', part: [{ name: 'id', valueString: id }, ...(await one(id))] });
    } catch (error) {
      if (error instanceof FhirError && (error.status === 404 || error.status === 410)) throw new FhirError('mpi.patient-not-found', { id }, ParameterReader.missing('patient'));
      throw error;
    }
  }
  const out: Parameters = { resourceType: 'Parameters', parameter };
  return { status: 200, body: out };
}
