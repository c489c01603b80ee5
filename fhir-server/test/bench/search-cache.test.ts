import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheKey, migratable, writeCached, type LoadedDataset } from '../../src/bench/search/cache.js';
import { datasetSpec } from '../../src/bench/search/dataset.js';
import { migrations } from '../../src/schema/migrations.js';

/** The search benchmark keeps its million-resource dataset; one loaded by an earlier schema is migrated, not loaded again. */
describe('the search benchmark dataset cache', () => {
  const spec = datasetSpec(10, 100);
  const latest = Math.max(...migrations.map((m) => m.version));
  const earlier = migrations.filter((m) => m.version < latest);
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'qiao-bench-cache-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function dataset(name: string, complete = true): Promise<void> {
    await mkdir(path.join(root, name));
    if (complete) {
      const loaded: LoadedDataset = { spec, database: 'bench', loadedAt: '2026-12-07T00:00:00.000Z', load: { bundles: 1, resources: 100, byType: {}, seconds: 1, rate: 100 }, databaseBytes: 1, facts: [] };
      await writeCached(path.join(root, name), loaded);
    }
  }

  it('finds a complete dataset of an earlier schema whose migrations are unchanged', async () => {
    const name = cacheKey(spec, 'generator-a', earlier);
    await dataset(name);
    expect(await migratable(path.join(root, cacheKey(spec, 'generator-a')), spec, 'generator-a')).toEqual({ name, schema: latest - 1 });
  });

  it('takes the latest of several', async () => {
    const older = migrations.filter((m) => m.version < latest - 1);
    await dataset(cacheKey(spec, 'generator-a', older));
    const name = cacheKey(spec, 'generator-a', earlier);
    await dataset(name);
    expect(await migratable(path.join(root, cacheKey(spec, 'generator-a')), spec, 'generator-a')).toEqual({ name, schema: latest - 1 });
  });

  it('leaves alone one made by another generator, by a migration changed since, or not finished', async () => {
    const target = path.join(root, cacheKey(spec, 'generator-a'));
    await dataset(cacheKey(spec, 'generator-b', earlier));
    await dataset(cacheKey(spec, 'generator-a', earlier.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql} ` } : m))));
    expect(await migratable(target, spec, 'generator-a')).toBeUndefined();
    await dataset(cacheKey(spec, 'generator-a', earlier), false);
    expect(await migratable(target, spec, 'generator-a')).toBeUndefined();
  });
});
