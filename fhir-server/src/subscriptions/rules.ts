import { randomUUID } from 'node:crypto';
import type { Subscription } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import type { WriteRule } from '../hooks/write-rules.js';
import { dispatch } from '../router/router.js';
import { endpointAllowed } from './allow-list.js';
import { specOf } from './model.js';
import { saveOwner } from './store.js';

/**
 * Subscriptions written by clients: the criteria must be a topic of this server or a search the
 * engine can run (checked by running it), a rest-hook endpoint must be on the allow-list, and the
 * server owns `status` — a rest-hook starts `requested` and becomes `active` after the handshake
 * (or `error`); websocket and e-mail channels are `active` at once; `off` stays off. The writer
 * is recorded as the owner: criteria and payloads are evaluated as that principal. The server's
 * own status changes (as the system) pass unchecked.
 */
export const SUBSCRIPTION_RULES: readonly WriteRule[] = [
  {
    name: 'subscription',
    types: ['Subscription'],
    async check(ctx, q, { method, resource, previous, principal }) {
      if (principal.kind === 'system') return;
      const sub = resource as Subscription;
      const spec = specOf(sub);
      for (const search of spec.searches) {
        try {
          await dispatch(ctx, q, { method: 'GET', path: spec.resourceType, query: [...search, ['_count', '0']], prefer: {}, baseUrl: '', principal });
        } catch (error) {
          if (!(error instanceof FhirError)) throw error;
          throw new FhirError('subscription.criteria-invalid', { criteria: `${spec.resourceType}?${search.map(([k, v]) => `${k}=${v}`).join('&')}`, detail: error.message }, 'Subscription.criteria');
        }
      }
      if (spec.channel.type === 'rest-hook') {
        if (!spec.channel.endpoint) throw new FhirError('subscription.endpoint-missing', { type: 'rest-hook' }, 'Subscription.channel.endpoint');
        if (!endpointAllowed(spec.channel.endpoint, ctx.config.subscriptionEndpoints)) {
          throw new FhirError('subscription.endpoint-refused', { endpoint: spec.channel.endpoint }, 'Subscription.channel.endpoint');
        }
      }
      const before = previous as Subscription | undefined;
      if (sub.status !== 'off') {
        const unchanged = before?.status === 'active' && before.channel?.endpoint === sub.channel?.endpoint && before.channel?.type === sub.channel?.type;
        sub.status = spec.channel.type !== 'rest-hook' || unchanged ? 'active' : 'requested';
        delete sub.error;
      }
      if (method === 'create') sub.id ??= randomUUID();
      await saveOwner(q, sub.id as string, principal);
    },
  },
];
