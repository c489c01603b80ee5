import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DEVELOPMENT_PRINCIPAL, type Principal } from '../auth/principal.js';
import type { Context } from '../router/types.js';
import { AUDIT, type AuditFacts } from './event.js';
import { auditLog } from './log.js';
import { originOf, withOrigin } from './scope.js';

/** What an edge says about one of its requests; who, from where and the outcome are filled in here. */
export type AccessFacts = Omit<AuditFacts, 'principal' | 'origin' | 'outcome' | 'patients'> & {
  patients?: readonly string[];
  /** Accesses like this one in quick succession (a viewer's frames) may share one record. */
  repeatable?: boolean;
};

/** The request as the edge saw it: the path below its mount point (express restores `req.url` later) and, for a POST, the reply's text. */
export interface Seen {
  path: string;
  reply?: string;
}

/** A POST's reply is kept (up to this size) so that its record can name what it stored. */
const MAX_REPLY = 256 * 1024;

/**
 * Audits the requests of a non-FHIR edge (DICOMweb, bulk-export status and files) once their
 * response is finished, through the batched queue: these are reads and file transfers, and the
 * DICOM store's own writes are not FHIR writes with a transaction to join. `describe` may look
 * things up (the study's patient); undefined means the request is not audited (a CORS pre-flight).
 * `repeatOf` names, from the request alone, the access a request repeats when its facts follow from
 * that name (a WADO-RS read of one study): a viewer's next frame then folds into the record held
 * for the first without being described again. The request runs in an audit scope, so FHIR
 * interactions it starts (the ImagingStudy sync of a STOW-RS) are recorded with its address and
 * request id.
 */
export function auditAccess(ctx: Context, describe: (req: Request, seen: Seen) => Promise<AccessFacts | undefined>, repeatOf?: (req: Request, seen: Seen) => string | undefined): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const log = auditLog(ctx);
    if (!log.enabled) return next();
    const origin = originOf(req, res);
    const seen: Seen = { path: req.path };
    if (req.method === 'POST') keepReply(res, seen);
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      const principal = (res.locals.principal as Principal | undefined) ?? DEVELOPMENT_PRINCIPAL;
      // A response cut off before it finished is not a success, whatever its status line said.
      const status = res.writableFinished ? res.statusCode : Math.max(res.statusCode, 500);
      const outcome = status < 400 ? '0' : status < 500 ? '4' : '8';
      const access = repeatOf?.(req, seen);
      const shortcut = access === undefined ? undefined : JSON.stringify([access, outcome, origin.address, principal]);
      if (shortcut !== undefined && log.foldRepeat(shortcut, origin)) return;
      describe(req, seen)
        .then((facts) => {
          if (!facts) return;
          const { repeatable, ...rest } = facts;
          const patients = facts.patients ?? [];
          // Patients not known yet (a study's first moments) may be known by its next read: that one is described again.
          log.enqueueFacts({ ...rest, patients, principal, origin, outcome }, { repeatable, ...(repeatable && patients.length && shortcut ? { shortcut } : {}) });
        })
        .catch(() => undefined);
    };
    res.on('finish', record);
    res.on('close', record);
    void withOrigin(origin, async () => next());
  };
}

function keepReply(res: Response, seen: Seen): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const keep = (chunk: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || size > MAX_REPLY) return;
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size <= MAX_REPLY) chunks.push(b);
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    keep(chunk);
    seen.reply = Buffer.concat(chunks).toString('utf8');
    return end(chunk, ...rest);
  }) as Response['end'];
}

/** DICOM Study Instance UIDs as audit entities (DICOM PS3.15 A.5: participant object of type system, role report). */
export function studyEntity(uid: string) {
  return {
    identifier: { system: 'urn:dicom:uid', value: `urn:oid:${uid}` },
    type: { system: AUDIT.entityType, code: '2', display: 'System Object' },
    role: { system: AUDIT.objectRole, code: '3', display: 'Report' },
    detail: [{ type: 'StudyInstanceUID', value: uid }],
  };
}
