import type { EdgeFactory } from '../../edges/edge.js';
import { jobQueueOf } from '../../jobs/index.js';
import { DELIVERY_JOB } from './codes.js';
import { deliveryHandler } from './deliver.js';

/** Works the report-delivery jobs (no routes: the workflow's API is FHIR operations and subscriptions). */
export const reportingEdge: EdgeFactory = (ctx, logger) => ({
  name: 'reporting',
  start: () => jobQueueOf(ctx).work(DELIVERY_JOB, deliveryHandler(ctx, logger)),
});
