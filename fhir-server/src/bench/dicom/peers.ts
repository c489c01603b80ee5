/**
 * The two servers of the DICOM benchmark. Qiao runs as `npm start` runs it (a child process on a
 * throwaway PostgreSQL, DIMSE on a free loopback port). Orthanc 1.10 binds every interface and has no
 * setting against it, so it runs inside a network namespace that only has loopback, and so do the
 * clients that measure it (see `command`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, type ThrowawayPostgres } from '../../testing/throwaway-postgres.js';
import { script, startServerChild } from '../processes.js';

const run = promisify(execFile);

export interface Peer {
  name: 'Qiao' | 'Orthanc';
  /** DICOMweb root, without a trailing slash. */
  web: string;
  dimse: { host: string; port: number; aeTitle: string };
  /** Prefix of every client command that talks to this peer (the namespace it is reachable in). */
  command: string[];
  pid: number;
  version: string;
  stop(): Promise<void>;
}

export async function startQiaoPeer(pg: ThrowawayPostgres, dataDir: string, nodeArgs: string[]): Promise<Peer> {
  const databaseUrl = await pg.createDatabase('qiao_dicom_bench');
  const dimsePort = await freePort();
  const child = await startServerChild(
    script('main.js'),
    // Authorisation off: Orthanc is measured without any either.
    { DATABASE_URL: databaseUrl, QIAO_DATA_DIR: dataDir, QIAO_DEMO_DATA: 'off', QIAO_LOG_LEVEL: 'silent', QIAO_DIMSE_PORT: String(dimsePort), QIAO_AUTH: 'off' },
    nodeArgs,
  );
  return {
    name: 'Qiao',
    web: `${child.url}/dicomweb`,
    dimse: { host: '127.0.0.1', port: dimsePort, aeTitle: 'QIAO' },
    command: [],
    pid: child.pid,
    version: 'this work tree',
    stop: child.stop,
  };
}

const ORTHANC = '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** Why Orthanc cannot be a peer here, or undefined when it can. */
export function orthancUnavailable(): string | undefined {
  if (!existsSync(ORTHANC)) return `${ORTHANC} not found (apt-get install orthanc orthanc-dicomweb)`;
  if (!existsSync(DICOMWEB_PLUGIN)) return `${DICOMWEB_PLUGIN} not found (apt-get install orthanc-dicomweb)`;
  if (process.getuid?.() !== 0) return 'not root: a network namespace (ip netns) is needed to keep Orthanc on loopback';
  return undefined;
}

/** Orthanc with its DICOMweb plugin in a fresh namespace `qiao-bench-<pid>`; readiness is the client's to wait for. */
export async function startOrthancPeer(dir: string): Promise<Peer> {
  const ns = `qiao-bench-${process.pid}`;
  await run('ip', ['netns', 'add', ns]);
  const removeNs = () => run('ip', ['netns', 'delete', ns]).then(() => undefined);
  try {
    await run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    await mkdir(path.join(dir, 'storage'), { recursive: true });
    const config = path.join(dir, 'orthanc.json');
    await writeFile(
      config,
      JSON.stringify(
        {
          Name: 'qiao-bench',
          StorageDirectory: path.join(dir, 'storage'),
          IndexDirectory: path.join(dir, 'storage'),
          HttpPort: 8042,
          DicomPort: 4242,
          DicomAet: 'ORTHANC',
          RemoteAccessAllowed: true,
          AuthenticationEnabled: false,
          StorageCompression: false,
          // Else every QIDO answer reads a file (field notes).
          StorageAccessOnFind: 'Never',
          // Qiao does not fsync its files either (its index commits are durable, as Orthanc's are).
          SyncStorageArea: false,
          SaveJobs: false,
          Plugins: [DICOMWEB_PLUGIN],
          DicomWeb: { Enable: true, Root: '/dicom-web/' },
        },
        null,
        2,
      ),
    );
    const log = openSync(path.join(dir, 'orthanc.log'), 'a');
    // `ip netns exec` execs Orthanc in place: the child's pid is Orthanc's.
    // TCP_NODELAY=1: DCMTK, inside Orthanc, leaves Nagle's algorithm on otherwise (Qiao's sockets have it off).
    const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, ORTHANC, config], { stdio: ['ignore', log, log], env: { ...process.env, TCP_NODELAY: '1' } });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const versions = await run('dpkg-query', ['-W', '-f', '${Package} ${Version}, ', 'orthanc', 'orthanc-dicomweb']).then((r) => r.stdout.replace(/, $/, ''), () => 'unknown');
    return {
      name: 'Orthanc',
      web: 'http://127.0.0.1:8042/dicom-web',
      dimse: { host: '127.0.0.1', port: 4242, aeTitle: 'ORTHANC' },
      command: ['ip', 'netns', 'exec', ns],
      pid: child.pid as number,
      version: `Debian packages ${versions}`,
      async stop() {
        child.kill('SIGTERM');
        await exited;
        await removeNs();
      },
    };
  } catch (error) {
    await removeNs().catch(() => undefined);
    throw error;
  }
}
