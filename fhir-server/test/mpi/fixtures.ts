import type { Patient } from '@medplum/fhirtypes';
import { composeResidentId } from '@qiao/profiles';
import { ID, EXT } from '../../src/seed/systems.js';
import { call } from '../support/http.js';

export const RESIDENT_ID = ID.residentId;

/** A resident as a registration desk records one: GB 11643 number, name, sex, birth date, phone, address division. */
export function resident(parts: {
  family: string;
  given: string;
  gender: 'male' | 'female';
  birthDate: string;
  division?: string;
  /** Three-digit sequence of the resident ID; omitted = no ID on the record. */
  sequence?: string;
  phone?: string;
  healthCard?: string;
}): Patient {
  const identifier = [];
  if (parts.sequence) identifier.push({ system: ID.residentId, value: composeResidentId(parts.division ?? '510102', parts.birthDate, parts.sequence) });
  if (parts.healthCard) identifier.push({ system: ID.healthCard, value: parts.healthCard });
  return {
    resourceType: 'Patient',
    ...(identifier.length ? { identifier } : {}),
    active: true,
    name: [{ text: parts.family + parts.given, family: parts.family, given: [parts.given] }],
    gender: parts.gender,
    birthDate: parts.birthDate,
    ...(parts.phone ? { telecom: [{ system: 'phone' as const, value: parts.phone, use: 'mobile' as const }] } : {}),
    ...(parts.division ? { address: [{ extension: [{ url: EXT.divisionCode, valueCode: parts.division }], text: '四川省成都市' }] } : {}),
  };
}

export async function create(base: string, resource: object): Promise<string> {
  const reply = await call(base, 'POST', (resource as { resourceType: string }).resourceType, resource);
  if (reply.status !== 201) throw new Error(`create failed: ${reply.status} ${reply.text}`);
  return reply.body.id as string;
}

export function parameters(...parameter: object[]): object {
  return { resourceType: 'Parameters', parameter };
}

export function mergeBody(sourceId: string, targetId: string, ...more: object[]): object {
  return parameters(
    { name: 'source-patient', valueReference: { reference: `Patient/${sourceId}` } },
    { name: 'target-patient', valueReference: { reference: `Patient/${targetId}` } },
    ...more,
  );
}
