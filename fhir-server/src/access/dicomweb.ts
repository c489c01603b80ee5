import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isUnrestricted, type Principal } from '../auth/principal.js';
import { FhirError } from '../errors/fhir-error.js';
import { handle } from '../router/router.js';
import { RawJson, type Context } from '../router/types.js';
import { ANONYMOUS_PRINCIPAL, requestPrincipal } from './anonymous.js';
import { decide } from './policy.js';

/** How the DICOM gateway names a study in its ImagingStudy (dicom-gateway fhir/imaging-study.ts). */
const STUDY_SYSTEM = 'urn:dicom:uid';
const STUDY_UID_TAG = '0020000D';
const UID = /^[0-9.]{1,64}$/;

/**
 * DICOMweb by the study's patient: a study is in reach when its ImagingStudy is (the same search
 * narrowing as `/fhir`, so patient, scope, organisation and label rules all apply). Requests
 * naming a study (WADO-RS, QIDO below a study, WADO-URI) are refused with 404 as if it did not
 * exist; QIDO at the root answers only the studies in reach; STOW needs ImagingStudy create.
 * Mounted before the gateway's routes, so the gateway itself stays free of FHIR-server rules.
 */
export function dicomwebGuard(ctx: Context): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const principal = requestPrincipal(res.locals, ctx.config.auth);
    if (isUnrestricted(principal)) return next();
    if (principal === ANONYMOUS_PRINCIPAL) return next(new FhirError('auth.token-missing'));
    check(ctx, principal, req, res).then(() => next(), next);
  };
}

async function check(ctx: Context, principal: Principal, req: Request, res: Response): Promise<void> {
  if (req.method === 'POST') {
    const decision = decide(principal, ctx.config, 'ImagingStudy', 'c');
    if (!decision.allowed) throw new FhirError(decision.reason === 'scope' ? 'access.scope-insufficient' : 'access.role-forbidden', { type: 'ImagingStudy', interaction: 'create (c)' });
  }
  const decision = decide(principal, ctx.config, 'ImagingStudy', 'r');
  if (!decision.allowed) throw new FhirError(decision.reason === 'scope' ? 'access.scope-insufficient' : 'access.role-forbidden', { type: 'ImagingStudy', interaction: 'read (r)' });
  if (req.method === 'POST' && req.path.replace(/\/$/, '') === '/studies') return;
  const named = /^\/studies\/([^/]+)/.exec(req.path)?.[1] ?? (req.path === '/wado' ? (typeof req.query.studyUID === 'string' ? req.query.studyUID : undefined) : undefined);
  if (named !== undefined) {
    const study = decodeURIComponent(named);
    if (!UID.test(study)) throw new FhirError('access.dicom-study-hidden', { study: study.slice(0, 64) });
    if (reachedRecently(ctx, principal, study)) return;
    if (!(await studiesInReach(ctx, principal, req, [study])).has(study)) throw new FhirError('access.dicom-study-hidden', { study: study.slice(0, 64) });
    remember(ctx, principal, study);
    return;
  }
  if (req.method === 'GET') filterQidoReply(ctx, principal, req, res);
}

/**
 * A viewer reads a study frame by frame, hundreds of requests a minute: the search that decides
 * whether the study is in reach runs once per token and study in this long, not per frame. Only
 * a "yes" is kept, only for a token (its scopes, patient and roles are fixed), and a revoked or
 * expired token is refused by authentication before this is asked.
 */
const REACH_MS = 10_000;
const REACH_MAX = 10_000;
const reached = new WeakMap<Context, Map<string, number>>();

function reachKey(principal: Principal, study: string): string | undefined {
  return principal.tokenId ? `${principal.tokenId}|${study}` : undefined;
}

function reachedRecently(ctx: Context, principal: Principal, study: string): boolean {
  const key = reachKey(principal, study);
  const until = key ? reached.get(ctx)?.get(key) : undefined;
  return until !== undefined && until > Date.now();
}

function remember(ctx: Context, principal: Principal, study: string): void {
  const key = reachKey(principal, study);
  if (!key) return;
  let seen = reached.get(ctx);
  if (!seen) reached.set(ctx, (seen = new Map()));
  if (seen.size >= REACH_MAX) seen.clear();
  seen.set(key, Date.now() + REACH_MS);
}

/** QIDO at the root (`/studies`, `/series`, `/instances`): the gateway's JSON reply, less the studies out of reach. */
function filterQidoReply(ctx: Context, principal: Principal, req: Request, res: Response): void {
  const end = res.end.bind(res) as (chunk?: unknown) => Response;
  res.end = ((chunk?: unknown) => {
    if (typeof chunk !== 'string' || !String(res.getHeader('content-type') ?? '').includes('dicom+json')) return end(chunk);
    const results = JSON.parse(chunk) as Record<string, { Value?: unknown[] } | undefined>[];
    const uidOf = (r: (typeof results)[number]) => r[STUDY_UID_TAG]?.Value?.[0];
    const uids = [...new Set(results.map(uidOf).filter((u): u is string => typeof u === 'string' && UID.test(u)))];
    studiesInReach(ctx, principal, req, uids).then(
      (visible) => {
        const kept = results.filter((r) => visible.has(uidOf(r) as string));
        if (kept.length === 0) {
          res.removeHeader('Content-Type');
          res.status(204);
          end();
        } else end(JSON.stringify(kept));
      },
      () => {
        res.status(500);
        end();
      },
    );
    return res;
  }) as typeof res.end;
}

/** The study UIDs among `uids` whose ImagingStudy the principal may read: one search, narrowed like any other. */
async function studiesInReach(ctx: Context, principal: Principal, req: Request, uids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < uids.length; i += 500) {
    const chunk = uids.slice(i, i + 500);
    const reply = await handle(ctx, {
      method: 'GET',
      path: 'ImagingStudy',
      query: [['identifier', chunk.map((u) => `${STUDY_SYSTEM}|urn:oid:${u}`).join(',')], ['_elements', 'identifier'], ['_count', String(chunk.length * 2)]],
      prefer: {},
      baseUrl: `${req.protocol}://${req.get('host') ?? 'localhost'}/fhir`,
      principal,
    });
    const bundle = reply.body as { entry?: { resource?: unknown }[] } | undefined;
    for (const entry of bundle?.entry ?? []) {
      const resource = (entry.resource instanceof RawJson ? JSON.parse(entry.resource.text) : entry.resource) as { identifier?: { system?: string; value?: string }[] } | undefined;
      for (const id of resource?.identifier ?? []) if (id.system === STUDY_SYSTEM && id.value?.startsWith('urn:oid:')) found.add(id.value.slice(8));
    }
  }
  return found;
}
