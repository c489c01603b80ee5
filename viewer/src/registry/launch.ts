import type { LaunchClient } from '../launch/index.js';

/**
 * The registry app launches as its own public client (registered by the server at start, beside
 * the viewer's: fhir-server/src/auth/viewer-client.ts), asking only for what a registry review needs.
 */
export const REGISTRY_LAUNCH: LaunchClient = {
  clientId: 'qiao-registry',
  redirectPath: '/viewer/registry',
  storageKey: 'qiao.registry',
  scopes: ['user/Condition.rs', 'user/Task.rus', 'user/Patient.rs', 'user/Provenance.rs', 'user/Observation.rs', 'user/DiagnosticReport.rs', 'user/Organization.rs'],
};
