import type { Coding, Resource } from '@medplum/fhirtypes';
import { retiredCode, type CodeChange, type Terminology, type TerminologyResource } from '@qiao/terminology';
import { fromEdgeIssue, type EdgeIssue } from '../../errors/edge-issues.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { recordChanges, recordUnmapped } from './store.js';
import { isShippedSystem, TERMINOLOGY_TYPES, terminologyChanged, terminologyFor } from './service.js';

/** Tag on a resource stored with local codes that have no standard mapping yet (标化 pending). */
export const UNMAPPED_TAG = { system: 'https://qiao.health/fhir/CodeSystem/terminology-flag', code: 'unmapped-local-code', display: '含未映射的本地代码 | contains unmapped local codes' };

const SAFE = new Set(['equal', 'equivalent', 'wider', 'subsumes']);

interface Found {
  /** The `coding` array the coding sits in: a mapped standard coding is added beside it. None for a lone `valueCoding`. */
  list?: Coding[];
  coding: Coding;
  path: string;
}

/** Every Coding inside a `coding` array (CodeableConcepts) or an extension's `valueCoding`, with its FHIRPath. */
function codings(node: unknown, path: string, out: Found[]): Found[] {
  if (Array.isArray(node)) {
    node.forEach((item, i) => codings(item, `${path}[${i}]`, out));
    return out;
  }
  if (!node || typeof node !== 'object') return out;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'coding' && Array.isArray(value)) {
      value.forEach((c: unknown, i) => {
        if (isCoding(c)) out.push({ list: value as Coding[], coding: c, path: `${path}.coding[${i}]` });
      });
    } else if (key === 'valueCoding' && isCoding(value)) {
      out.push({ coding: value, path: `${path}.valueCoding` });
    } else if (key !== 'text' && key !== 'contained') codings(value, `${path}.${key}`, out);
  }
  return out;
}

function isCoding(value: unknown): value is Coding {
  const c = value as Coding | null;
  return typeof c === 'object' && c !== null && typeof c.system === 'string' && typeof c.code === 'string';
}

/** The codings of the version being replaced, so an update may keep a code retired since. */
async function storedCodes(ctx: Context, q: Queryable, resource: Resource): Promise<Set<string>> {
  if (!resource.id) return new Set();
  try {
    const current = await ctx.repo.read(q, resource.resourceType, resource.id);
    return new Set(codings(JSON.parse(current.json ?? '{}'), resource.resourceType, []).map((f) => `${f.coding.system}|${f.coding.code}`));
  } catch {
    return new Set();
  }
}

/**
 * Runs on every create, update and patch before storing, inside the write's transaction:
 * - a CodeSystem, ValueSet or ConceptMap joins the terminology service; a new version of a code
 *   system has its changes logged;
 * - new data may not use a retired code (stored data keeps it and stays readable);
 * - a local code with a ConceptMap to the standard gets the standard coding added (标化); one
 *   without a mapping is recorded for `$unmapped-codes`, the resource is tagged, and a warning
 *   per such coding is returned for the write's response (the write itself succeeds).
 */
export async function terminologyOnWrite(ctx: Context, q: Queryable, resource: Resource): Promise<EdgeIssue[]> {
  const t = await terminologyFor(ctx, q);
  if (TERMINOLOGY_TYPES.has(resource.resourceType)) {
    await acceptTerminologyResource(q, t, resource as TerminologyResource);
    terminologyChanged(ctx);
    return [];
  }
  const found = codings(resource, resource.resourceType, []);
  if (found.length === 0) return [];
  await refuseRetired(ctx, q, t, resource, found);
  return mapLocalCodes(q, t, resource, found);
}

/** A deleted code table leaves the service at its next use. */
export function terminologyOnDelete(ctx: Context, type: string): void {
  if (TERMINOLOGY_TYPES.has(type)) terminologyChanged(ctx);
}

