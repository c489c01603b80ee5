import type { Request } from 'express';
import type { Config } from '../config.js';

/** Where the authorisation server's endpoints live (beside /fhir, not under it). */
export const AUTH_PATH = '/auth';

/** The public origin: the configured base, else the request's own scheme and host. */
export function originOf(config: Config, req: Request): string {
  return config.baseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** The FHIR base URL, which is also the `aud` a client must name and the `iss` of id_tokens. */
export function fhirBaseOf(config: Config, req: Request): string {
  return `${originOf(config, req)}/fhir`;
}

export function authUrl(config: Config, req: Request, endpoint: string): string {
  return `${originOf(config, req)}${AUTH_PATH}/${endpoint}`;
}
