import { SYSTEM_PRINCIPAL, type Principal } from '../auth/principal.js';
import type { Queryable } from '../repository/db.js';

/** The subscription tables of migration 14: owner and counter, events, delivery log, matcher cursor. */

export interface StoredEvent {
  eventNumber: number;
  resourceType: string;
  resourceId: string;
  versionId: string;
  occurred: string;
}

export interface DeliveryRecord {
  subscriptionId: string;
  kind: 'handshake' | 'heartbeat' | 'event-notification';
  eventNumber?: number;
  channel: string;
  attempt: number;
  outcome: 'delivered' | 'failed' | 'no-client' | 'logged';
  httpStatus?: number;
  error?: string;
}

export async function saveOwner(q: Queryable, subscriptionId: string, principal: Principal): Promise<void> {
  await q.query(
    `INSERT INTO subscription_state (subscription_id, principal) VALUES ($1, $2::jsonb)
     ON CONFLICT (subscription_id) DO UPDATE SET principal = EXCLUDED.principal`,
    [subscriptionId, JSON.stringify(principal)],
  );
}

/** Who the subscription acts for; one the server made itself (no row) acts as the system. */
export async function ownerOf(q: Queryable, subscriptionId: string): Promise<Principal> {
  const [row] = await q.query<{ principal: Principal | string }>('SELECT principal FROM subscription_state WHERE subscription_id = $1', [subscriptionId]);
  if (!row) return SYSTEM_PRINCIPAL;
  return typeof row.principal === 'string' ? (JSON.parse(row.principal) as Principal) : row.principal;
}

/**
 * Numbers the event of one resource version for one subscription, once: a version seen again
 * (the matcher re-reading after a restart) returns null. Runs in the caller's transaction, which
 * locks the counter row.
 */
export async function recordEvent(tx: Queryable, subscriptionId: string, e: Omit<StoredEvent, 'eventNumber'>): Promise<number | null> {
  const [seen] = await tx.query('SELECT 1 FROM subscription_event WHERE subscription_id = $1 AND resource_type = $2 AND resource_id = $3 AND version_id = $4', [
    subscriptionId,
    e.resourceType,
    e.resourceId,
    e.versionId,
  ]);
  if (seen) return null;
  const [row] = await tx.query<{ events: string }>(
    `INSERT INTO subscription_state (subscription_id, principal, events) VALUES ($1, $2::jsonb, 1)
     ON CONFLICT (subscription_id) DO UPDATE SET events = subscription_state.events + 1 RETURNING events::text`,
    [subscriptionId, JSON.stringify(SYSTEM_PRINCIPAL)],
  );
  const n = Number(row?.events);
  await tx.query(
    `INSERT INTO subscription_event (subscription_id, event_number, resource_type, resource_id, version_id, occurred) VALUES ($1, $2, $3, $4, $5, $6::timestamptz)`,
    [subscriptionId, n, e.resourceType, e.resourceId, e.versionId, e.occurred],
  );
  return n;
}

export async function eventCount(q: Queryable, subscriptionId: string): Promise<number> {
  const [row] = await q.query<{ events: string }>('SELECT events::text FROM subscription_state WHERE subscription_id = $1', [subscriptionId]);
  return Number(row?.events ?? 0);
}

/** A timestamp as ISO 8601 in UTC, the same text on both backends. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const EVENT_COLUMNS = `event_number::text AS "eventNumber", resource_type AS "resourceType", resource_id AS "resourceId", version_id AS "versionId", ${iso('occurred')} AS occurred`;

function asEvent(row: StoredEvent & { eventNumber: number | string }): StoredEvent {
  return { ...row, eventNumber: Number(row.eventNumber) };
}

export async function findEvent(q: Queryable, subscriptionId: string, eventNumber: number): Promise<StoredEvent | undefined> {
  const [row] = await q.query<StoredEvent>(`SELECT ${EVENT_COLUMNS} FROM subscription_event WHERE subscription_id = $1 AND event_number = $2`, [subscriptionId, eventNumber]);
  return row ? asEvent(row) : undefined;
}

export async function eventsBetween(q: Queryable, subscriptionId: string, since: number, until: number, limit: number): Promise<StoredEvent[]> {
  const rows = await q.query<StoredEvent>(
    `SELECT ${EVENT_COLUMNS} FROM subscription_event WHERE subscription_id = $1 AND event_number BETWEEN $2 AND $3 ORDER BY event_number LIMIT $4`,
    [subscriptionId, since, until, limit],
  );
  return rows.map(asEvent);
}

export async function logDelivery(q: Queryable, d: DeliveryRecord): Promise<void> {
  await q.query(
    `INSERT INTO subscription_delivery (subscription_id, kind, event_number, channel, attempt, outcome, http_status, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [d.subscriptionId, d.kind, d.eventNumber ?? null, d.channel, d.attempt, d.outcome, d.httpStatus ?? null, d.error?.slice(0, 2000) ?? null],
  );
}

export interface DeliveryRow extends DeliveryRecord {
  at: string;
}

/** The newest `limit` attempts, newest first. */
export async function deliveries(q: Queryable, subscriptionId: string, limit: number): Promise<DeliveryRow[]> {
  const rows = await q.query<{ kind: DeliveryRecord['kind']; event_number: string | null; channel: string; attempt: number; outcome: DeliveryRecord['outcome']; http_status: number | null; error: string | null; at: string }>(
    `SELECT kind, event_number::text, channel, attempt, outcome, http_status, error, ${iso('at')} AS at FROM subscription_delivery WHERE subscription_id = $1 ORDER BY seq DESC LIMIT $2`,
    [subscriptionId, limit],
  );
  return rows.map((r) => ({
    subscriptionId,
    kind: r.kind,
    ...(r.event_number !== null ? { eventNumber: Number(r.event_number) } : {}),
    channel: r.channel,
    attempt: r.attempt,
    outcome: r.outcome,
    ...(r.http_status !== null ? { httpStatus: r.http_status } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
    at: r.at,
  }));
}

export async function readCursor(q: Queryable): Promise<string | undefined> {
  const [row] = await q.query<{ last_updated: string }>(`SELECT ${iso('last_updated')} AS last_updated FROM subscription_cursor`);
  return row?.last_updated;
}

export async function advanceCursor(q: Queryable, lastUpdated: string): Promise<void> {
  await q.query(
    `INSERT INTO subscription_cursor (one, last_updated) VALUES (true, $1::timestamptz)
     ON CONFLICT (one) DO UPDATE SET last_updated = GREATEST(subscription_cursor.last_updated, EXCLUDED.last_updated)`,
    [lastUpdated],
  );
}
