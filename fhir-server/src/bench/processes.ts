/**
 * Child processes of the benchmark: the servers under test run in their own processes so that the
 * load generator never shares their event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../testing/throwaway-postgres.js';

export interface ServerChild {
  url: string;
  pid: number;
  /** SIGTERM, then waits for the exit (a --cpu-prof profile is written on the way out). */
  stop(): Promise<void>;
}

/** A script of this build, e.g. `script('main.js')` or `script('bench/floor-read-server.js')`. */
export function script(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

/** Starts `node [nodeArgs] file` with PORT and HOST set; resolves once the port accepts connections. */
export async function startServerChild(file: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<ServerChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, file], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const stderr = collect(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exit = await Promise.race([exited, sleep(100).then(() => 'running' as const)]);
    if (exit !== 'running') throw new Error(`${file} exited (${exit}) before listening: ${stderr()}`);
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${file} did not listen on port ${port} within 60 s: ${stderr()}`);
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs `node file args` to completion and returns its stdout; throws with its stderr if it fails. */
export async function runChild(file: string, args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = collect(child);
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  // 'close', not 'exit': only then has all of stdout been read.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${code}: ${stderr()}`);
  return stdout;
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text = (text + chunk).slice(-4000)));
  return () => text.trim();
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Qiao itself, as `npm start` runs it, on `databaseUrl`, without authorisation: the benchmarks
 * measure the engine (the floor servers they compare with check no tokens either).
 */
export function startQiao(databaseUrl: string, nodeArgs: string[]): Promise<ServerChild> {
  return startServerChild(script('main.js'), { DATABASE_URL: databaseUrl, QIAO_DEMO_DATA: 'off', QIAO_LOG_LEVEL: 'silent', QIAO_DIMSE_PORT: 'off', QIAO_AUTH: 'off' }, nodeArgs);
}
