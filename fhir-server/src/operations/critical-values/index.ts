import type { Parameters } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import { acknowledge } from '../../workflows/critical-values/acknowledge.js';
import { asServer } from '../../workflows/critical-values/fhir-calls.js';
import { isSigned, publishCritical, type CriticalResult } from '../../workflows/critical-values/publish.js';
import { criticalValueStats } from '../../workflows/critical-values/stats.js';
import type { OperationEntry } from '../registry.js';
import { dateParameter, periodParameter, referenceParameter, spreadParts, textParameter } from './params.js';

const BASE = 'https://qiao.health/fhir/OperationDefinition';

/** Critical values (危急值): publish a result by hand, acknowledge an alert, acknowledgement times per site. */
export const CRITICAL_VALUE_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'publish-critical',
    definition: `${BASE}/publish-critical`,
    levels: ['instance'],
    types: ['Observation', 'DiagnosticReport'],
    affectsState: true,
    ownTransactions: false,
    async handler(ctx, q, req, path) {
      const ref = `${path.type as string}/${path.id as string}`;
      const result = JSON.parse((await ctx.repo.read(q, path.type as string, path.id as string)).json as string) as CriticalResult;
      if (!isSigned(result)) throw new FhirError('critical.not-critical', { ref }, `${result.resourceType}.status`);
      const contact = textParameter(req, 'contact');
      const outcome = await publishCritical(ctx, q, asServer(req.baseUrl), result, req.principal, contact ? { contact } : {});
      if (typeof outcome === 'string') throw new FhirError('critical.no-order', { ref }, `${result.resourceType}.basedOn`);
      const out: Parameters = {
        resourceType: 'Parameters',
        parameter: [{ name: 'alert', resource: outcome.alert }, { name: 'flag', resource: outcome.flag }, ...outcome.tasks.map((t) => ({ name: 'task', resource: t }))],
      };
      return { status: 200, body: out };
    },
  },
  {
    code: 'acknowledge',
    definition: `${BASE}/Communication-acknowledge`,
    levels: ['instance'],
    types: ['Communication'],
    affectsState: true,
    ownTransactions: false,
    async handler(ctx, q, req, path) {
      const contact = textParameter(req, 'contact');
      if (!contact) throw new FhirError('critical.contact-missing', {}, "Parameters.parameter.where(name = 'contact')");
      const receiver = referenceParameter(req, 'receiver', 'Practitioner');
      const note = textParameter(req, 'note');
      const { alert, receipt } = await acknowledge(ctx, q, asServer(req.baseUrl), path.id as string, req.principal, { contact, ...(receiver ? { receiver } : {}), ...(note ? { note } : {}) });
      const out: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'alert', resource: alert }, { name: 'receipt', resource: receipt }] };
      return { status: 200, body: out };
    },
  },
  {
    code: 'critical-value-stats',
    definition: `${BASE}/Communication-critical-value-stats`,
    levels: ['type'],
    types: ['Communication'],
    affectsState: false,
    ownTransactions: false,
    async handler(ctx, q, req) {
      const from = dateParameter(req, 'from');
      const to = dateParameter(req, 'to');
      const site = referenceParameter(req, 'site', 'Organization');
      // Read with the caller's principal: the figures cover only the alerts it may see.
      const rows = await criticalValueStats(ctx, q, req, { unit: periodParameter(req), now: new Date(), ...(from ? { from } : {}), ...(to ? { to } : {}), ...(site ? { site } : {}) });
      const out: Parameters = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'ack-limit-seconds', valueDecimal: ctx.config.criticalValues.ackSeconds },
          ...rows.map((r) => ({
            name: 'site',
            part: [
              ...(r.site ? [{ name: 'organization', valueReference: { reference: r.site } }] : []),
              { name: 'period', valueString: r.period },
              { name: 'published', valueInteger: r.published },
              { name: 'acknowledged', valueInteger: r.acknowledged },
              { name: 'overdue', valueInteger: r.overdue },
              ...spreadParts('ack-seconds', r.ackSeconds),
            ],
          })),
        ],
      };
      return { status: 200, body: out };
    },
  },
];
