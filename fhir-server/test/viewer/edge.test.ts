import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ensureViewerBuilt } from '../../src/bench/viewer/browser.js';
import { VIEWER_DIST } from '../../src/edges/viewer.js';
import { useTestServer } from '../support/test-server.js';

describe('the viewer edge serves viewer/dist at /viewer/', () => {
  const server = useTestServer('postgres');
  let script: string;

  beforeAll(async () => {
    await ensureViewerBuilt();
    const assets = await readdir(path.join(VIEWER_DIST, 'assets'));
    script = assets.find((f) => f.endsWith('.js'))!;
  }, 600_000);

  const get = (p: string) => fetch(`${server.url}${p}`, { redirect: 'manual' });

  it('answers page addresses with index.html, not cached', async () => {
    for (const p of ['/viewer/', '/viewer/?study=1.2.3', '/viewer/some/page']) {
      const reply = await get(p);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toBe('no-cache');
      expect(await reply.text()).toContain('<div id="app"></div>');
    }
    const bare = await get('/viewer?study=1.2.3');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/viewer/?study=1.2.3');
  });

  it('serves hashed assets with a year of cache, and 404 for a missing one or a path trick', async () => {
    const asset = await get(`/viewer/assets/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/viewer/assets/missing-0000.js')).status).toBe(404);
    for (const trick of ['/viewer/..%2f..%2fpackage.json', '/viewer/%2e%2e/%2e%2e/package.json', '/viewer/assets/..%2f..%2f..%2fpackage.json']) {
      const reply = await get(trick);
      expect([400, 403, 404]).toContain(reply.status);
      expect(await reply.text()).not.toContain('"workspaces"');
    }
  });
});
