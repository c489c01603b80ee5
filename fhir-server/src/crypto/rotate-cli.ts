import { loadConfig } from '../config.js';
import { migrate } from '../schema/migrate.js';
import { openDatabase } from '../server.js';
import { devKeyFilePath } from './key-ring.js';
import { rotateStoredKeys } from './rotate-store.js';

const USAGE = `npm run keys:rotate -- [--retire] [--blind-index] [--reindex] [--batch N]

  Adds a new SM4 field key to the key file (QIAO_KEY_FILE, or the development key file under
  QIAO_DATA_DIR), makes it current, and re-seals every stored identity-document and phone number
  (current versions and history) in batches while the servers keep running.
  --retire       then remove the previous field keys from the file (refused while a value needs them)
  --blind-index  also replace the blind-index key and rebuild the index rows (restart the servers after)
  --reindex      rebuild the index rows of the sealed types (after switching encryption on over old data)
  --batch N      rows per transaction (default 500)`;

/**
 * \`npm run keys:rotate\` (docs/crypto.md). Exit code 0: rotated; 1: rotated but values under the
 * previous key remain (a server still runs with the old file); 2: could not rotate.
 */
async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const known = new Set(['--retire', '--blind-index', '--reindex', '--batch']);
  const unknown = args.filter((a, k) => a.startsWith('--') && !known.has(a) && args[k - 1] !== '--batch');
  if (unknown.length) throw new Error(`unknown option ${unknown.join(' ')}\n${USAGE}`);
  const batchAt = args.indexOf('--batch');
  const batch = batchAt >= 0 ? Number(args[batchAt + 1]) : 500;
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new Error('--batch must be an integer from 1 to 10000');
  const config = loadConfig();
  if (config.keys && !config.keyFile) throw new Error('QIAO_KEYS (keys in the environment) cannot be rotated here: rotate the key file your secret store holds, or use QIAO_KEY_FILE');
  const keyFile = config.keyFile ?? devKeyFilePath(config.dataDir);
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const summary = await rotateStoredKeys(db, {
      keyFile,
      batch,
      retire: args.includes('--retire'),
      blindIndex: args.includes('--blind-index'),
      reindex: args.includes('--reindex'),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(
      `密钥轮换完成 | rotation done: field key ${summary.keyId}; re-sealed ${summary.resealed.current} current and ${summary.resealed.history} history rows; ` +
        `index rebuilt for ${summary.reindexed} resources; ${summary.remaining} rows still under a previous key${summary.retired.length ? `; retired ${summary.retired.join(', ')}` : ''}\n`,
    );
    return summary.remaining > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`密钥轮换失败 | key rotation failed: ${String((error as Error)?.message ?? error)}\n`);
    process.exit(2);
  },
);
