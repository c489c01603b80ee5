import type { Resource } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from './auth/principal.js';
import { loadDemoImages } from './demo-images.js';
import { handle } from './router/router.js';
import type { RunningServer } from './server.js';
import { demoDataset } from './seed/bundles.js';
import { loadReferralDemo } from './workflows/referral/demo.js';

/**
 * Loads the demo data set into an empty database, through the same transaction path a client
 * uses, so a fresh `npm start` has patients (and their imaging, demo-images.ts) to look at. A database
 * with any Patient is left alone.
 */
export async function loadDemoData(running: RunningServer): Promise<void> {
  const { ctx, logger } = running;
  if ((await ctx.repo.count(ctx.db, 'Patient')) > 0) return;
  let resources = 0;
  for (const bundle of demoDataset()) {
    await handle(ctx, { method: 'POST', path: '', query: [], body: bundle as Resource, prefer: { return: 'minimal' }, baseUrl: running.url + '/fhir', principal: SYSTEM_PRINCIPAL });
    resources += bundle.entry?.length ?? 0;
  }
  logger.log('info', 'demo data loaded', { resources });
  await loadDemoImages(running);
  await loadReferralDemo(ctx, running.url + '/fhir');
}
