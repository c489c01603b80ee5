#!/usr/bin/env node
/**
 * Entry point of `npm run bench:registry` (issue 10, figures):
 *  1. in process: the cancer registry's quality rules per case (evaluateCase on synthetic cases
 *     with their patients, ICD-O-3 looked up in a complete table), median and p95;
 *  2. over HTTP against a server on a throwaway PostgreSQL: case submissions per second (POST
 *     Condition with the rules, duplicate check, review and follow-up Tasks), 1 and 4 clients;
 *  3. CDS Hooks `order-sign` response time (p50/p95) for a patient with earlier results.
 * Prints a Markdown table with the load average before and after. `--cases=<n>` (default 300).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { CodeSystem, Condition, Patient } from '@medplum/fhirtypes';
import { createTerminology, shippedContent } from '@qiao/terminology';
import { BASIS_SYSTEM, CANCER, EXT, ICDO3, REGISTRY_TAG_SYSTEM } from '../../registries/cancer/model.js';
import { evaluateCase, icdo3Checker } from '../../registries/cancer/quality.js';
import { CANCER_RULES } from '../../registries/cancer/rules.js';
import { withBenchServer } from '../in-process-server.js';
import { codeRevision } from '../machine.js';

const args = process.argv.slice(2);
const caseCount = Number(args.find((a) => a.startsWith('--cases='))?.slice('--cases='.length) ?? 300);
const root = new URL('../../../../', import.meta.url);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const progress = (line: string) => process.stderr.write(`[bench:registry] ${line}\n`);

const SITES = [['C16.9', 'C16.900', '8140/3'], ['C18.7', 'C18.700', '8140/3'], ['C22.0', 'C22.000', '8170/3'], ['C34.1', 'C34.100', '8070/3'], ['C50.9', 'C50.900', '8500/3'], ['C53.9', 'C53.900', '8070/3'], ['C61.9', 'C61.x00', '8140/3'], ['C73.9', 'C73.x00', '8260/3']] as const;
const ICDO3_TABLE: CodeSystem = {
  resourceType: 'CodeSystem', url: ICDO3, version: '3.2-bench', name: 'ICDO3Bench', status: 'active', content: 'complete',
  concept: [...new Set(SITES.flatMap(([t, , m]) => [t, m]))].map((code) => ({ code })),
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function syntheticPatient(i: number, random: () => number): Patient {
  const gender = random() < 0.5 ? 'male' : 'female';
  return { resourceType: 'Patient', gender, birthDate: `${1935 + Math.floor(random() * 50)}-0${1 + (i % 9)}-1${i % 9}`, identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: `33010${String(100000000000 + i)}` }], address: [{ city: '杭州市' }], telecom: [{ system: 'phone', value: `138${String(10000000 + i)}` }] };
}

function syntheticCase(patientRef: string, p: Patient, i: number, random: () => number): Condition {
  // Sex-specific sites only for the matching sex, and one case in ten with a blocking error.
  const usable = SITES.filter(([t]) => !(p.gender === 'male' && t === 'C53.9') && !(p.gender === 'female' && t === 'C61.9'));
  const [topography, icd10, morphology] = usable[Math.floor(random() * usable.length)] as (typeof SITES)[number];
  const day = 1 + Math.floor(random() * 27);
  return {
    resourceType: 'Condition',
    meta: { tag: [{ system: REGISTRY_TAG_SYSTEM, code: CANCER }] },
    extension: [
      { url: EXT.morphology, valueCodeableConcept: { coding: [{ system: ICDO3, code: morphology }] } },
      ...(i % 10 === 9 ? [] : [{ url: EXT.basis, valueCodeableConcept: { coding: [{ system: BASIS_SYSTEM, code: random() < 0.8 ? '7' : '2' }] } }]),
      { url: EXT.reporter, valueReference: { reference: `Organization/bench-${i % 5}` } },
    ],
    code: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.3.11', code: icd10 }] },
    bodySite: [{ coding: [{ system: ICDO3, code: topography }] }],
    subject: { reference: patientRef },
    onsetDateTime: `2026-${String(1 + (i % 10)).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    recordedDate: '2026-11-30',
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
}

const rows: string[] = [];
const loadBefore = load();
progress(`load average ${loadBefore}; in-process rule evaluation of ${caseCount} cases`);
{
  const terminology = createTerminology({ resources: shippedContent() });
  terminology.add(ICDO3_TABLE);
  const icdo3 = icdo3Checker(terminology);
  const random = rng(7);
  const inputs = Array.from({ length: caseCount }, (_, i) => {
    const p = { ...syntheticPatient(i, random), id: `p${i}` };
    return { condition: syntheticCase(`Patient/p${i}`, p, i, random), patient: p };
  });
  for (const x of inputs.slice(0, 50)) evaluateCase(x.condition, x.patient, icdo3);
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const x of inputs) {
      const t = performance.now();
      evaluateCase(x.condition, x.patient, icdo3);
      times.push((performance.now() - t) * 1000);
    }
  }
  times.sort((a, b) => a - b);
  rows.push(`| in process: ${CANCER_RULES.length} quality rules per case (\`evaluateCase\`) | ${times.length} evaluations | median ${percentile(times, 0.5).toFixed(0)} µs, p95 ${percentile(times, 0.95).toFixed(0)} µs |`);
}

await withBenchServer('registry', async (server) => {
  const { base } = server;
  const post = async (type: string, body: unknown, expected: number[] = [201]) => {
    const res = await fetch(`${base}/${type}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' } });
    const json = (await res.json()) as { id?: string };
    if (!expected.includes(res.status)) throw new Error(`POST ${type} answered ${res.status}: ${JSON.stringify(json)}`);
    return { status: res.status, id: json.id as string };
  };
  await post('CodeSystem', ICDO3_TABLE);
  const random = rng(11);
  const patients: { ref: string; p: Patient }[] = [];
  for (let i = 0; i < caseCount; i++) {
    const p = syntheticPatient(i, random);
    patients.push({ ref: `Patient/${(await post('Patient', p)).id}`, p });
  }
  for (const concurrency of [1, 4]) {
    const cases = patients.map((x, i) => syntheticCase(x.ref, x.p, i + concurrency, random));
    let next = 0;
    let refused = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < cases.length) {
          const reply = await post('Condition', cases[next++], [201, 422]);
          if (reply.status === 422) refused++;
        }
      }),
    );
    const perSecond = cases.length / ((performance.now() - start) / 1000);
    rows.push(`| HTTP \`POST Condition\` (registry submission), ${concurrency} client${concurrency > 1 ? 's' : ''} | ${cases.length} cases, ${refused} refused | ${perSecond.toFixed(1)} submissions/s |`);
    progress(`submissions ×${concurrency}: ${perSecond.toFixed(1)}/s`);
  }

  // CDS Hooks: a patient with a week of lab results and prescriptions at two institutions.
  const subject = { reference: patients[0]?.ref as string };
  for (let d = 0; d < 20; d++) {
    const date = new Date(Date.now() - d * 86_400_000 * 1.5).toISOString().slice(0, 10);
    await post('DiagnosticReport', { resourceType: 'DiagnosticReport', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: d % 2 ? '58410-2' : '24325-3' }] }, subject, effectiveDateTime: date });
    await post('MedicationRequest', { resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: { coding: [{ system: 'https://qiao.health/bench/drug', code: `drug-${d % 4}` }] }, subject, authoredOn: date });
  }
  const hook = {
    hook: 'order-sign',
    context: {
      userId: 'Practitioner/bench',
      patientId: subject.reference.slice('Patient/'.length),
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { resource: { resourceType: 'ServiceRequest', id: 'o1', status: 'draft', intent: 'order', category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007' }] }], code: { coding: [{ system: 'http://loinc.org', code: '58410-2' }] }, subject } },
          { resource: { resourceType: 'MedicationRequest', id: 'o2', status: 'draft', intent: 'order', medicationCodeableConcept: { coding: [{ system: 'https://qiao.health/bench/drug', code: 'drug-1' }] }, subject } },
        ],
      },
    },
  };
  const latencies: number[] = [];
  for (let i = 0; i < 220; i++) {
    const t = performance.now();
    const res = await fetch(`${server.url}/cds-services/duplicate-order-sign`, { method: 'POST', body: JSON.stringify({ ...hook, hookInstance: randomUUID() }), headers: { 'content-type': 'application/json' } });
    const body = (await res.json()) as { cards: unknown[] };
    if (res.status !== 200 || body.cards.length !== 2) throw new Error(`CDS Hooks answered ${res.status} with ${body.cards?.length} cards`);
    if (i >= 20) latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  rows.push(`| HTTP CDS Hooks \`duplicate-order-sign\`, 2 draft orders, 2 cards | ${latencies.length} calls, 1 client | p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms |`);
});

process.stdout.write(
  [
    `Registries and CDS Hooks (revision ${codeRevision(new URL('.', root).pathname)}, ${os.cpus().length} CPUs, Node ${process.version}); load average before ${loadBefore}, after ${load()}`,
    '',
    '| run | work | result |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
