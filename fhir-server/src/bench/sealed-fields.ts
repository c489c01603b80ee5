import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { registerKeyRing } from '../crypto/key-registry.js';
import { generateKeyFile, keyRingFrom } from '../crypto/key-ring.js';
import { loadR4 } from '../definitions/r4.js';
import { FieldSealer, openStored } from '../repository/sealed-fields.js';
import { extractIndex } from '../search/index/extract.js';
import { patientBundles } from '../seed/bundles.js';
import { median } from './report.js';

/**
 * `npm run bench:sealed-fields [-- patients]`: the CPU cost of field-level encryption at rest per
 * resource, in process (no database): sealing on write (SM4-CBC + HMAC-SM3 per value, the blind
 * indexes, one more JSON serialisation) against what a write costs anyway (serialising and
 * extracting the index rows), and opening on read (on the text, no parse) for a Patient and for a
 * resource without sealed values (one substring search). Seed data: realistic Patients with a
 * resident ID and one or two phone numbers, and their clinical resources.
 */
type Json = Record<string, unknown>;

function perOp(label: string, items: readonly unknown[], work: (item: never, k: number) => unknown, rounds = 5): { label: string; us: number } {
  for (const [k, item] of items.entries()) work(item as never, k); // warm-up
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (const [k, item] of items.entries()) work(item as never, k);
    times.push(((performance.now() - start) * 1000) / items.length);
  }
  return { label, us: median(times) };
}

/** Opening values never opened before: each round seals the Patients afresh (new tokens), then opens each once. */
function firstOpening(sealer: FieldSealer, persons: readonly Json[], rounds = 5): { label: string; us: number } {
  const times: number[] = [];
  for (let r = 0; r < rounds + 1; r++) {
    const ids = persons.map((p) => `${p.id as string}-${r}`);
    const texts = persons.map((p, k) => sealer.seal(p, 'Patient', ids[k] as string)?.text as string);
    const start = performance.now();
    for (const [k, text] of texts.entries()) openStored(text, 'Patient', ids[k] as string);
    // The first round warms the code up.
    if (r > 0) times.push(((performance.now() - start) * 1000) / texts.length);
  }
  return { label: 'Patient: open the stored text the first time', us: median(times) };
}

function main(): void {
  const patients = Number(process.argv[2] ?? 2000);
  loadR4();
  const ring = keyRingFrom(generateKeyFile(), { kind: 'environment' });
  registerKeyRing(ring);
  const sealer = new FieldSealer(ring);
  const persons: Json[] = [];
  const others: Json[] = [];
  for (const bundle of patientBundles({ patients })) {
    for (const entry of bundle.entry ?? []) {
      const resource: Json = { ...(entry.resource as unknown as Json), id: `r${persons.length + others.length}`, meta: { versionId: '1', lastUpdated: '2026-12-06T00:00:00.000Z' } };
      (resource.resourceType === 'Patient' ? persons : others).push(resource);
    }
  }
  const sealedTexts = persons.map((p) => sealer.seal(p, 'Patient', p.id as string)?.text as string);
  const plainTexts = others.map((o) => JSON.stringify(o));
  const sample = others.slice(0, persons.length);
  const rows = [
    perOp('Patient: JSON.stringify (done on every write anyway)', persons, (p: Json) => JSON.stringify(p)),
    perOp('Patient: index rows, plaintext (done on every write anyway)', persons, (p: Json) => extractIndex(p)),
    perOp('Patient: seal (tokens, sealed text, blind-index view)', persons, (p: Json) => sealer.seal(p, 'Patient', p.id as string)),
    perOp('Patient: index rows of the blind-index view', persons, (p: Json) => extractIndex(sealer.indexView(p))),
    firstOpening(sealer, persons),
    perOp('Patient: open the stored text again (opened before)', sealedTexts, (t: string, k) => openStored(t, 'Patient', persons[k]?.id as string)),
    perOp('Patient: JSON.parse of the stored text (for comparison)', sealedTexts, (t: string) => JSON.parse(t)),
    perOp('other resource: seal (nothing to seal)', sample, (o: Json) => sealer.seal(o, o.resourceType as string, o.id as string)),
    perOp('other resource: open (no token)', plainTexts, (t: string, k) => openStored(t, others[k]?.resourceType as string, others[k]?.id as string)),
  ];
  const values = persons.map((p) => (JSON.stringify(p).match(/"system":"(urn:oid:2\.16\.156\.10011\.1\.(3|15|19)|phone|sms)"/g) ?? []).length);
  process.stdout.write(
    `sealed-fields benchmark: ${persons.length} Patients (${(values.reduce((a, b) => a + b, 0) / persons.length).toFixed(2)} sealed values each), ${others.length} other resources; ` +
      `${os.cpus()[0]?.model ?? 'cpu'} ×${os.availableParallelism()}, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(1)}\n`,
  );
  for (const row of rows) process.stdout.write(`${row.us.toFixed(1).padStart(8)} µs  ${row.label}\n`);
}

main();