async function acceptTerminologyResource(q: Queryable, t: Terminology, resource: TerminologyResource): Promise<void> {
  if (!resource.url) {
    throw FhirError.of([fromEdgeIssue({
      severity: 'error', code: 'required', id: 'TX-NO-URL', expression: `${resource.resourceType}.url`,
      zh: `${resource.resourceType} 必须有 url，术语服务以它识别代码表`, en: `${resource.resourceType} needs a url: the terminology service knows code tables by it`,
    })], 422);
  }
  if (resource.resourceType !== 'CodeSystem') return;
  const previous = t.codeSystem(resource.url);
  // Diff against the service's current version: adding the new one is what the next read does too.
  const changes: CodeChange[] = previous && previous.version !== resource.version ? t.add(resource) : [];
  if (changes.length) await recordChanges(q, changes, resource.id);
}

async function refuseRetired(ctx: Context, q: Queryable, t: Terminology, resource: Resource, found: Found[]): Promise<void> {
  const retired = found.filter((f) => {
    const cs = t.codeSystem(f.coding.system as string, f.coding.version);
    if (!cs) return false;
    return t.validateCode({ system: f.coding.system as string, code: f.coding.code as string, ...(f.coding.version ? { version: f.coding.version } : {}) }).isRetired;
  });
  if (retired.length === 0) return;
  const kept = await storedCodes(ctx, q, resource);
  const fresh = retired.filter((f) => !kept.has(`${f.coding.system}|${f.coding.code}`));
  if (fresh.length === 0) return;
  throw FhirError.of(
    fresh.map((f) => {
      const base = retiredCode(f.coding.system as string, f.coding.code as string);
      return fromEdgeIssue({ ...base, severity: 'error', expression: f.path });
    }),
    422,
  );
}

async function mapLocalCodes(q: Queryable, t: Terminology, resource: Resource, found: Found[]): Promise<EdgeIssue[]> {
  const warnings: EdgeIssue[] = [];
  for (const f of found) {
    const system = f.coding.system as string;
    // A lone Coding has no list to take the standard coding: extensions bind national codes directly.
    if (!f.list || isShippedSystem(system)) continue;
    const targets = t.mapTargets(system);
    if (targets.length === 0) continue;
    if (f.list.some((c) => c.system !== undefined && targets.includes(c.system))) continue;
    // One standard coding per target system; a narrower target would claim more than the source says.
    const matches = t.translate({ system, code: f.coding.code as string }).matches.filter((m) => SAFE.has(m.equivalence));
    const added = new Set<string>();
    for (const m of matches) {
      if (added.has(m.system)) continue;
      added.add(m.system);
      f.list.push({ system: m.system, code: m.code, ...(m.display ? { display: m.display } : {}), userSelected: false });
    }
    if (added.size) continue;
    warnings.push(unmappedCode(system, f.coding.code as string, targets, f.path));
    await recordUnmapped(q, system, f.coding.code as string, f.coding.display, `${resource.resourceType}${resource.id ? `/${resource.id}` : ''} ${f.path}`);
  }
  if (warnings.length === 0) {
    // Mapped since (or never needed): a tag the client sent back must not linger.
    if (resource.meta?.tag) resource.meta.tag = resource.meta.tag.filter((tag) => !(tag.system === UNMAPPED_TAG.system && tag.code === UNMAPPED_TAG.code));
    return warnings;
  }
  resource.meta ??= {};
  const tags = (resource.meta.tag ??= []);
  if (!tags.some((tag) => tag.system === UNMAPPED_TAG.system && tag.code === UNMAPPED_TAG.code)) tags.push({ ...UNMAPPED_TAG });
  return warnings;
}

function unmappedCode(system: string, code: string, targets: readonly string[], expression: string): EdgeIssue {
  const to = targets.join(', ');
  return {
    severity: 'warning',
    code: 'code-invalid',
    id: 'TX-UNMAPPED-LOCAL-CODE',
    zh: `本地代码 ${system}|${code} 尚无到标准代码（${to}）的映射：已保存并记入待标化清单（$unmapped-codes）`,
    en: `Local code ${system}|${code} has no mapping to the standard (${to}) yet: stored, and listed for mapping ($unmapped-codes)`,
    expression,
  };
}
