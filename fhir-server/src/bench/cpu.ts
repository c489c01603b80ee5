/**
 * CPU accounting for a measurement window (Linux /proc): how many cores the server under test,
 * PostgreSQL, the load generator and everything else on the machine used. It tells which side is
 * the bottleneck, and whether other work on the machine was taking the cores the figures assume.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Cores in use on average over the window (1 = one core busy the whole time). */
export interface CpuUse {
  server: number;
  postgres: number;
  client: number;
  other: number;
}

export interface CpuGroups {
  /** The process under test (Qiao or a floor). */
  server: number[];
  /** The PostgreSQL postmaster: it and its children (the backends, the WAL writer, …) count as `postgres`. */
  postmaster: number;
  /** The load generator. */
  client: number[];
}

/** /proc counts in USER_HZ, which is 100 on every Linux that Node supports. */
const TICKS_PER_SECOND = 100;

/** Other work on the machine above this many cores makes the figures low by an unknown amount. */
export const CONTENTION_CORES = 0.25;
/** How long a measurement waits for other work to stop before it starts anyway. */
const QUIET_WAIT_MS = 10_000;

export class CpuMeter {
  constructor(private readonly groups: CpuGroups) {}

  /**
   * Starts a window once other processes have used less than CONTENTION_CORES for a second (or
   * after QUIET_WAIT_MS); the function it returns ends it. Zeros where /proc is missing.
   */
  async begin(): Promise<() => CpuUse> {
    const deadline = performance.now() + QUIET_WAIT_MS;
    while (performance.now() < deadline) {
      const probe = this.window();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (probe().other < CONTENTION_CORES) break;
    }
    return this.window();
  }

  private window(): () => CpuUse {
    const started = performance.now();
    const before = this.sample();
    return () => {
      const after = this.sample();
      const seconds = (performance.now() - started) / 1000;
      const cores = (key: keyof Sample) => Math.max(0, (after[key] - before[key]) / TICKS_PER_SECOND / seconds);
      const total = cores('total');
      const [server, postgres, client] = [cores('server'), cores('postgres'), cores('client')];
      return { server, postgres, client, other: Math.max(0, total - server - postgres - client) };
    };
  }

  private sample(): Sample {
    const processes = readProcesses();
    const own = (pids: number[]) => pids.reduce((n, pid) => n + (processes.get(pid)?.ticks ?? 0), 0);
    const postmaster = processes.get(this.groups.postmaster);
    let postgres = (postmaster?.ticks ?? 0) + (postmaster?.reapedTicks ?? 0);
    for (const p of processes.values()) if (p.ppid === this.groups.postmaster) postgres += p.ticks;
    return { server: own(this.groups.server), postgres, client: own(this.groups.client), total: machineBusyTicks() };
  }
}

/** The postmaster of the backend serving a connection (`SELECT pg_backend_pid()`). */
export function parentPid(pid: number): number {
  return readProcesses().get(pid)?.ppid ?? 0;
}

interface Sample {
  server: number;
  postgres: number;
  client: number;
  total: number;
}

interface ProcessTicks {
  ppid: number;
  /** utime + stime of all its threads. */
  ticks: number;
  /** cutime + cstime: children that exited and were waited for. */
  reapedTicks: number;
}

function readProcesses(): Map<number, ProcessTicks> {
  const processes = new Map<number, ProcessTicks>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return processes;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may itself contain spaces.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      processes.set(Number(entry), { ppid: f[1] ?? 0, ticks: (f[11] ?? 0) + (f[12] ?? 0), reapedTicks: (f[13] ?? 0) + (f[14] ?? 0) });
    } catch {
      // The process ended while we looked.
    }
  }
  return processes;
}

function machineBusyTicks(): number {
  try {
    const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).map(Number) ?? [];
    return user + nice + system + irq + softirq + steal;
  } catch {
    return 0;
  }
}
