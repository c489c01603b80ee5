import type { Bundle, CodeableConcept, MedicationRequest, ServiceRequest } from '@medplum/fhirtypes';
import type { Principal } from '../auth/principal.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Context, FhirRequest } from '../router/types.js';
import { duplicateCard, type Card } from './cards.js';
import { earlierResults } from './earlier.js';
import { ruleFor, type Code, type OrderKind } from './rules.js';
import { CDS_SERVICES, type CdsService } from './services.js';

interface HookRequest {
  hook?: unknown;
  hookInstance?: unknown;
  context?: { patientId?: unknown; draftOrders?: Bundle; selections?: unknown };
}

const LAB = new Set(['108252007', 'laboratory', 'LAB']);
const ORDER_TYPES = new Set(['ServiceRequest', 'MedicationRequest']);

function invalid(detail: string, expression: string): FhirError {
  return new FhirError('cds.request-invalid', { detail }, expression);
}

export function findService(id: string): CdsService {
  const service = CDS_SERVICES.find((s) => s.id === id);
  if (!service) throw new FhirError('cds.service-unknown', { id });
  return service;
}

function codesOf(concept: CodeableConcept | undefined): Code[] {
  return (concept?.coding ?? []).filter((c) => c.system && c.code).map((c) => ({ system: c.system as string, code: c.code as string }));
}

/** What a draft order asks for: its kind (a lab test, an exam, a drug) and codes. */
function orderOf(resource: ServiceRequest | MedicationRequest): { kind: OrderKind; codes: Code[]; names: { zh: string; en: string } } {
  if (resource.resourceType === 'MedicationRequest') {
    const concept = resource.medicationCodeableConcept;
    const name = concept?.text ?? concept?.coding?.[0]?.display ?? '该药品';
    return { kind: 'drug', codes: codesOf(concept), names: { zh: name, en: concept?.coding?.[0]?.display ?? name } };
  }
  const lab = (resource.category ?? []).some((c) => (c.coding ?? []).some((x) => LAB.has(x.code ?? '')));
  const name = resource.code?.text ?? resource.code?.coding?.[0]?.display ?? '该项目';
  return { kind: lab ? 'lab' : 'exam', codes: codesOf(resource.code), names: { zh: name, en: resource.code?.coding?.[0]?.display ?? name } };
}

/** Checks the request's shape (hook, hookInstance, context.patientId, context.draftOrders) and picks the orders to judge. */
function ordersToCheck(service: CdsService, body: HookRequest): { patientId: string; orders: (ServiceRequest | MedicationRequest)[] } {
  if (typeof body !== 'object' || body === null) throw invalid('请求体必须是 JSON 对象 | the body must be a JSON object', '$');
  if (body.hook !== service.hook) throw invalid(`hook 必须是 ${service.hook} | hook must be ${service.hook}`, 'hook');
  if (typeof body.hookInstance !== 'string' || !body.hookInstance) throw invalid('缺少 hookInstance | hookInstance is missing', 'hookInstance');
  const context = body.context;
  const patientId = context?.patientId;
  if (typeof patientId !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(patientId)) throw invalid('context.patientId 缺失或无效 | context.patientId is missing or invalid', 'context.patientId');
  const draft = context?.draftOrders;
  if (draft?.resourceType !== 'Bundle' || !Array.isArray(draft.entry)) throw invalid('context.draftOrders 必须是 Bundle | context.draftOrders must be a Bundle', 'context.draftOrders');
  const orders = draft.entry.map((e) => e.resource).filter((r): r is ServiceRequest | MedicationRequest => !!r && ORDER_TYPES.has(r.resourceType));
  if (service.hook === 'order-sign') return { patientId, orders };
  const selections = context?.selections;
  if (!Array.isArray(selections) || selections.some((s) => typeof s !== 'string')) throw invalid('order-select 需要 context.selections（字符串数组） | order-select needs context.selections (an array of strings)', 'context.selections');
  return { patientId, orders: orders.filter((o) => selections.includes(`${o.resourceType}/${o.id}`)) };
}

/**
 * Answers a hook call: for each draft order to judge, the earlier results of the same test, exam
 * or drug within its window at any institution, as one card per order.
 */
export async function answerHook(ctx: Context, serviceId: string, body: unknown, principal: Principal, fhirBase: string, now = new Date()): Promise<{ cards: Card[] }> {
  const service = findService(serviceId);
  const { patientId, orders } = ordersToCheck(service, body as HookRequest);
  const req: FhirRequest = { method: 'GET', path: '', query: [], prefer: {}, baseUrl: fhirBase, principal };
  const drafts = new Set(orders.map((o) => `${o.resourceType}/${o.id}`));
  const cards: Card[] = [];
  for (const order of orders) {
    const { kind, codes, names } = orderOf(order);
    if (codes.length === 0) continue;
    const rule = ruleFor(kind, codes, names);
    const earlier = await earlierResults(ctx, ctx.db, req, patientId, rule, now, drafts);
    if (earlier.length) cards.push(duplicateCard(rule, order.id ? `${order.resourceType}/${order.id}` : undefined, earlier, fhirBase));
  }
  return { cards };
}

