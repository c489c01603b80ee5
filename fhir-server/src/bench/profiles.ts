import { loadPackage } from '@qiao/profiles';
import { createTerminology, shippedContent } from '@qiao/terminology';
import { Histogram } from './histogram.js';
import { checkingWith, nationalCodesOf } from '../validation/national-codes.js';
import { cnProfiles } from '../validation/profiles.js';
import { validateResource } from '../validation/validate.js';

/**
 * In-process cost of validating a typical CN Patient (the package's `Patient-full` example:
 * resident ID, four coded extensions, address with division code, visit number, GB/T 2261.2
 * marital status) — against R4 plus its profile, and against the profile alone. Warm-up first, so
 * the figures are the steady state a busy server sees. `node dist/bench/profiles.js [iterations]`.
 */
const iterations = Number(process.argv[2] ?? 20_000);
const patient = loadPackage().examples.find((e) => e.file === 'valid/Patient-full.json')?.resource;
if (!patient) throw new Error('Patient-full example missing');
// National bindings checked against the shipped tables, as on the server.
const codes = nationalCodesOf(createTerminology({ resources: shippedContent() }));
if (validateResource(patient, { codes }).length) throw new Error('the example must be valid');

function measure(name: string, run: () => unknown): void {
  for (let i = 0; i < 2_000; i++) run();
  const histogram = new Histogram();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    run();
    histogram.recordMicros((performance.now() - t) * 1000);
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`${name}: median ${histogram.quantileMs(0.5).toFixed(3)} ms, p95 ${histogram.quantileMs(0.95).toFixed(3)} ms, p99 ${histogram.quantileMs(0.99).toFixed(3)} ms, ${Math.round(iterations / seconds)}/s`);
}

const profiles = cnProfiles();
console.log(`CN Patient validation, ${iterations} iterations, Node ${process.version}`);
measure('R4 + cn-patient (validateResource)', () => validateResource(patient, { codes }));
measure('cn-patient only', () => checkingWith(codes, () => profiles.validate(patient)));
