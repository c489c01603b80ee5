/**
 * `npm run bench:cda-import [-- --documents 200 --clients 8]`: `$cda-import` over HTTP onto
 * PostgreSQL, reproducibly — a Qiao in this process on a throwaway PostgreSQL (benchmark settings,
 * auth off, no demo data, profiles not installed), measured by the CDA benchmark's HTTP client in a
 * child process (cda-adapters `bench/run.js --http`), so the client does not share the server's
 * event loop. The client's result gets `serverCpuMsPerDocument`: this process's CPU time (user +
 * system) while the client ran, over every import including the client's 10 warm-ups — a figure a
 * busy shared machine disturbs far less than documents per second.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withBenchServer } from './in-process-server.js';

const client = fileURLToPath(new URL('../../../cda-adapters/dist/bench/run.js', import.meta.url));

const result = await withBenchServer('cda', ({ base }) =>
  new Promise<Record<string, unknown>>((resolve, reject) => {
    const cpu = process.cpuUsage();
    const child = spawn(process.execPath, [client, '--http', base, ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`the CDA benchmark client exited with ${code}`));
      const used = process.cpuUsage(cpu);
      const measured = JSON.parse(Buffer.concat(out).toString('utf8')) as Record<string, unknown>;
      const imports = Number(measured.documents) + Number(measured.warmUp);
      resolve({ ...measured, serverCpuMsPerDocument: Number(((used.user + used.system) / 1000 / imports).toFixed(1)) });
    });
  }),
);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
