import type http from 'node:http';
import type express from 'express';
import type { Lane } from '../http/lanes.js';
import type { Logger } from '../http/logger.js';
import type { Context } from '../router/types.js';

/**
 * A part of the platform beside FHIR REST — the DICOM gateway, later authorisation and the viewer —
 * run by the same process: its own routes on the one HTTP port, and listeners of its own (DIMSE).
 * The edge's workspace knows nothing of the server; its factory here adapts `Context` to the ports
 * the workspace asks for.
 */
export interface Edge {
  readonly name: string;
  /** Mounts its routes on the HTTP application, before the catch-all 404. */
  mount?(app: express.Express): void;
  /** Its hottest routes, served with the same handlers without Express's router (http/lanes.ts). */
  lanes?: readonly Lane[];
  /** Takes the HTTP server itself, for what a route cannot do (WebSocket upgrades); called before `start`. */
  attach?(server: http.Server): void;
  /** Starts listeners and background work once the database is migrated. */
  start?(): Promise<void>;
  /** Stops them at shutdown, after HTTP has drained and before the database closes. */
  close?(): Promise<void>;
}

export type EdgeFactory = (ctx: Context, logger: Logger) => Edge | Promise<Edge>;
