import { randomUUID } from 'node:crypto';
import type { DocumentReference, Organization, ServiceRequest, Task } from '@medplum/fhirtypes';
import { composeDocument, DOCUMENT_TYPE_SYSTEM, documentType, fhirToCda, OID, validateCda } from '@qiao/cda-adapters';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { noteTransmission } from '../cda/audit.js';
import { cdaCodeChecker } from '../cda/code-checker.js';
import { closure, searchAll } from '../cda/fhir-io.js';
import { rejectInvalid } from '../cda/request.js';
import { ruleOverrides } from '../cda/rule-overrides.js';
import { REFERRAL_CODE, SNOMED } from '../../workflows/referral/vocabulary.js';
import { etag, run } from './io.js';

type Json = Record<string, unknown>;

/** WS/T 483 part 20, 转诊(院)记录. */
const REFERRAL_RECORD = 'EHR-SD-20';
const CDA_MEDIA = 'application/hl7-cda+xml';
const DE_SYSTEM = `urn:oid:${OID.dataElements}`;

/** A data element of the document that lives on the referral itself (its reason, where it goes), as the mapping tables read it. */
function element(id: string, patient: string, code: string, display: string, text: string): Json {
  return { resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: DE_SYSTEM, code, display }] }, subject: { reference: patient }, valueString: text };
}

/**
 * `POST [base]/ServiceRequest/{id}/$referral-document`: the referral's 转诊(院)记录 (WS/T 483 part
 * 20) made by the CDA adapter from the referral — reason (DE01.00.018.00), receiving institution
 * (DE08.10.013.00) and the diagnoses it carries — checked by the CDA validator, stored as a Binary
 * with a DocumentReference, and added to the referral's supportingInfo so that it travels with the
 * patient. Answers the DocumentReference (201).
 */
export async function referralDocument(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const requestRef = `ServiceRequest/${path.id as string}`;
  // Noted first, so a generation that fails (a referral not found, a document the validator refuses) is logged too.
  const transmission = noteTransmission('cda-generate', [requestRef]);
  const request = (await run<ServiceRequest>(ctx, q, req, 'GET', requestRef)).resource;
  const patient = request.subject.reference as string;
  const [task] = (await searchAll(ctx, q, req, 'Task', [['based-on', requestRef], ['code', `${SNOMED}|${REFERRAL_CODE}`]])) as unknown as Task[];
  const receiverRef = request.performer?.find((p) => p.reference?.startsWith('Organization/'))?.reference;
  const receiver = receiverRef ? ((await run<Organization>(ctx, q, req, 'GET', receiverRef)).resource) : undefined;
  const reason = [request.reasonCode?.map((c) => c.text ?? c.coding?.[0]?.display).join('；'), request.note?.map((n) => n.text).join('；')].filter(Boolean).join('。') || '转诊';
  const diagnoses = [];
  for (const info of request.supportingInfo ?? []) {
    if (info.reference?.startsWith('Condition/')) diagnoses.push((await run(ctx, q, req, 'GET', info.reference)).resource);
  }
  const elements = [
    element('referral-reason', patient, 'DE01.00.018.00', '转诊原因', reason),
    ...(receiver?.name ? [element('referral-receiver', patient, 'DE08.10.013.00', '转入医疗机构名称', receiver.name)] : []),
  ];
  const type = documentType(REFERRAL_RECORD);
  if (!type) throw new Error(`the CDA adapter does not know ${REFERRAL_RECORD}`);
  transmission.about(type.code, [patient]);
  const author = request.requester?.reference;
  const custodian = task?.requester?.reference;
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const composition = composeDocument(
    type,
    { patient, ...(author ? { author, legalAuthenticator: author } : {}), ...(custodian ? { custodian } : {}), documentId: { root: OID.documentId, extension: `QIAO-REF-${randomUUID()}` }, date },
    [...elements, ...diagnoses],
  );
  const resources = await closure(ctx, q, req, composition, [...elements, ...diagnoses]);
  const xml = fhirToCda(composition, (ref) => (ref ? resources.get(ref) : undefined));
  rejectInvalid(validateCda(xml, { overrides: await ruleOverrides(ctx, q, req), codes: await cdaCodeChecker(ctx, q) }));
  const binary = await run(ctx, q, req, 'POST', 'Binary', { resourceType: 'Binary', contentType: CDA_MEDIA, data: Buffer.from(xml, 'utf8').toString('base64') });
  const reference: DocumentReference = {
    resourceType: 'DocumentReference',
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: DOCUMENT_TYPE_SYSTEM, code: REFERRAL_RECORD, display: type.title }, { system: 'http://loinc.org', code: '57133-1', display: 'Referral note' }] },
    subject: { reference: patient },
    date: new Date().toISOString(),
    ...(author ? { author: [{ reference: author }] } : {}),
    ...(custodian ? { custodian: { reference: custodian } } : {}),
    description: `${type.title} | Referral record (WS/T 483.20)`,
    content: [{ attachment: { contentType: CDA_MEDIA, url: `Binary/${String(binary.resource.id)}`, title: type.title, creation: date } }],
    context: { related: [{ reference: requestRef }] },
  };
  const stored = await run(ctx, q, req, 'POST', 'DocumentReference', reference);
  const documentRef = `DocumentReference/${String(stored.resource.id)}`;
  await run(ctx, q, req, 'PUT', requestRef, { ...request, supportingInfo: [...(request.supportingInfo ?? []), { reference: documentRef }] } as ServiceRequest, etag(request));
  return stored.res;
}
