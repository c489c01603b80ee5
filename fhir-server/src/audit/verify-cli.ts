import { loadConfig } from '../config.js';
import { openDatabase } from '../server.js';
import { verifyChain } from './verify.js';

/**
 * `npm run audit:verify`: walks the audit hash chain of the configured database (DATABASE_URL, or
 * the embedded one under QIAO_DATA_DIR — stop the server first, PGlite serves one process) and
 * reports the first broken link. Exit code 0: intact; 1: tampering or loss found; 2: could not check.
 */
async function main(): Promise<number> {
  const db = await openDatabase(loadConfig());
  try {
    const grace = process.env.QIAO_AUDIT_LINK_GRACE_SECONDS;
    const result = await verifyChain(db, grace ? { graceSeconds: Number(grace) } : {});
    const [head] = await db.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_chain_head WHERE one');
    if (result.ok) {
      process.stdout.write(`审计链完整 | audit chain intact: ${result.checked} links checked (from sequence ${result.from}), head ${head?.seq ?? '-'} ${head?.hash ?? '-'}\n`);
      return 0;
    }
    const b = result.broken;
    process.stdout.write(
      `审计链被破坏 | audit chain BROKEN at sequence ${b?.seq ?? '?'}${b?.eventId ? ` (AuditEvent/${b.eventId})` : ''}: ${b?.problem ?? '?'}` +
        `${b?.expected !== undefined ? `\n  expected: ${b.expected}` : ''}${b?.found !== undefined ? `\n  found:    ${b.found}` : ''}\n` +
        `  ${result.checked} links verified before it\n`,
    );
    return 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`审计链无法检查 | could not verify the audit chain: ${String((error as Error)?.message ?? error)}\n`);
    process.exit(2);
  },
);
