import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from '@medplum/fhirtypes';
import { breakGlassPurpose } from '../access/break-glass.js';
import type { Principal } from '../auth/principal.js';

/** Code systems of the IHE Basic Audit Log Patterns (BALP) shape and of R4 AuditEvent. */
export const AUDIT = {
  eventType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  interaction: 'http://hl7.org/fhir/restful-interaction',
  dcm: 'http://dicom.nema.org/resources/ontology/DCM',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  balpEntityType: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
  userAgentType: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/UserAgentTypes',
  networkType: 'http://terminology.hl7.org/CodeSystem/network-type',
  /** Qiao's own subtypes: security events, DICOM and bulk-file accesses, the CDA transmission log. */
  qiaoEvent: 'https://qiao.health/fhir/CodeSystem/audit-event',
  qiaoRole: 'https://qiao.health/fhir/CodeSystem/role',
  /** Identifier systems of who acted: a user's login name and a client's id. */
  user: 'https://qiao.health/fhir/sid/username',
  client: 'https://qiao.health/fhir/sid/client-id',
} as const;

export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';
/** 0 success, 4 minor failure (refused request), 8 serious failure (server error), 12 major failure. */
export type AuditOutcome = '0' | '4' | '8' | '12';

/** Where a request came from, as the HTTP layer saw it. */
export interface RequestOrigin {
  requestId?: string;
  address?: string;
  userAgent?: string;
}

/** An entity the event is about, beyond the patients: a resource, a query, a study, a file. */
export interface AuditData {
  reference?: string;
  identifier?: { system?: string; value: string };
  display?: string;
  /** The query as sent (`Observation?code=…`), stored base64 as BALP asks. */
  query?: string;
  type?: Coding;
  role?: Coding;
  detail?: { type: string; value: string }[];
}

/** Everything an audit record says, before it is shaped as an AuditEvent. */
export interface AuditFacts {
  type: Coding;
  subtype: Coding[];
  action: AuditAction;
  outcome: AuditOutcome;
  outcomeDesc?: string;
  principal: Principal;
  origin?: RequestOrigin;
  /** Patient ids (`Patient/<id>` targets) whose data the event touched. */
  patients: readonly string[];
  data: readonly AuditData[];
  recorded?: Date;
}

export const REST_TYPE: Coding = { system: AUDIT.eventType, code: 'rest', display: 'RESTful Operation' };

const PATIENT_ENTITY = { type: { system: AUDIT.entityType, code: '1', display: 'Person' }, role: { system: AUDIT.objectRole, code: '1', display: 'Patient' } };
export const RESOURCE_ENTITY = { type: { system: AUDIT.entityType, code: '2', display: 'System Object' }, role: { system: AUDIT.objectRole, code: '4', display: 'Domain Resource' } };
export const QUERY_ENTITY = { type: { system: AUDIT.entityType, code: '2', display: 'System Object' }, role: { system: AUDIT.objectRole, code: '24', display: 'Query' } };

/** The AuditEvent of a fact set, in the BALP shape: the user and the client app as agents, this server as observer. */
export function auditEvent(facts: AuditFacts): AuditEvent {
  const entity: AuditEventEntity[] = [
    ...facts.patients.map((id) => ({ what: { reference: `Patient/${id}` }, ...PATIENT_ENTITY })),
    ...facts.data.map(dataEntity),
  ];
  const request = requestEntity(facts.origin);
  if (request) entity.push(request);
  // An access under an emergency grant says so, with the reason (BALP: purposeOfEvent and the user's purposeOfUse).
  const purpose = breakGlassPurpose(facts.principal, facts.patients);
  const agent = agents(facts.principal, facts.origin);
  if (purpose && agent[0]) agent[0].purposeOfUse = [purpose];
  return {
    resourceType: 'AuditEvent',
    type: facts.type,
    ...(facts.subtype.length ? { subtype: facts.subtype } : {}),
    action: facts.action,
    ...(purpose ? { purposeOfEvent: [purpose] } : {}),
    recorded: (facts.recorded ?? new Date()).toISOString(),
    outcome: facts.outcome,
    ...(facts.outcomeDesc ? { outcomeDesc: facts.outcomeDesc.slice(0, 1000) } : {}),
    agent,
    source: {
      site: 'Qiao',
      observer: { display: 'Qiao FHIR server' },
      type: [{ system: AUDIT.sourceType, code: '4', display: 'Application Server' }],
    },
    ...(entity.length ? { entity } : {}),
  };
}

