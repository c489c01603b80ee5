import type { EdgeFactory } from '../../edges/edge.js';
import { escalateOverdue } from './escalate.js';
import { periodic } from './periodic.js';

/** Runs the escalation sweep of critical values (no routes: the workflow's API is FHIR operations). */
export const criticalValuesEdge: EdgeFactory = (ctx, logger) => {
  const sweep = periodic('critical-value escalation', ctx.config.criticalValues.sweepSeconds, logger, async () => {
    const count = await escalateOverdue(ctx);
    if (count) logger.log('warn', 'critical values escalated', { count });
  });
  return { name: 'critical-values', start: async () => sweep.start(), close: () => sweep.stop() };
};
