import { mkdtemp, rm } from 'node:fs/promises'; import os from 'node:os'; import path from 'node:path';
import { loadConfig } from './dist/config.js'; import { startServer } from './dist/server.js';
import { loadDemoData } from './dist/demo.js';
import { loadDemoImages } from './dist/demo-images.js';
const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-time-'));
const running = await startServer({ ...loadConfig({}), port: 0, dataDir: dir, logLevel: 'silent', auth: 'off', dimsePort: null, installProfiles: false });
// loadDemoData runs the images last; time them on their own by stubbing nothing: count first, then again.
let t = Date.now();
await loadDemoData(running);
console.log(JSON.stringify({ demoDataAndImagesMs: Date.now() - t }));
await running.close(); await rm(dir, { recursive: true, force: true });
