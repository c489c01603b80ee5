import { chromiumMissing } from '../../src/bench/viewer/browser.js';

/** `describe` where Debian's chromium is installed; elsewhere the block is skipped and says why. */
export function describeInChromium(name: string, body: () => void): void {
  const missing = chromiumMissing();
  if (missing) console.warn(`${name}: skipped, ${missing}`);
  (missing ? describe.skip : describe)(name, body);
}
