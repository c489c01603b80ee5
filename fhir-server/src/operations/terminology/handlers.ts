import type { ParametersParameter, ValueSet } from '@medplum/fhirtypes';
import { TerminologyError, type ValidateCodeResult } from '@qiao/terminology';
import { fromEdgeIssue } from '../../errors/edge-issues.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { bad, OperationInput, parameters } from './params.js';
import { terminologyFor } from './service.js';
import { listChanges, listUnmapped } from './store.js';

/** The service's bilingual issues as the server's OperationOutcome; unknown things are 404. */
export async function answering<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof TerminologyError)) throw error;
    const status = error.issues.some((i) => i.code === 'not-found' || i.code === 'code-invalid') ? 404 : error.issues.some((i) => i.code === 'invalid') ? 400 : 422;
    throw FhirError.of(error.issues.map((i) => fromEdgeIssue(i)), status);
  }
}

/** The canonical URL of `CodeSystem/{id}` (instance level), or the `url`/`system` parameter. */
async function canonical(ctx: Context, q: Queryable, path: ParsedPath, input: OperationInput, name: string): Promise<string | undefined> {
  if (!path.id) return input.string(name);
  const stored = await ctx.repo.read(q, path.type as string, path.id);
  const url = (JSON.parse(stored.json ?? '{}') as { url?: string }).url;
  if (!url) throw bad('TX-NO-URL', `${path.type}.url`, `${path.type}/${path.id} 没有 url`, `${path.type}/${path.id} has no url`);
  return url;
}

function ok(body: FhirResponse['body']): FhirResponse {
  return { status: 200, ...(body ? { body } : {}) };
}

/** `CodeSystem/$lookup`: display, designations, properties, parents and children of a code. */
export async function lookup(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const input = new OperationInput(req);
  const coding = input.coding('coding');
  const system = (await canonical(ctx, q, path, input, 'system')) ?? coding?.system;
  const code = input.string('code') ?? coding?.code;
  if (!system) throw bad('TX-PARAM-MISSING', 'system', '缺少参数 system', 'Parameter system is required');
  if (!code) throw bad('TX-PARAM-MISSING', 'code', '缺少参数 code', 'Parameter code is required');
  const t = await terminologyFor(ctx, q);
  const r = await answering(() => t.lookup(system, code, input.string('version') ?? coding?.version));
  const language = input.string('displayLanguage')?.toLowerCase();
  const translated = language ? r.designations.find((d) => d.language?.toLowerCase().split('-')[0] === language.split('-')[0]) : undefined;
  const display = translated?.value ?? r.display;
  return ok(parameters([
    { name: 'name', valueString: r.name },
    r.version ? { name: 'version', valueString: r.version } : undefined,
    display ? { name: 'display', valueString: display } : undefined,
    r.definition ? { name: 'definition', valueString: r.definition } : undefined,
    ...r.designations.map((d): ParametersParameter => ({
      name: 'designation',
      part: [
        ...(d.language ? [{ name: 'language', valueCode: d.language }] : []),
        ...(d.use ? [{ name: 'use', valueCoding: d.use }] : []),
        { name: 'value', valueString: d.value },
      ],
    })),
    { name: 'property', part: [{ name: 'code', valueCode: 'status' }, { name: 'value', valueCode: r.status }] },
    { name: 'property', part: [{ name: 'code', valueCode: 'inactive' }, { name: 'value', valueBoolean: r.status === 'retired' }] },
    ...r.properties.filter((p) => p.code !== 'status').map((p): ParametersParameter => ({
      name: 'property',
      part: [{ name: 'code', valueCode: p.code }, typeof p.value === 'boolean' ? { name: 'value', valueBoolean: p.value } : { name: 'value', valueString: String(p.value) }],
    })),
    ...r.parents.map((c): ParametersParameter => ({ name: 'property', part: [{ name: 'code', valueCode: 'parent' }, { name: 'value', valueCode: c }] })),
    ...r.children.map((c): ParametersParameter => ({ name: 'property', part: [{ name: 'code', valueCode: 'child' }, { name: 'value', valueCode: c }] })),
  ]));
}

function validateCodeParameters(r: ValidateCodeResult): (ParametersParameter | undefined)[] {
  const message = r.issues.map((i) => `${i.zh} | ${i.en}`).join('; ');
  const out: (ParametersParameter | undefined)[] = [
    { name: 'result', valueBoolean: r.result },
    message ? { name: 'message', valueString: message } : undefined,
    r.display ? { name: 'display', valueString: r.display } : undefined,
    r.system ? { name: 'system', valueUri: r.system } : undefined,
    r.version ? { name: 'version', valueString: r.version } : undefined,
    { name: 'code', valueCode: r.code },
    r.status ? { name: 'status', valueCode: r.status } : undefined,
    r.result ? { name: 'inactive', valueBoolean: r.isRetired } : undefined,
    r.issues.length
      ? {
          name: 'issues',
          resource: {
            resourceType: 'OperationOutcome',
            issue: r.issues.map((i) => ({
              severity: i.severity, code: i.code,
              details: { coding: [{ system: 'https://qiao.health/fhir/CodeSystem/message', code: i.id }], text: `${i.zh} | ${i.en}` },
            })),
          },
        }
      : undefined,
  ];
  return out;
}

