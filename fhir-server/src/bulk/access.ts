import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isUnrestricted, type Principal } from '../auth/principal.js';
import { ANONYMOUS_PRINCIPAL, requestPrincipal } from '../access/anonymous.js';
import { maskResource, maskingOf } from '../access/masking.js';
import { decide, type AccessSettings } from '../access/policy.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Context } from '../router/types.js';
import type { Filter } from '../search/parse.js';
import { isJobId } from './files.js';
import { jobs } from './jobs.js';
import type { ExportSpec } from './spec.js';

/** The requester of an export as recorded at kick-off (stored with the job, so it survives a restart). */
export interface ExportRequester {
  principal: Principal;
  settings: AccessSettings;
}

export function exportRequester(principal: Principal, settings: AccessSettings): ExportRequester {
  return { principal, settings: { crossOrg: settings.crossOrg } };
}

/**
 * The one place where access control narrows an export: the filters that the requester's token
 * (scopes, role, organisation, security labels) imposes on `type`, ANDed with the export's own
 * selection — the same decision a search by the requester gets. A type the requester may not
 * search exports nothing. Jobs recorded without a requester (the server's own) are unfiltered.
 */
export function accessFilters(spec: ExportSpec, type: string): Filter[] {
  const requester = spec.requester;
  if (!requester) return [];
  const decision = decide(requester.principal, requester.settings, type, 's');
  return decision.allowed ? decision.filters : [{ kind: 'any', alternatives: [] }];
}

/** Whether exported lines need masking for the requester (and with the research pseudonym key). */
export function exportMasking(spec: ExportSpec): { pseudonym: boolean } | undefined {
  const principal = spec.requester?.principal;
  if (!principal || isUnrestricted(principal)) return undefined;
  const masking = maskingOf(principal);
  return masking === 'full' ? undefined : { pseudonym: masking === 'pseudonym' };
}

/** One stored resource (JSON text) as the requester may see it. */
export function exportLine(spec: ExportSpec, content: string, pseudonymKey: string | undefined): string {
  const principal = spec.requester?.principal;
  if (!principal) return content;
  const masking = maskingOf(principal);
  if (masking === 'full') return content;
  const resource = JSON.parse(content) as Record<string, unknown>;
  const out = maskResource(resource, masking, principal, pseudonymKey);
  return out === resource ? content : JSON.stringify(out);
}

/**
 * Status, cancel and download of a job are for the client (and user) that kicked it off; for
 * anyone else the job does not exist. The server itself and development mode follow any job.
 */
export function requesterOnly(ctx: Context): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const principal = requestPrincipal(res.locals, ctx.config.auth);
    const id = String(req.params.job);
    if (principal === ANONYMOUS_PRINCIPAL) return next(new FhirError('auth.token-missing'));
    if (isUnrestricted(principal) || !isJobId(id)) return next();
    jobs.get(ctx.db, id).then((job) => {
      const requester = job?.spec.requester?.principal;
      const same = !requester || (requester.kind === principal.kind && requester.clientId === principal.clientId && requester.username === principal.username);
      next(same ? undefined : new FhirError('access.export-other-requester', { job: id }));
    }, next);
  };
}
