import { AsyncLocalStorage } from 'node:async_hooks';
import type { Request, Response } from 'express';
import type { AuditData, RequestOrigin } from './event.js';
import type { Coding } from '@medplum/fhirtypes';

/** What an operation adds to the next audit record of its request (the CDA transmission log). */
export interface AuditNote {
  subtype?: Coding[];
  data?: AuditData[];
}

interface Scope {
  origin: RequestOrigin | undefined;
  notes: AuditNote[];
}

/**
 * The client request a piece of work belongs to. Operations and the DICOM gateway run further
 * interactions inside a request (a CDA import's transaction, an ImagingStudy sync); their audit
 * records carry the original request's address and id through this scope instead of every
 * internal FhirRequest having to pass them on.
 */
const scopes = new AsyncLocalStorage<Scope>();

export function originOf(req: Request, res: Response): RequestOrigin {
  const userAgent = req.get('user-agent');
  const requestId = res.locals.requestId as string | undefined;
  return { ...(requestId ? { requestId } : {}), ...(req.ip ? { address: req.ip } : {}), ...(userAgent ? { userAgent: userAgent.slice(0, 200) } : {}) };
}

/** Runs `work` as the handling of a request from `origin`. */
export function withOrigin<T>(origin: RequestOrigin, work: () => Promise<T>): Promise<T> {
  return scopes.run({ origin, notes: [] }, work);
}

/** Runs `work` in the current request's scope, or in a new one for work no client request started. */
export function inScope<T>(work: () => Promise<T>): Promise<T> {
  return scopes.getStore() ? work() : scopes.run({ origin: undefined, notes: [] }, work);
}

export function currentOrigin(): RequestOrigin | undefined {
  return scopes.getStore()?.origin;
}

/** Adds subtypes and entities to the next audit record written for the current request. */
export function noteForAudit(note: AuditNote): void {
  scopes.getStore()?.notes.push(note);
}

/** The notes so far, removed: each belongs to exactly one record. */
export function takeNotes(): AuditNote[] {
  const store = scopes.getStore();
  return store ? store.notes.splice(0) : [];
}