/** `CodeSystem/$validate-code` and `ValueSet/$validate-code` (url, code + system, coding or codeableConcept). */
export async function validateCode(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const input = new OperationInput(req);
  const onValueSet = path.type === 'ValueSet';
  const url = await canonical(ctx, q, path, input, 'url');
  const concept = input.codeableConcept('codeableConcept');
  const coding = input.coding('coding');
  const candidates = concept?.coding?.length
    ? concept.coding
    : [{ system: input.string('system') ?? coding?.system ?? (onValueSet ? undefined : url), code: input.string('code') ?? coding?.code, display: input.string('display') ?? coding?.display, version: input.string('systemVersion') ?? input.string('version') ?? coding?.version }];
  if (!url && !candidates[0]?.system) throw bad('TX-PARAM-MISSING', onValueSet ? 'url' : 'url', '缺少参数 url（或 system）', 'Parameter url (or system) is required');
  const t = await terminologyFor(ctx, q);
  let last: ValidateCodeResult | undefined;
  for (const c of candidates) {
    if (!c.code) throw bad('TX-PARAM-MISSING', 'code', '缺少参数 code', 'Parameter code is required');
    last = await answering(() => t.validateCode({
      ...(onValueSet && url ? { url } : {}),
      ...(c.system ? { system: c.system } : {}),
      ...(c.version && !onValueSet ? { version: c.version } : {}),
      code: c.code as string,
      ...(c.display ? { display: c.display } : {}),
    }));
    // A CodeableConcept is valid when one of its codings is.
    if (last.result) break;
  }
  return ok(parameters(validateCodeParameters(last as ValidateCodeResult)));
}

/** `CodeSystem/$subsumes`: codeA and codeB (or codingA/codingB) in one hierarchy. */
export async function subsumes(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const input = new OperationInput(req);
  const a = input.coding('codingA');
  const b = input.coding('codingB');
  const system = (await canonical(ctx, q, path, input, 'system')) ?? a?.system;
  if (!system) throw bad('TX-PARAM-MISSING', 'system', '缺少参数 system', 'Parameter system is required');
  const codeA = input.string('codeA') ?? a?.code;
  const codeB = input.string('codeB') ?? b?.code;
  if (!codeA || !codeB) throw bad('TX-PARAM-MISSING', codeA ? 'codeB' : 'codeA', '需要 codeA 和 codeB', 'Both codeA and codeB are required');
  const t = await terminologyFor(ctx, q);
  const outcome = await answering(() => t.subsumes(system, codeA, codeB, input.string('version')));
  return ok(parameters([{ name: 'outcome', valueCode: outcome }]));
}

const DEFAULT_PAGE = 1000;

/** `ValueSet/$expand`: filter (Chinese, codes, pinyin initials), offset/count, designations, displayLanguage. */
export async function expand(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const input = new OperationInput(req);
  const url = await canonical(ctx, q, path, input, 'url');
  if (!url) throw bad('TX-PARAM-MISSING', 'url', '缺少参数 url', 'Parameter url is required');
  const filter = input.string('filter');
  const offset = input.integer('offset');
  // Without a count a client gets the first page, not a whole imported LOINC in one reply.
  const count = input.integer('count') ?? DEFAULT_PAGE;
  const displayLanguage = input.string('displayLanguage');
  const includeDesignations = input.boolean('includeDesignations');
  const activeOnly = input.boolean('activeOnly');
  const t = await terminologyFor(ctx, q);
  const e = await answering(() => t.expand(url, {
    ...(filter ? { filter } : {}),
    ...(offset !== undefined ? { offset } : {}),
    count,
    ...(displayLanguage ? { displayLanguage } : {}),
    ...(includeDesignations !== undefined ? { includeDesignations } : {}),
    ...(activeOnly !== undefined ? { activeOnly } : {}),
  }));
  const used = parameters([
    filter ? { name: 'filter', valueString: filter } : undefined,
    offset !== undefined ? { name: 'offset', valueInteger: offset } : undefined,
    { name: 'count', valueInteger: count },
    displayLanguage ? { name: 'displayLanguage', valueCode: displayLanguage } : undefined,
  ]).parameter ?? [];
  const body: ValueSet = {
    resourceType: 'ValueSet',
    url: e.url,
    ...(e.version ? { version: e.version } : {}),
    ...(e.name ? { name: e.name } : {}),
    ...(e.title ? { title: e.title } : {}),
    status: 'active',
    expansion: {
      identifier: `urn:uuid:${crypto.randomUUID()}`,
      timestamp: new Date().toISOString(),
      total: e.total,
      offset: e.offset,
      ...(used.length ? { parameter: used.map((p) => ({ name: p.name as string, ...(p.valueString ? { valueString: p.valueString } : {}), ...(p.valueInteger !== undefined ? { valueInteger: p.valueInteger } : {}), ...(p.valueCode ? { valueCode: p.valueCode } : {}) })) } : {}),
      contains: e.contains.map((c) => ({
        system: c.system,
        ...(c.version ? { version: c.version } : {}),
        code: c.code,
        ...(c.display ? { display: c.display } : {}),
        ...(c.inactive ? { inactive: true } : {}),
        ...(c.designations ? { designation: c.designations.map((d) => ({ ...(d.language ? { language: d.language } : {}), ...(d.use ? { use: d.use } : {}), value: d.value })) } : {}),
      })),
    },
  };
  return ok(body);
}

