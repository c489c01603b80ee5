import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceSearchParam } from '@medplum/fhirtypes';
import { restSecurity } from '../auth/smart-configuration.js';
import { resourceTypes } from '../definitions/r4.js';
import { parametersGeneration, referenceParams, searchParamsFor } from '../search/search-parameters.js';
import { OPERATIONS } from '../operations/registry.js';
import { supportedProfiles } from '../validation/profiles.js';
import { ROUTES } from './router.js';
import { BACKPORT_SERVER_CAPABILITY, subscriptionCapability } from '../subscriptions/capability.js';
import type { Interaction, Method } from './types.js';

type TypeInteraction = NonNullable<CapabilityStatementRestResource['interaction']>[number]['code'];

/** Which route entry stands for which CapabilityStatement interaction code. */
const TYPE_INTERACTIONS: [TypeInteraction, keyof typeof ROUTES, Method][] = [
  ['read', 'instance', 'GET'],
  ['vread', 'version', 'GET'],
  ['update', 'instance', 'PUT'],
  ['patch', 'instance', 'PATCH'],
  ['delete', 'instance', 'DELETE'],
  ['history-instance', 'instance-history', 'GET'],
  ['history-type', 'type-history', 'GET'],
  ['create', 'type', 'POST'],
  ['search-type', 'type', 'GET'],
];

const SERVER_STARTED = new Date().toISOString();
const cache = new Map<string, CapabilityStatement>();

/** Generated from the route table and the search-parameter registry, so it says what really works. */
export const capabilities: Interaction = async (ctx, _q, req) => {
  const secured = ctx.config.auth === 'on';
  const key = `${parametersGeneration()} ${req.baseUrl} ${secured}`;
  let statement = cache.get(key);
  if (!statement) {
    statement = build(req.baseUrl, secured);
    cache.set(key, statement);
  }
  return { status: 200, body: statement };
};

function build(baseUrl: string, secured: boolean): CapabilityStatement {
  const supported = (shape: keyof typeof ROUTES, method: Method) => (ROUTES[shape] as Partial<Record<Method, Interaction>>)[method] !== undefined;
  const interactions = TYPE_INTERACTIONS.filter(([, shape, method]) => supported(shape, method)).map(([code]) => ({ code }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: SERVER_STARTED,
    kind: 'instance',
    instantiates: [BACKPORT_SERVER_CAPABILITY],
    name: 'Qiao',
    title: '桥 Qiao FHIR 服务器 | Qiao FHIR server',
    publisher: 'Qiao project',
    software: { name: 'Qiao', version: '0.1.0' },
    implementation: { description: 'Qiao regional health interoperability hub', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/fhir+xml', 'json', 'xml'],
    patchFormat: ['application/json-patch+json', 'application/fhir+json', 'application/fhir+xml'],
    rest: [
      {
        mode: 'server',
        ...(secured ? { security: restSecurity(baseUrl) } : {}),
        resource: resourceTypes().map((type) => ({
          type: type as CapabilityStatementRestResource['type'],
          interaction: interactions,
          ...supportedProfiles(type),
          ...subscriptionCapability(type),
          versioning: 'versioned-update',
          readHistory: true,
          updateCreate: true,
          conditionalCreate: true,
          conditionalRead: 'full-support',
          conditionalUpdate: true,
          conditionalDelete: 'single',
          referencePolicy: ['literal', 'local'],
          searchParam: searchParams(type),
          searchInclude: referenceParams(type).map((p) => `${type}:${p}`),
          searchRevInclude: resourceTypes().flatMap((source) => referenceParams(source).filter((p) => targets(source, p).includes(type)).map((p) => `${source}:${p}`)),
          ...operationsOn(type),
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }, { code: 'history-system' }],
        operation: OPERATIONS.filter((op) => !op.types || op.levels.includes('system')).map((op) => ({ name: op.code, definition: op.definition })),
        searchParam: [...searchParams('Resource'), { name: '_type', type: 'token', documentation: 'Resource types to search' }],
      },
    ],
  };
}

/** Operations that run only on some types are listed under those types. */
function operationsOn(type: string): { operation?: { name: string; definition: string }[] } {
  const ops = OPERATIONS.filter((op) => op.types?.includes(type));
  return ops.length ? { operation: ops.map((op) => ({ name: op.code, definition: op.definition })) } : {};
}

/** Every parameter the engine answers for the type: R4's own (and registered ones) plus the special ones. */
function searchParams(type: string): CapabilityStatementRestResourceSearchParam[] {
  const params: CapabilityStatementRestResourceSearchParam[] = [...searchParamsFor(type).values()].map((p) => ({
    name: p.code,
    type: p.type,
    ...(p.definition.url ? { definition: p.definition.url } : {}),
  }));
  params.push({ name: '_list', type: 'special', documentation: 'Resources the List entries reference' });
  params.push({ name: '_has', type: 'special', documentation: 'Reverse chaining: _has:Type:param:param=value' });
  return params;
}

function targets(type: string, param: string): string[] {
  return searchParamsFor(type).get(param)?.targets ?? [];
}
