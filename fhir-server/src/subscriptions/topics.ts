/**
 * The subscription topics this server offers (Subscriptions R5 Backport IG on R4). In R4 a topic
 * is not a resource: it is a canonical URL a Subscription names in `criteria`, advertised in the
 * CapabilityStatement; so the topics are data here. A topic fires on the listed interactions of
 * one resource type when the changed resource also matches `criteria` (a search of that type);
 * the subscriber narrows it further with `backport-filter-criteria` (any search parameter of the
 * type). Workflows rely on these URLs: see docs/subscriptions.md.
 */
export interface Topic {
  url: string;
  title: { zh: string; en: string };
  resourceType: string;
  interactions: readonly ('create' | 'update' | 'delete')[];
  /** Search parameters (`status=final,amended`) the resource must match for the topic to fire. */
  criteria?: string;
}

export const TOPIC_BASE = 'https://qiao.health/fhir/SubscriptionTopic';

export const TOPICS: readonly Topic[] = [
  {
    url: `${TOPIC_BASE}/referral-task`,
    title: { zh: '转诊任务创建或变更', en: 'Referral task created or changed' },
    resourceType: 'Task',
    interactions: ['create', 'update'],
  },
  {
    url: `${TOPIC_BASE}/referral-request`,
    title: { zh: '转诊申请创建或变更', en: 'Referral request created or changed' },
    resourceType: 'ServiceRequest',
    interactions: ['create', 'update'],
  },
  {
    url: `${TOPIC_BASE}/communication`,
    title: { zh: '通知消息创建或变更', en: 'Communication created or changed' },
    resourceType: 'Communication',
    interactions: ['create', 'update'],
  },
  {
    url: `${TOPIC_BASE}/critical-value-flag`,
    title: { zh: '危急值标记创建或变更', en: 'Critical-value flag created or changed' },
    resourceType: 'Flag',
    interactions: ['create', 'update'],
  },
  {
    url: `${TOPIC_BASE}/diagnostic-report-final`,
    title: { zh: '诊断报告已终审（含修订、更正）', en: 'Diagnostic report final (also amended, corrected)' },
    resourceType: 'DiagnosticReport',
    interactions: ['create', 'update'],
    criteria: 'status=final,amended,corrected',
  },
];

export function findTopic(url: string): Topic | undefined {
  return TOPICS.find((t) => t.url === url);
}
