import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ThrowawayPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  /** The server's log (its stderr). */
  logFile: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface ThrowawayOptions {
  /** Extra `-c name=value` server settings (e.g. `shared_buffers`). */
  settings?: Record<string, string>;
  /** Durability off (fsync, full_page_writes): for tests, not for benchmarks. */
  fast?: boolean;
  /**
   * Keep the cluster in this directory instead of a temporary one: initialised when it holds
   * none, reused as it is otherwise, and shut down cleanly but left in place by stop(). For data
   * that is slow to load (the search benchmark's dataset).
   */
  directory?: string;
}

/**
 * Starts a private PostgreSQL 15 cluster in a temporary directory on a free loopback port, for
 * tests and benchmarks. As root, the server runs as the `postgres` user (PostgreSQL refuses root).
 */
export async function startThrowawayPostgres(options: ThrowawayOptions = {}): Promise<ThrowawayPostgres> {
  const bin = findBinDir();
  const kept = options.directory !== undefined;
  const dir = options.directory ?? (await mkdtemp(path.join(os.tmpdir(), 'qiao-pg-')));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const asRoot = process.getuid?.() === 0;
  const exec = (file: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, file), ...args]) : run(path.join(bin, file), args);
  if (kept) await mkdir(dir, { recursive: true });
  if (asRoot) {
    await chmod(dir, 0o777);
    execFileSync('chown', ['postgres', dir]);
    // A kept cluster may sit below a private folder (the repository's data/ holds the key file):
    // the postgres user needs to pass through it, not to list or read it.
    if (kept) await letEveryonePassThrough(path.dirname(path.resolve(dir)));
  }
  if (!kept || !existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await exec('initdb', ['-D', dataDir, '-U', 'qiao', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  } else {
    // A run that was killed may have left its server running on the directory.
    await exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
  }
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    max_connections: '200',
    ...(options.fast ? { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' } : {}),
    ...options.settings,
  };
  const serverArgs = [`-p ${port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  // A kept cluster may need crash recovery first, which can take longer than a fresh start.
  await exec('pg_ctl', ['-D', dataDir, '-o', serverArgs, '-l', logFile, '-w', '-t', kept ? '600' : '60', 'start']);
  const url = `postgres://qiao@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    logFile,
    createDatabase: (name) => createDatabase(url, name),
    async stop() {
      // A kept cluster is shut down with a checkpoint, so that the next start needs no recovery.
      await exec('pg_ctl', ['-D', dataDir, '-m', kept ? 'fast' : 'immediate', '-w', 'stop']).catch(() => undefined);
      if (!kept) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates an empty database beside the one `adminUrl` names, and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return adminUrl.replace(/\/[^/]*$/, `/${name}`);
}

function findBinDir(): string {
  const candidates = [process.env.QIAO_PG_BIN, '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];
  for (const c of candidates) if (c && existsSync(path.join(c, 'initdb'))) return c;
  try {
    return execFileSync('pg_config', ['--bindir']).toString().trim();
  } catch {
    throw new Error('PostgreSQL server binaries not found: install postgresql-15 or set QIAO_PG_BIN');
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Adds the others-may-traverse bit to `folder` and every folder above it that lacks it. */
async function letEveryonePassThrough(folder: string): Promise<void> {
  for (let at = folder; ; at = path.dirname(at)) {
    const { mode } = await stat(at);
    if ((mode & 0o001) === 0) await chmod(at, (mode & 0o7777) | 0o001);
    if (path.dirname(at) === at) return;
  }
}
