import type { Entry, Part } from '../model/body.js';
import type { Code } from '../model/header.js';
import { DATA_ELEMENTS } from '../tables/data-elements.js';
import { ENTRY_RULES, ruleById, type EntryRule, type FieldAs, type FieldRule } from '../tables/entry-rules.js';
import { OID, systemOid } from '../tables/identifiers.js';
import { DE_SYSTEM, EXT, MAPPING_TAG } from './fhir-urls.js';
import { getAt, getChoice, setAt } from './path.js';
import { codingOf, fromFhir, toFhir, type CdaValue } from './values.js';

type Json = Record<string, unknown>;

/** Where a resource type names its patient and encounter. */
const SUBJECT: Record<string, string> = { AllergyIntolerance: 'patient' };

/**
 * For each entry shape, the first rule (in table order) an entry of that shape takes: by its key
 * code, or the shape's rule without a key. Built once: the lookup runs for every entry.
 */
const RULE_INDEX = (() => {
  const index = new Map<string, { byKey: Map<string, EntryRule>; keyless?: EntryRule }>();
  for (const shape of new Set(ENTRY_RULES.map((r) => r.shape))) {
    const rules = ENTRY_RULES.filter((r) => r.shape === shape);
    const keyless = rules.find((r) => r.key === undefined);
    const byKey = new Map<string, EntryRule>();
    for (const r of rules) if (r.key !== undefined && !byKey.has(r.key)) byKey.set(r.key, rules.find((x) => x.key === undefined || x.key === r.key) as EntryRule);
    index.set(shape, keyless ? { byKey, keyless } : { byKey });
  }
  return index;
})();

export function ruleFor(entry: Entry): EntryRule | undefined {
  const forShape = RULE_INDEX.get(entry.shape);
  if (!forShape) return undefined;
  const code = entry.code?.code;
  return (code === undefined ? undefined : forShape.byKey.get(code)) ?? forShape.keyless;
}

/** A copy of a rule's fixed content (plain JSON data), cheaper than structuredClone for these small trees. */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const k in value) out[k] = copy((value as Record<string, unknown>)[k]);
  return out as T;
}

function slot(entry: Entry, name: string): CdaValue | undefined {
  switch (name) {
    case '@value':
      return entry.value;
    case '@effectiveTime':
      return entry.time ? { type: 'TS', value: entry.time } : undefined;
    case '@code':
      return entry.code;
    case '@drug':
      return entry.drug;
    case '@doseQuantity':
      return entry.doseQuantity;
    case '@routeCode':
      return entry.routeCode;
    case '@interpretationCode':
      return entry.interpretationCode;
    case '@referenceRange':
      return entry.referenceRange ? { type: 'ST', text: entry.referenceRange } : undefined;
  }
  return undefined;
}

function setSlot(entry: Entry, name: string, v: CdaValue): void {
  switch (name) {
    case '@value':
      entry.value = v;
      return;
    case '@effectiveTime':
      if (v.type === 'TS') entry.time = v.value;
      return;
    case '@code':
      if (v.type === 'CD') entry.code = v;
      return;
    case '@drug':
      entry.drug = v;
      return;
    case '@doseQuantity':
      entry.doseQuantity = v;
      return;
    case '@routeCode':
      if (v.type === 'CD') entry.routeCode = v;
      return;
    case '@interpretationCode':
      if (v.type === 'CD') entry.interpretationCode = v;
      return;
    case '@referenceRange':
      if (v.type === 'ST') entry.referenceRange = v.text;
  }
}

function put(resource: Json, field: FieldRule, v: CdaValue): void {
  const fhir = toFhir(v, field.as);
  if (fhir) setAt(resource, field.path + fhir.suffix, fhir.value);
}

export function deCoding(code: Code): Json {
  const display = code.displayName || DATA_ELEMENTS[code.code]?.zh || code.displayName;
  return codingOf(code.codeSystem === undefined ? { ...code, codeSystem: OID.dataElements } : code, display);
}

function valueX(v: CdaValue | undefined): Json {
  if (!v) return {};
  const fhir = toFhir(v, 'value');
  return fhir ? { [`value${fhir.suffix}`]: fhir.value } : {};
}

/**
 * The FHIR resource for one entry: by its rule when one matches, else a generic Observation
 * coded with the entry's data element. Data elements no field names are kept (component or
 * extension), so nothing in the document is dropped.
 */
export function entryToFhir(entry: Entry, refs: { patient: string; encounter?: string }, identifier: Json, rule = ruleFor(entry)): Json {
  const resourceType = rule?.resource ?? 'Observation';
  const resource: Json = {
    resourceType,
    meta: { tag: [{ system: MAPPING_TAG, code: rule?.id ?? `generic:${entry.shape}` }] },
    identifier: [identifier],
  };
  if (rule) Object.assign(resource, copy(rule.fixed));
  else resource.status = 'final';
  let parts: Part[] = entry.parts;
  if (rule) {
    const used = new Set<Part>();
    for (const field of rule.fields) {
      if (field.from.startsWith('@')) {
        const v = slot(entry, field.from);
        if (v) put(resource, field, v);
        continue;
      }
      const p = parts.find((x) => x.code.code === field.from && !used.has(x));
      if (p?.value) {
        used.add(p);
        put(resource, field, p.value);
      }
    }
    parts = parts.filter((p) => !used.has(p));
  } else {
    if (entry.code) resource.code = { coding: [deCoding(entry.code)] };
    Object.assign(resource, valueX(entry.value));
    if (entry.time) setAt(resource, 'effectiveDateTime', toFhir({ type: 'TS', value: entry.time }, 'dateTime')?.value);
  }
  resource[SUBJECT[resourceType] ?? 'subject'] = { reference: refs.patient };
  if (refs.encounter) resource.encounter = { reference: refs.encounter };
  if (parts.length === 0) return resource;
  if (resourceType === 'Observation') {
    resource.component = [...((resource.component as Json[]) ?? []), ...parts.map((p) => ({ code: { coding: [deCoding(p.code)] }, ...valueX(p.value) }))];
  } else {
    resource.extension = parts.map((p) => ({
      url: EXT.dataElement,
      extension: [{ url: 'code', valueCoding: deCoding(p.code) }, ...(p.value ? [{ url: 'value', ...valueX(p.value) }] : [])],
    }));
  }
  return resource;
}

