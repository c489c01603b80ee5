import type { Config } from '../config.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type Level = Exclude<keyof typeof LEVELS, 'silent'>;

export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line on stdout, for whatever collects the logs (journald, Loki, ELK). */
export function createLogger(level: Config['logLevel']): Logger {
  const threshold = LEVELS[level];
  return {
    log(lvl, msg, fields) {
      if (LEVELS[lvl] < threshold) return;
      process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
    },
  };
}
