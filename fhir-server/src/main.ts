import { ensureDemoAccounts } from './auth/demo-accounts.js';
import { loadConfig } from './config.js';
import { loadDemoData } from './demo.js';
import { setHeapGrowth } from './runtime/heap-growth.js';
import { startServer } from './server.js';

setHeapGrowth();
const config = loadConfig();
const running = await startServer(config);
if (config.demoData) {
  await loadDemoData(running);
  await ensureDemoAccounts(running);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    running.logger.log('info', 'shutting down', { signal });
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
