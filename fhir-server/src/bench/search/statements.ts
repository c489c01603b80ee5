/**
 * `--statements`: what PostgreSQL executed during the 100-client mix, by statement shape
 * (pg_stat_statements, loaded when the cluster starts): statements and execution time per request,
 * and the shapes that took the most time in all. The plans of the slowest single requests show
 * what one slow request does; this shows where the mix's database time goes.
 */
import { sqlOnce, sqlScript } from '../sql.js';

/** Added to the cluster's settings; auto_explain is preloaded too (explain.ts). */
export function withStatementStatistics(settings: Readonly<Record<string, string>>): Record<string, string> {
  const preload = [settings.shared_preload_libraries, 'pg_stat_statements'].filter((s) => s !== undefined && s !== '').join(',');
  return { ...settings, shared_preload_libraries: preload, 'pg_stat_statements.track': 'top', 'pg_stat_statements.max': '1000' };
}

export interface StatementShape {
  calls: number;
  /** Mean execution time of one call, ms. */
  meanMs: number;
  /** This shape's part of all execution time in the mix. */
  share: number;
  rows: number;
  /** Shared buffers read from outside PostgreSQL's cache, per call. */
  readsPerCall: number;
  /** The normalised statement, whitespace folded, cut short. */
  text: string;
}

export interface StatementProfile {
  requests: number;
  statements: number;
  execMs: number;
  shapes: StatementShape[];
}

const SHOWN = 8;
const TEXT_CHARS = 160;

/** Empties the statistics just before the mix (the extension is created in the database the first time). */
export async function resetStatementStatistics(databaseUrl: string): Promise<void> {
  await sqlScript(databaseUrl, ['CREATE EXTENSION IF NOT EXISTS pg_stat_statements', 'SELECT pg_stat_statements_reset()']);
}

interface Row {
  calls: string;
  total_exec_time: number;
  rows: string;
  shared_blks_read: string;
  query: string;
}

/** The statistics since the reset, for `requests` answered requests; the runner's own statements left out. */
export async function statementProfile(databaseUrl: string, requests: number): Promise<StatementProfile> {
  const rows = await sqlOnce<Row>(
    databaseUrl,
    `SELECT calls::text, total_exec_time, rows::text, shared_blks_read::text, query FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat_statements%'`,
  );
  return profileOf(rows, requests);
}

function profileOf(rows: readonly Row[], requests: number): StatementProfile {
  const execMs = rows.reduce((sum, r) => sum + r.total_exec_time, 0);
  const shapes = [...rows]
    .sort((a, b) => b.total_exec_time - a.total_exec_time)
    .slice(0, SHOWN)
    .map((r) => {
      const calls = Number(r.calls);
      return {
        calls,
        meanMs: r.total_exec_time / calls,
        share: execMs > 0 ? r.total_exec_time / execMs : 0,
        rows: Number(r.rows),
        readsPerCall: Number(r.shared_blks_read) / calls,
        text: r.query.replace(/\s+/g, ' ').trim().slice(0, TEXT_CHARS),
      };
    });
  return { requests, statements: rows.reduce((sum, r) => sum + Number(r.calls), 0), execMs, shapes };
}

export function statementsMarkdown(profile: StatementProfile): string[] {
  const per = (n: number) => (profile.requests > 0 ? n / profile.requests : 0);
  return [
    '',
    `#### PostgreSQL during the mix (\`--statements\`)`,
    '',
    `${profile.statements.toLocaleString('en-US')} statements for ${profile.requests.toLocaleString('en-US')} requests: ${per(profile.statements).toFixed(2)} per request, ` +
      `${per(profile.execMs).toFixed(2)} ms of execution per request (planning, parsing and the protocol not included). The statement shapes that took the most execution time:`,
    '',
    '| Share | Calls per request | Mean ms | Rows per call | Reads per call | Statement |',
    '|---|---|---|---|---|---|',
    ...profile.shapes.map(
      (s) => `| ${(s.share * 100).toFixed(1)} % | ${per(s.calls).toFixed(3)} | ${s.meanMs.toFixed(2)} | ${(s.rows / s.calls).toFixed(1)} | ${s.readsPerCall.toFixed(1)} | \`${s.text.replace(/[|`]/g, ' ')}\` |`,
    ),
  ];
}
