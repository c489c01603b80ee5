/** The server's heap growth, observed in V8 itself in a child process. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { HEAP_GROWING_PERCENT, setHeapGrowth } from '../../src/runtime/heap-growth.js';

jest.setTimeout(60_000);
const run = promisify(execFile);
// The built module, as `npm start` runs it (the test command builds first).
const moduleUrl = new URL('../../dist/runtime/heap-growth.js', import.meta.url);

/**
 * The old generation's limit over what the full collection before it kept (V8's `--trace-gc` and
 * `--trace-incremental-marking` lines), in a child that calls `setHeapGrowth`, keeps ≈ 100 MB alive, collects fully, then
 * allocates garbage until V8 marks again.
 */
async function roomAfterFullCollection(execArgv: string[] = []): Promise<number> {
  const script = `
    const { setHeapGrowth } = await import(${JSON.stringify(moduleUrl.href)});
    setHeapGrowth();
    const keep = [];
    for (let i = 0; i < 1_500_000; i++) keep.push({ n: i, s: 'value ' + i });
    globalThis.gc();
    let junk = [];
    for (let i = 0; i < 10_000_000; i++) { junk.push({ i }); if (junk.length > 200_000) junk = []; }
    console.log(keep.length + junk.length);
  `;
  const { stdout } = await run(process.execPath, ['--expose-gc', '--trace-gc', '--trace-incremental-marking', ...execArgv, '--input-type=module', '-e', script], { maxBuffer: 16 << 20 });
  let kept = 0;
  for (const line of stdout.split('\n')) {
    const collected = /Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
    if (collected) kept = Number(collected[1]);
    const start = /Start \([^)]*\): \(size\/limit\/slack\) v8: \d+MB \/ (\d+)MB/.exec(line);
    if (start && kept >= 60) return Number(start[1]) / kept;
  }
  throw new Error(`no marking after a full collection that kept 60 MB or more:\n${stdout.slice(0, 3000)}`);
}

describe('heap growth', () => {
  it('leaves the old generation half its retained size again as room', async () => {
    expect(await roomAfterFullCollection()).toBeGreaterThanOrEqual(1 + HEAP_GROWING_PERCENT / 100 - 0.05);
  });

  it('keeps an operator’s own --heap-growing-percent', async () => {
    expect(setHeapGrowth(['--heap-growing-percent=10'])).toBe(false);
    // V8 adds a fixed step to the factor's limit: 10 % comes to ≈ 1.3, the server's 50 % to ≈ 1.6.
    expect(await roomAfterFullCollection(['--heap-growing-percent=10'])).toBeLessThan(1 + HEAP_GROWING_PERCENT / 100 - 0.1);
  });
});
