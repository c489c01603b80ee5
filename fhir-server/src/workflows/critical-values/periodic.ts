import type { Logger } from '../../http/logger.js';

/**
 * Background work over stored data, at start and every `seconds`: a tick while a run is still
 * going is skipped, and `stop` waits for the run in flight. Because each run is a query over what
 * is stored, nothing is lost across a restart.
 */
export function periodic(name: string, seconds: number, logger: Logger, run: () => Promise<void>): { start(): void; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const go = (): void => {
    if (stopped || running) return;
    running = run()
      .catch((error: unknown) => logger.log('error', `${name} failed`, { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start() {
      timer = setInterval(go, seconds * 1000);
      timer.unref();
      go();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
