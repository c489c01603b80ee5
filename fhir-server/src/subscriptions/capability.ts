import type { CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { BACKPORT_SUBSCRIPTION_PROFILE } from './model.js';
import { TOPICS } from './topics.js';

/** The Backport IG's server CapabilityStatement, which this server's statement instantiates. */
export const BACKPORT_SERVER_CAPABILITY = 'http://hl7.org/fhir/uv/subscriptions-backport/CapabilityStatement/backport-subscription-server-r4';
const TOPIC_CANONICAL = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/capabilitystatement-subscriptiontopic-canonical';

/** What the CapabilityStatement says about Subscription: the Backport profile and the topics offered. */
export function subscriptionCapability(type: string): Pick<CapabilityStatementRestResource, 'supportedProfile' | 'extension'> {
  if (type !== 'Subscription') return {};
  return {
    supportedProfile: [BACKPORT_SUBSCRIPTION_PROFILE],
    extension: TOPICS.map((t) => ({ url: TOPIC_CANONICAL, valueCanonical: t.url })),
  };
}
