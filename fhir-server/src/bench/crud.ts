/**
 * Scenario 3: the CRUD mix, on an empty database of its own. Every virtual user loops over one
 * cycle of 36 REST requests: create a Patient and 8 resources that refer to it (one POST each),
 * read the 9 back, update each (PUT), and delete them, referrers first. Throughput counts every
 * request; writes ask for `Prefer: return=minimal`, as a client that already has the resource would.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Bench } from './context.js';
import type { CpuMeter } from './cpu.js';
import { expectStatus, HttpClient } from './http-client.js';
import { closedLoop, type LoadResult } from './load.js';
import { startQiao } from './processes.js';
import type { RunResult } from './report.js';

export const CONCURRENCY = 16;

const READ = { Accept: 'application/fhir+json' };
const WRITE = { ...READ, 'Content-Type': 'application/fhir+json', Prefer: 'return=minimal' };
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

export async function crudScenario(bench: Bench): Promise<RunResult[]> {
  const { options } = bench;
  const qiao = await startQiao(await bench.pg.createDatabase('crud'), options.qiaoNodeArgs);
  const client = new HttpClient(qiao.url, CONCURRENCY);
  const cpu = bench.meter(qiao.pid);
  try {
    await crudLoad(client, 'warm-up', options.warmupMs);
    const runs: RunResult[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const result = await crudLoad(client, `run${run}`, options.durationMs, cpu);
      runs.push({ qiao: result });
      bench.progress(`CRUD run ${run}: Qiao ${Math.round(result.rate)} req/s p99 ${result.p99Ms.toFixed(1)} ms`);
    }
    return runs;
  } finally {
    client.close();
    await qiao.stop();
  }
}

function crudLoad(client: HttpClient, label: string, durationMs: number, cpu?: CpuMeter): Promise<LoadResult> {
  const users = Array.from({ length: CONCURRENCY }, (_, vu) => new CrudUser(client, `${label}-${vu}`));
  return closedLoop({ concurrency: CONCURRENCY, durationMs, cpu, step: (vu) => (users[vu] as CrudUser).step() });
}

/** One virtual user: a state machine that makes the next request of its cycle on each step. */
class CrudUser {
  private cycle = 0;
  /** Index of the next request in the cycle: 0–8 create, 9–17 read, 18–26 update, 27–35 delete. */
  private position = 0;
  private created: Resource[] = [];

  constructor(
    private readonly client: HttpClient,
    private readonly name: string,
  ) {}

  async step(): Promise<number> {
    const phase = Math.floor(this.position / 9);
    const i = this.position % 9;
    try {
      if (phase === 0) await this.create(i);
      else if (phase === 1) await this.read(this.at(i));
      else if (phase === 2) await this.update(this.at(i));
      else await this.remove(this.at(8 - i));
    } catch (error) {
      // Start a new cycle rather than carry on with resources in an unknown state.
      this.position = 0;
      this.created = [];
      throw error;
    }
    this.position = (this.position + 1) % 36;
    if (this.position === 0) this.cycle++;
    return 1;
  }

  private at(i: number): Resource {
    return this.created[i] as Resource;
  }

  private async create(i: number): Promise<void> {
    if (i === 0) this.created = [];
    const resource = cycleResource(`${this.name}-${this.cycle}`, i, this.created);
    const response = expectStatus(await this.client.request('POST', `/fhir/${resource.resourceType}`, JSON.stringify(resource), WRITE), 201, `POST ${resource.resourceType}`);
    // Location: {base}/Type/id/_history/1
    const id = /\/([^/]+)\/_history\//.exec(String(response.headers.location))?.[1];
    if (!id) throw new Error(`POST ${resource.resourceType}: no id in Location ${response.headers.location}`);
    this.created.push({ ...resource, id });
  }

  private async read(resource: Resource): Promise<void> {
    expectStatus(await this.client.request('GET', `/fhir/${resource.resourceType}/${resource.id}`, undefined, READ), 200, `GET ${resource.resourceType}`);
  }

  private async update(resource: Resource): Promise<void> {
    const body = JSON.stringify({ ...resource, language: 'zh-CN' });
    expectStatus(await this.client.request('PUT', `/fhir/${resource.resourceType}/${resource.id}`, body, WRITE), 200, `PUT ${resource.resourceType}`);
  }

  private async remove(resource: Resource): Promise<void> {
    expectStatus(await this.client.request('DELETE', `/fhir/${resource.resourceType}/${resource.id}`, undefined, READ), 200, `DELETE ${resource.resourceType}`);
  }
}

/** Resource `i` of a cycle; it refers only to resources before it, which `created` holds with their ids. */
function cycleResource(key: string, i: number, created: Resource[]): Resource {
  const ref = (j: number) => {
    const r = created[j];
    if (!r) throw new Error(`resource ${i} of a cycle refers to ${j}, not created yet`);
    return { reference: `${r.resourceType}/${r.id}` };
  };
  const lab = (code: string, display: string, value: number, unit: string) => (): Resource => ({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: LOINC, code, display }] },
    subject: ref(0),
    encounter: ref(1),
    effectiveDateTime: '2024-03-01T09:30:00+08:00',
    valueQuantity: { value, unit, system: UCUM, code: unit },
  });
  const builders: (() => Resource)[] = [
    () => ({
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:2.16.156.10011.1.11', value: `bench-${key}` }],
      name: [{ text: '王小明', family: '王', given: ['小明'] }],
      gender: 'male',
      birthDate: '1980-05-17',
      address: [{ text: '浙江省杭州市西湖区', city: '杭州市', state: '浙江省', country: 'CN' }],
    }),
    () => ({
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      subject: ref(0),
      period: { start: '2024-03-01T09:00:00+08:00', end: '2024-03-01T09:40:00+08:00' },
    }),
    () => ({
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'E11.9', display: '2型糖尿病' }] },
      subject: ref(0),
      encounter: ref(1),
    }),
    lab('2345-7', 'Glucose', 7.8, 'mmol/L'),
    lab('4548-4', 'Hemoglobin A1c', 7.1, '%'),
    lab('2093-3', 'Cholesterol', 5.2, 'mmol/L'),
    lab('2160-0', 'Creatinine', 88, 'umol/L'),
    () => ({
      resourceType: 'DiagnosticReport',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '24323-8', display: 'Comprehensive metabolic panel' }] },
      subject: ref(0),
      encounter: ref(1),
      result: [ref(3), ref(4), ref(5), ref(6)],
    }),
    () => ({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { text: '二甲双胍片 0.5g' },
      subject: ref(0),
      encounter: ref(1),
      reasonReference: [ref(2)],
    }),
  ];
  return (builders[i] as () => Resource)();
}