function fromValueX(holder: Json): CdaValue | undefined {
  const choice = getChoice(holder, 'value');
  return choice ? fromFhir(choice.value, 'value', choice.suffix) : undefined;
}

function partFromCoding(coding: Json | undefined, value: CdaValue | undefined): Part | undefined {
  if (!coding?.code) return undefined;
  const code: Code = { type: 'CD', code: String(coding.code), codeSystem: systemOid(coding.system as string | undefined) ?? OID.dataElements, ...(coding.display ? { displayName: String(coding.display) } : {}) };
  return { code, ...(value ? { value } : {}) };
}

/** Which part of a CodeableConcept a field read consumed, so two fields never read the same. */
function aspect(as: FieldAs, v: CdaValue): string {
  if (as === 'text' || (as === 'concept' && v.type === 'ST')) return 'text';
  if (as === 'coding' || as === 'concept') return 'coding';
  return 'value';
}

/** The rule for a resource another system stored: by its type, and a laboratory Observation as a lab item. */
function untaggedRule(resource: Json): EntryRule | undefined {
  if (resource.resourceType !== 'Observation') return ENTRY_RULES.find((r) => r.resource === resource.resourceType);
  const lab = ((resource.category as Json[] | undefined) ?? []).some((c) => ((c.coding as Json[] | undefined) ?? []).some((x) => x.code === 'laboratory'));
  return lab ? ruleById('lab-item') : undefined;
}

/** The entry back from a resource this module made (or one shaped alike). */
export function entryFromFhir(resource: Json): Entry | undefined {
  const tag = ((resource.meta as Json | undefined)?.tag as Json[] | undefined)?.find((t) => t.system === MAPPING_TAG)?.code as string | undefined;
  const rule = tag ? ruleById(tag) : untaggedRule(resource);
  const genericShape = tag?.startsWith('generic:') ? (tag.slice(8) as Entry['shape']) : 'observation';
  const entry: Entry = { shape: rule?.shape ?? genericShape, parts: [] };
  if (rule) {
    if (rule.key) entry.code = { type: 'CD', code: rule.key, codeSystem: OID.dataElements, ...(DATA_ELEMENTS[rule.key] ? { displayName: DATA_ELEMENTS[rule.key]?.zh } : {}) };
    const consumed = new Set<string>();
    for (const field of rule.fields) {
      let v: CdaValue | undefined;
      if (field.as === 'value') {
        const choice = getChoice(resource, field.path);
        v = choice ? fromFhir(choice.value, 'value', choice.suffix) : undefined;
      } else v = fromFhir(getAt(resource, field.path), field.as);
      if (!v) continue;
      const key = `${field.path}|${aspect(field.as, v)}`;
      if (consumed.has(key)) continue;
      consumed.add(key);
      if (field.from.startsWith('@')) setSlot(entry, field.from, v);
      else entry.parts.push({ code: { type: 'CD', code: field.from, codeSystem: OID.dataElements, ...(DATA_ELEMENTS[field.from] ? { displayName: DATA_ELEMENTS[field.from]?.zh } : {}) }, value: v });
    }
  } else {
    // Our own generic Observations keep whatever code the entry had (a data element, or LOINC…).
    const codings = ((resource.code as Json | undefined)?.coding as Json[] | undefined) ?? [];
    const coding = codings.find((c) => c.system === DE_SYSTEM) ?? (tag?.startsWith('generic:') ? codings[0] : undefined);
    if (!coding) return undefined;
    const key = partFromCoding(coding, fromValueX(resource));
    if (!key) return undefined;
    entry.code = key.code;
    if (key.value) entry.value = key.value;
    const t = resource.effectiveDateTime;
    if (typeof t === 'string') entry.time = fromFhir(t, 'dateTime')?.type === 'TS' ? (fromFhir(t, 'dateTime') as { value: string }).value : t;
  }
  for (const c of (resource.component as Json[] | undefined) ?? []) {
    const p = partFromCoding(((c.code as Json | undefined)?.coding as Json[] | undefined)?.[0], fromValueX(c));
    if (p) entry.parts.push(p);
  }
  for (const x of (resource.extension as Json[] | undefined) ?? []) {
    if (x.url !== EXT.dataElement) continue;
    const inner = (x.extension as Json[] | undefined) ?? [];
    const valueExt = inner.find((i) => i.url === 'value');
    const p = partFromCoding(inner.find((i) => i.url === 'code')?.valueCoding as Json | undefined, valueExt ? fromValueX(valueExt) : undefined);
    if (p) entry.parts.push(p);
  }
  return entry;
}
