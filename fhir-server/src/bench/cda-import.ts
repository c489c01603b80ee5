/**
 * `npm run bench:cda-import [-- --documents 200 --clients 8]`: `$cda-import` over HTTP onto
 * PostgreSQL, reproducibly — a Qiao in this process on a throwaway PostgreSQL (benchmark settings,
 * auth off, no demo data, profiles not installed), measured by the CDA benchmark's HTTP client in a
 * child process (cda-adapters `bench/run.js --http`), so the client does not share the server's
 * event loop.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withBenchServer } from './in-process-server.js';

const client = fileURLToPath(new URL('../../../cda-adapters/dist/bench/run.js', import.meta.url));

await withBenchServer('cda', ({ base }) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [client, '--http', base, ...process.argv.slice(2)], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the CDA benchmark client exited with ${code}`))));
  }),
);