/** The request an event came from (BALP's X-Request-Id entity, with the user agent), if it has an id. */
export function requestEntity(origin: RequestOrigin | undefined): AuditEventEntity | undefined {
  if (!origin?.requestId) return undefined;
  return {
    what: { identifier: { value: origin.requestId } },
    type: { system: AUDIT.balpEntityType, code: 'XrequestId', display: 'HTTP X-Request-Id' },
    ...(origin.userAgent ? { detail: [{ type: 'User-Agent', valueString: origin.userAgent }] } : {}),
  };
}

function dataEntity(d: AuditData): AuditEventEntity {
  const what = { ...(d.reference ? { reference: d.reference } : {}), ...(d.identifier ? { identifier: d.identifier } : {}), ...(d.display ? { display: d.display } : {}) };
  const defaults = d.query !== undefined ? QUERY_ENTITY : RESOURCE_ENTITY;
  return {
    ...(Object.keys(what).length ? { what } : {}),
    type: d.type ?? defaults.type,
    role: d.role ?? defaults.role,
    ...(d.query !== undefined ? { query: Buffer.from(d.query, 'utf8').toString('base64') } : {}),
    ...(d.detail?.length ? { detail: d.detail.map((x) => ({ type: x.type, valueString: x.value })) } : {}),
  };
}

/**
 * The person (with the token's id as policy, BALP's `urn:ietf:params:oauth:jti:`) and the client
 * application. A backend client acting alone is the requestor itself; the server's own work and
 * the development principal (authorisation off) are named as such.
 */
function agents(p: Principal, origin: RequestOrigin | undefined): AuditEventAgent[] {
  const network = origin?.address ? { network: { address: origin.address, type: '2' as const } } : {};
  const policy = p.tokenId ? { policy: [`urn:ietf:params:oauth:jti:${p.tokenId}`] } : {};
  const roles = p.roles.length ? { role: p.roles.map((r) => ({ coding: [{ system: AUDIT.qiaoRole, code: r }] })) } : {};
  const client: AuditEventAgent | undefined = p.clientId
    ? {
        type: { coding: [{ system: AUDIT.dcm, code: '110150', display: 'Application' }] },
        who: { identifier: { system: AUDIT.client, value: p.clientId }, display: p.clientId },
        requestor: p.kind !== 'user',
        ...network,
        ...(p.kind !== 'user' ? { ...policy, ...roles } : {}),
      }
    : undefined;
  if (p.kind === 'user') {
    const user: AuditEventAgent = {
      type: { coding: [{ system: AUDIT.userAgentType, code: 'UserOauthAgent', display: 'User OAuth Agent participant' }] },
      who: {
        ...(p.fhirUser ? { reference: p.fhirUser } : {}),
        ...(p.username ? { identifier: { system: AUDIT.user, value: p.username }, display: p.username } : {}),
      },
      ...(p.username ? { altId: p.username, name: p.username } : {}),
      requestor: true,
      ...policy,
      ...roles,
      ...(client ? {} : network),
    };
    return client ? [user, client] : [user];
  }
  if (client) return [client];
  const name = p.kind === 'system' ? 'Qiao (system)' : 'development principal (QIAO_AUTH=off)';
  return [
    {
      type: { coding: [{ system: AUDIT.dcm, code: '110150', display: 'Application' }] },
      who: { identifier: { system: AUDIT.client, value: p.kind }, display: name },
      ...(p.username ? { altId: p.username, name: p.username } : {}),
      requestor: true,
      ...network,
    },
  ];
}
