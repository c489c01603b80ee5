import type { Identifier } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import type { PatientArgument } from '../../mpi/merge.js';
import { patientIdOf } from '../../mpi/links.js';
import type { Queryable } from '../../repository/db.js';
import { firstMatchesOfEach } from '../../search/execute.js';
import { parseSearch } from '../../search/parse.js';
import type { FhirRequest } from '../../router/types.js';
import { ParameterReader } from './parameters.js';

function escaped(value: string): string {
  return value.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/** The patient that carries every one of `identifiers` (R5 `source-patient-identifier`). */
async function byIdentifiers(q: Queryable, identifiers: Identifier[], req: FhirRequest): Promise<string | undefined> {
  const search = parseSearch('Patient', identifiers.map((i) => ['identifier', `${escaped(i.system as string)}|${escaped(i.value as string)}`]), { baseUrl: req.baseUrl });
  const [found] = await firstMatchesOfEach(q, [search], 2);
  const described = identifiers.map((i) => `${i.system}|${i.value}`).join(', ');
  if (!found?.length) throw new FhirError('mpi.identifier-none', { identifier: described });
  if (found.length > 1) throw new FhirError('mpi.identifier-multiple', { identifier: described, count: found.length });
  return found[0]?.id;
}

/**
 * The patient a `{role}-patient` reference and/or `{role}-patient-identifier`s name, as in R5
 * `$merge`: a reference to this server (relative or under its base), identifiers that must all be
 * on one patient, and when both are given they must agree.
 */
export async function patientArgument(q: Queryable, params: ParameterReader, role: 'source' | 'target', req: FhirRequest): Promise<PatientArgument> {
  const name = `${role}-patient`;
  const reference = params.reference(name);
  const identifiers = params.identifiers(`${name}-identifier`);
  let id: string | undefined;
  if (reference) {
    const local = reference.value.startsWith(`${req.baseUrl}/`) ? reference.value.slice(req.baseUrl.length + 1) : reference.value;
    id = patientIdOf(local);
    if (!id || local.includes('/_history/')) throw new FhirError('mpi.patient-reference', { name, reference: reference.value }, reference.expression);
  }
  if (identifiers.length) {
    const expression = (identifiers[0] as { expression: string }).expression;
    let found: string | undefined;
    try {
      found = await byIdentifiers(q, identifiers.map((i) => i.value), req);
    } catch (error) {
      if (error instanceof FhirError) throw new FhirError({ ...(error.issues[0] as FhirError['issues'][number]), expression });
      throw error;
    }
    if (id && found !== id) throw new FhirError('mpi.identifier-mismatch', { name, id }, expression);
    return { id: found as string, expression };
  }
  if (!id || !reference) throw new FhirError('mpi.parameter-missing', { name }, ParameterReader.missing(name));
  return { id, expression: reference.expression };
}
