import { randomUUID } from 'node:crypto';
import { composeDocument, compositionType, documentType, fhirToCda, OID, profileOf, validateCda } from '@qiao/cda-adapters';
import { maskedSources } from '../../access/reply.js';
import { FhirError } from '../../errors/fhir-error.js';
import { fromEdgeIssue } from '../../errors/edge-issues.js';
import type { Queryable } from '../../repository/db.js';
import { RawContent, type Context, type FhirRequest, type FhirResponse, type ParsedPath } from '../../router/types.js';
import { searchParamsFor } from '../../search/search-parameters.js';
import { noteTransmission } from './audit.js';
import { withdrawn } from './replacement.js';
import { closure, get, searchAll } from './fhir-io.js';
import { rejectInvalid } from './request.js';
import { cdaCodeChecker } from './code-checker.js';
import { ruleOverrides } from './rule-overrides.js';

type Json = Record<string, unknown>;

const CDA_CONTENT_TYPE = 'application/hl7-cda+xml; charset=utf-8';
/** The resource types the document tables map entries from. */
const CLINICAL_TYPES = ['Condition', 'Observation', 'Procedure', 'MedicationRequest', 'AllergyIntolerance'];

async function render(ctx: Context, q: Queryable, req: FhirRequest, composition: Json, known: Json[]): Promise<FhirResponse> {
  const resources = await closure(ctx, q, req, composition, known);
  const full = fhirToCda(composition, (ref) => (ref ? resources.get(ref) : undefined));
  rejectInvalid(validateCda(full, { overrides: await ruleOverrides(ctx, q, req), codes: await cdaCodeChecker(ctx, q) }));
  // The document as stored data makes it is what was validated; the caller gets it masked as JSON replies are (脱敏).
  const masked = await maskedSources(ctx, req.principal, resources);
  const xml = masked ? fhirToCda(composition, (ref) => (ref ? masked.get(ref) : undefined)) : full;
  return { status: 200, body: new RawContent(CDA_CONTENT_TYPE, xml) };
}

/** `GET [base]/Composition/{id}/$cda`: the shared document of a stored Composition, checked by the validator. */
export async function compositionCda(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const transmission = noteTransmission('cda-generate', [`Composition/${path.id as string}`]);
  const composition = await get(ctx, q, req, `Composition/${path.id as string}`);
  const type = compositionType(composition);
  if (!type) {
    throw generateError('CDA-GEN-003', '该 Composition 的 type 不是共享文档类型代码（urn:oid:2.16.156.10011.2.4）', "the Composition's type is not a shared-document type code (urn:oid:2.16.156.10011.2.4)", 'Composition.type');
  }
  transmission.about(type.code);
  return render(ctx, q, req, composition, []);
}

function generateError(id: string, zh: string, en: string, expression: string): FhirError {
  return FhirError.of([fromEdgeIssue({ severity: 'error', code: 'required', id, zh, en, expression })], 400);
}

/** A parameter from the query or a Parameters body (valueReference, valueCode or valueString). */
function param(req: FhirRequest, name: string): string | undefined {
  const fromQuery = req.query.find(([n]) => n === name)?.[1];
  if (fromQuery) return fromQuery;
  const body = req.body as Json | undefined;
  if (body?.resourceType !== 'Parameters') return undefined;
  const p = ((body.parameter as Json[] | undefined) ?? []).find((x) => x.name === name);
  return ((p?.valueReference as Json | undefined)?.reference as string | undefined) ?? (p?.valueCode as string | undefined) ?? (p?.valueString as string | undefined);
}

/**
 * `POST [base]/$cda-generate` with `patient` or `encounter`, `type` (document code) and optionally
 * `author`, `legalAuthenticator` and `custodian` (else those of the patient's latest document): a shared document of that type over the stored clinical data,
 * placed section by section with the same tables the import uses. Answers 422 with the
 * validator's issues when the stored data cannot make a valid document (a required section empty).
 */
export async function cdaGenerate(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const transmission = noteTransmission('cda-generate');
  const code = param(req, 'type');
  const type = documentType(code);
  if (!type || !profileOf(type.code)) {
    throw generateError('CDA-GEN-001', `不能生成文档类型 ${code ?? ''}：需要已完整映射的类型代码`, `cannot generate document type ${code ?? ''}: a fully mapped type code is required`, 'Parameters.parameter.type');
  }
  transmission.about(type.code);
  const encounterRef = param(req, 'encounter');
  if (encounterRef !== undefined && !/^Encounter\/[A-Za-z0-9\-.]{1,64}$/.test(encounterRef)) {
    throw generateError('CDA-GEN-004', `encounter 参数应为 Encounter/{id}：${encounterRef}`, `the encounter parameter must be Encounter/{id}: ${encounterRef}`, 'Parameters.parameter.encounter');
  }
  const encounter = encounterRef ? await get(ctx, q, req, encounterRef) : undefined;
  const patientRef = param(req, 'patient') ?? ((encounter?.subject as Json | undefined)?.reference as string | undefined);
  if (!patientRef || !/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(patientRef)) {
    throw generateError('CDA-GEN-002', '需要 patient 或 encounter 参数', 'a patient or encounter parameter is required', 'Parameters.parameter.patient');
  }
  transmission.about(undefined, [patientRef, ...(encounterRef ? [encounterRef] : [])]);
  const patient = await get(ctx, q, req, patientRef);
  // An encounter's own resources where the type can be searched by encounter (an AllergyIntolerance cannot: the patient's).
  const filter = (t: string): [string, string][] => (encounterRef && searchParamsFor(t).has('encounter') ? [['encounter', encounterRef]] : [['patient', patientRef]]);
  const resources = (await Promise.all(CLINICAL_TYPES.map((t) => searchAll(ctx, q, req, t, filter(t))))).flat().filter((r) => !withdrawn(r));
  const compositions = await searchAll(ctx, q, req, 'Composition', [['subject', patientRef], ['_sort', '-date']]);
  const [latest] = compositions;
  const author = param(req, 'author') ?? (((latest?.author as Json[] | undefined)?.[0]?.reference as string | undefined) ?? undefined);
  const legal = param(req, 'legalAuthenticator') ?? (((latest?.attester as Json[] | undefined)?.find((a) => a.mode === 'legal')?.party as Json | undefined)?.reference as string | undefined);
  const custodian = param(req, 'custodian') ?? ((latest?.custodian as Json | undefined)?.reference as string | undefined) ?? ((patient.managingOrganization as Json | undefined)?.reference as string | undefined);
  const composition = composeDocument(
    type,
    {
      patient: patientRef,
      ...(encounterRef ? { encounter: encounterRef } : {}),
      ...(author ? { author } : {}),
      ...(legal ? { legalAuthenticator: legal } : {}),
      ...(custodian ? { custodian } : {}),
      documentId: { root: OID.documentId, extension: `QIAO-${randomUUID()}` },
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    },
    resources,
    compositions,
  );
  return render(ctx, q, req, composition, [patient, ...(encounter ? [encounter] : []), ...resources]);
}
