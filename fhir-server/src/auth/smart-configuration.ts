import type { Request } from 'express';
import type { Config } from '../config.js';
import { ASSERTION_ALGORITHMS } from './client-auth.js';
import { authUrl, fhirBaseOf } from './urls.js';

/** SMART App Launch 2.2 capabilities this server implements. */
export const SMART_CAPABILITIES = [
  'launch-ehr',
  'launch-standalone',
  'authorize-post',
  'client-public',
  'client-confidential-symmetric',
  'client-confidential-asymmetric',
  'sso-openid-connect',
  'context-passthrough-banner',
  'context-ehr-patient',
  'context-ehr-encounter',
  'context-standalone-patient',
  'permission-offline',
  'permission-online',
  'permission-patient',
  'permission-user',
  'permission-v1',
  'permission-v2',
];

/** GET /fhir/.well-known/smart-configuration: absolute URLs, from the configured base or the request's host. */
export function smartConfiguration(config: Config, req: Request) {
  return {
    issuer: fhirBaseOf(config, req),
    jwks_uri: authUrl(config, req, 'jwks'),
    authorization_endpoint: authUrl(config, req, 'authorize'),
    token_endpoint: authUrl(config, req, 'token'),
    introspection_endpoint: authUrl(config, req, 'introspect'),
    revocation_endpoint: authUrl(config, req, 'revoke'),
    management_endpoint: authUrl(config, req, 'account'),
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'none'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    scopes_supported: ['openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', 'online_access', 'patient/*.cruds', 'user/*.cruds', 'system/*.cruds', 'patient/*.read', 'user/*.read', 'system/*.read'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: SMART_CAPABILITIES,
  };
}

/** GET /fhir/.well-known/openid-configuration: OpenID Connect discovery for the id_token's issuer. */
export function openidConfiguration(config: Config, req: Request) {
  return {
    issuer: fhirBaseOf(config, req),
    jwks_uri: authUrl(config, req, 'jwks'),
    authorization_endpoint: authUrl(config, req, 'authorize'),
    token_endpoint: authUrl(config, req, 'token'),
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'fhirUser', 'profile'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'fhirUser', 'name'],
    code_challenge_methods_supported: ['S256'],
  };
}

const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

/** CapabilityStatement.rest.security: SMART on FHIR, with the OAuth endpoints in the SMART extension. */
export function restSecurity(fhirBase: string) {
  const auth = `${fhirBase.replace(/\/fhir\/?$/, '')}/auth`;
  return {
    cors: true,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' as const }], text: 'OAuth2 using SMART-on-FHIR profile' }],
    description: '桥 Qiao 内置 SMART App Launch 2.2 授权服务器（见 .well-known/smart-configuration） | Built-in SMART App Launch 2.2 authorisation server (see .well-known/smart-configuration)',
    extension: [
      {
        url: OAUTH_URIS,
        extension: [
          { url: 'authorize', valueUri: `${auth}/authorize` },
          { url: 'token', valueUri: `${auth}/token` },
          { url: 'introspect', valueUri: `${auth}/introspect` },
          { url: 'revoke', valueUri: `${auth}/revoke` },
          { url: 'manage', valueUri: `${auth}/account` },
        ],
      },
    ],
  };
}
