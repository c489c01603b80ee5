import type { Bundle, Condition, Parameters } from '@medplum/fhirtypes';
import { fromEdgeIssue } from '../../errors/edge-issues.js';
import { FhirError } from '../../errors/fhir-error.js';
import { informational, toOperationOutcome } from '../../errors/outcome.js';
import { cardsCsv, CARD_COLUMNS, registryCards } from '../../registries/cancer/card.js';
import { registryKpis, kpiParameters, TIMELY_DAYS } from '../../registries/cancer/kpi.js';
import { CANCER } from '../../registries/cancer/model.js';
import { checkCase } from '../../registries/cancer/submit.js';
import { followUpForms } from '../../registries/chronic/forms.js';
import { RawContent, type FhirRequest } from '../../router/types.js';
import type { OperationEntry } from '../registry.js';

const BASE = 'https://qiao.health/fhir/OperationDefinition/';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function param(req: FhirRequest, name: string, pattern?: RegExp): string | undefined {
  const fromQuery = req.query.find(([n]) => n === name)?.[1];
  const body = req.body as Parameters | undefined;
  const fromBody = body?.resourceType === 'Parameters' ? body.parameter?.find((p) => p.name === name) : undefined;
  const value = fromQuery ?? fromBody?.valueString ?? fromBody?.valueDate ?? fromBody?.valueCode ?? (fromBody?.valueInteger !== undefined ? String(fromBody.valueInteger) : undefined);
  if (value !== undefined && pattern && !pattern.test(value)) throw new FhirError('registry.param-invalid', { name, value }, name);
  return value;
}

/** The case a `$registry-check` runs on: the body itself, or the `resource` part of a Parameters body. */
function caseOf(req: FhirRequest): Condition {
  const body = req.body as Condition | Parameters | undefined;
  const resource = body?.resourceType === 'Parameters' ? body.parameter?.find((p) => p.name === 'resource')?.resource : body;
  if (resource?.resourceType !== 'Condition') throw new FhirError('registry.param-invalid', { name: 'resource', value: resource?.resourceType ?? '-' }, 'resource');
  return resource as Condition;
}

/** The registries' operations (docs/registries.md): rules without storing, registration cards, KPIs, the follow-up forms. */
export const REGISTRY_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'registry-check',
    definition: `${BASE}Condition-registry-check`,
    levels: ['type'],
    types: ['Condition'],
    affectsState: false,
    ownTransactions: false,
    async handler(ctx, q, req) {
      const { evaluation } = await checkCase(ctx, q, structuredClone(caseOf(req)), req.principal);
      const body = evaluation.issues.length
        ? toOperationOutcome(evaluation.issues.map(fromEdgeIssue))
        : informational('所有质控规则均已通过 | Every quality rule passed');
      return { status: 200, body };
    },
  },
  {
    code: 'registry-card',
    definition: `${BASE}Condition-registry-card`,
    levels: ['type', 'instance'],
    types: ['Condition'],
    affectsState: false,
    ownTransactions: false,
    async handler(ctx, q, req, path) {
      const format = param(req, 'format', /^(csv|json)$/) ?? 'json';
      param(req, 'from', DATE);
      param(req, 'to', DATE);
      const cards = await registryCards(ctx, q, req, path.id);
      if (format === 'csv') return { status: 200, body: new RawContent('text/csv; charset=utf-8', cardsCsv(cards)) };
      return { status: 200, body: new RawContent('application/json; charset=utf-8', JSON.stringify({ columns: CARD_COLUMNS, cards })) };
    },
  },
  {
    code: 'registry-kpi',
    definition: `${BASE}Condition-registry-kpi`,
    levels: ['type'],
    types: ['Condition'],
    affectsState: false,
    ownTransactions: false,
    async handler(ctx, q, req) {
      const timely = Number(param(req, 'timelyDays', /^\d{1,4}$/) ?? TIMELY_DAYS);
      const kpis = await registryKpis(q, CANCER, param(req, 'from', DATE), param(req, 'to', DATE), timely);
      return { status: 200, body: kpiParameters(kpis, timely) };
    },
  },
  {
    code: 'registry-forms',
    definition: `${BASE}Questionnaire-registry-forms`,
    levels: ['type'],
    types: ['Questionnaire'],
    affectsState: false,
    ownTransactions: false,
    async handler() {
      const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [...followUpForms().values()].map((f) => ({ fullUrl: f.questionnaire.url as string, resource: f.questionnaire })) };
      return { status: 200, body: bundle };
    },
  },
];
