/**
 * Every run of the search benchmark writes audit records into the kept dataset — one per search,
 * each naming the patients it returned, tens of thousands a run. Left there, they make each run's
 * dataset larger than the last (after a day of runs a patient's compartment held 930 references,
 * most of them earlier runs' records), and runs stop comparing. Before measuring, the records
 * written since the load are taken out and the chain is rewound to where the load left it, as a
 * restore of the loaded dataset would. The dataset is the benchmark's own: in a deployment a
 * record is only ever removed by retention (audit/retention.ts), oldest first, under an anchor.
 */
import { INDEX_TABLES } from '../../search/index/tables.js';
import { sqlScript } from '../sql.js';

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Removes the AuditEvents written after `since` (and their index rows, history and links); how many. */
export async function rewindAuditRecords(databaseUrl: string, since: string): Promise<number> {
  // One simple query takes no parameters: the instant is checked before it is written in.
  if (!ISO_INSTANT.test(since)) throw new RangeError(`not an instant: ${since}`);
  const from = (table: string) => `DELETE FROM ${table} x USING rewound g WHERE x.resource_type = 'AuditEvent' AND x.id = g.id`;
  const [row] = await sqlScript<{ n: string }>(databaseUrl, [
    `CREATE TEMP TABLE rewound ON COMMIT DROP AS SELECT id FROM resource WHERE resource_type = 'AuditEvent' AND last_updated > '${since}'::timestamptz`,
    ...Object.values(INDEX_TABLES).map((t) => from(t.name)),
    from('resource_history'),
    from('resource'),
    'DELETE FROM audit_pending p USING rewound g WHERE p.event_id = g.id',
    'DELETE FROM audit_chain c USING rewound g WHERE c.event_id = g.id',
    `UPDATE audit_chain_head SET (seq, hash) = (SELECT coalesce(max(seq), 0), coalesce((SELECT hash FROM audit_chain ORDER BY seq DESC LIMIT 1), repeat('0', 64)) FROM audit_chain)`,
    'SELECT count(*)::text AS n FROM rewound',
  ]);
  return Number(row?.n ?? 0);
}