/** `ConceptMap/$translate`, forwards or (`reverse=true`) from target back to source. */
export async function translate(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const input = new OperationInput(req);
  const url = await canonical(ctx, q, path, input, 'url');
  const coding = input.coding('coding') ?? input.codeableConcept('codeableConcept')?.coding?.[0];
  const system = input.string('system') ?? coding?.system;
  const code = input.string('code') ?? coding?.code;
  if (!system) throw bad('TX-PARAM-MISSING', 'system', '缺少参数 system', 'Parameter system is required');
  if (!code) throw bad('TX-PARAM-MISSING', 'code', '缺少参数 code', 'Parameter code is required');
  const target = input.string('targetsystem') ?? input.string('targetSystem');
  const reverse = input.boolean('reverse') ?? false;
  const t = await terminologyFor(ctx, q);
  const r = await answering(() => t.translate({ ...(url ? { url } : {}), system, code, ...(target ? { target } : {}), reverse }));
  return ok(parameters([
    { name: 'result', valueBoolean: r.result },
    r.issues.length ? { name: 'message', valueString: r.issues.map((i) => `${i.zh} | ${i.en}`).join('; ') } : undefined,
    ...r.matches.map((m): ParametersParameter => ({
      name: 'match',
      part: [
        { name: 'equivalence', valueCode: m.equivalence },
        { name: 'concept', valueCoding: { system: m.system, code: m.code, ...(m.display ? { display: m.display } : {}) } },
        { name: 'source', valueUri: m.source },
      ],
    })),
  ]));
}

/** `$unmapped-codes`: local codes that arrived without a mapping, most frequent first, minus those mapped since. */
export async function unmappedCodes(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const input = new OperationInput(req);
  const system = input.string('system');
  const count = input.integer('count') ?? 100;
  const t = await terminologyFor(ctx, q);
  const rows = (await listUnmapped(q, system, Math.min(count, 1000))).filter((r) => !t.translate({ system: r.system, code: r.code }).result);
  return ok(parameters(rows.map((r): ParametersParameter => ({
    name: 'code',
    part: [
      { name: 'system', valueUri: r.system },
      { name: 'code', valueCode: r.code },
      ...(r.display ? [{ name: 'display', valueString: r.display }] : []),
      { name: 'occurrences', valueInteger: Number(r.occurrences) },
      { name: 'firstSeen', valueDateTime: r.first_seen },
      { name: 'lastSeen', valueDateTime: r.last_seen },
      ...(r.example ? [{ name: 'example', valueString: r.example }] : []),
    ],
  }))));
}

/** `CodeSystem/$code-changes`: the change log between versions of a code table, newest first. */
export async function codeChanges(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const input = new OperationInput(req);
  const system = await canonical(ctx, q, path, input, 'system');
  if (!system) throw bad('TX-PARAM-MISSING', 'system', '缺少参数 system', 'Parameter system is required');
  const rows = await listChanges(q, system, Math.min(input.integer('count') ?? 1000, 10_000));
  return ok(parameters(rows.map((r): ParametersParameter => ({
    name: 'change',
    part: [
      { name: 'code', valueCode: r.code },
      { name: 'type', valueCode: r.change },
      ...(r.from_version ? [{ name: 'fromVersion', valueString: r.from_version }] : []),
      ...(r.to_version ? [{ name: 'toVersion', valueString: r.to_version }] : []),
      ...(r.before ? [{ name: 'before', valueString: r.before }] : []),
      ...(r.after ? [{ name: 'after', valueString: r.after }] : []),
      { name: 'date', valueDateTime: r.changed_at },
    ],
  }))));
}

