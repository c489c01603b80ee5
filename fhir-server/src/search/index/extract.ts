import { isKnownResourceType } from '../../definitions/r4.js';
import type { FoundValue, PathEvaluator, RelativeEvaluator } from '../compiled-path.js';
import { derivedReferences } from '../derived-references.js';
import { searchParamsFor, SORTABLE_TYPES, type ParamType, type ResolvedParam } from '../search-parameters.js';
import { clip, fold } from './fold.js';
import { dateKey, numberKey } from './sort-key.js';
import { pairsOf, PARTNER_TABLES } from './pairs.js';
import { TABLE_KEYS, type IndexRows, type TableKey } from './tables.js';
import { canonicalQuantity } from './ucum.js';
import {
  dateRanges,
  identifierTypes,
  numberValues,
  quantityValues,
  referenceIdentifiers,
  referenceValues,
  stringValues,
  tokenTexts,
  tokenValues,
  uriValues,
} from './values.js';

export const UCUM = 'http://unitsofmeasure.org';

type Json = Record<string, unknown>;

/** Where `addValue` puts the rows of a value. */
interface RowSink {
  add(table: TableKey, row: unknown[]): void;
}

/** Collects a resource's index rows, dropping duplicates (a code found by two branches is one row). */
class Rows implements RowSink {
  readonly rows = Object.fromEntries(TABLE_KEYS.map((k) => [k, []])) as unknown as IndexRows;
  private readonly seen = new Set<string>();

  add(table: TableKey, row: unknown[]): void {
    const key = `${table}\u0000${row.join('\u0000')}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.rows[table].push(row);
  }
}

/**
 * The values of composite components found while one resource is indexed: several composites
 * share a component on the same item (`code` of the Observation in each of its code-value-*
 * parameters, `value.as(Quantity)` in two), and each is evaluated once.
 */
class ComponentValues {
  private readonly cache = new Map<RelativeEvaluator, Map<unknown, FoundValue[]>>();

  constructor(private readonly resource: Json) {}

  of(evaluate: RelativeEvaluator, item: FoundValue): FoundValue[] {
    // Items are elements (objects); a primitive would not say by itself which element it is.
    if (typeof item.value !== 'object' || item.value === null) return evaluate(item, this.resource);
    let byItem = this.cache.get(evaluate);
    if (!byItem) this.cache.set(evaluate, (byItem = new Map()));
    let values = byItem.get(item.value);
    if (!values) byItem.set(item.value, (values = evaluate(item, this.resource)));
    return values;
  }
}

/** Sort keys of one parameter: the smallest and largest of its values. */
class SortKeys {
  lo: string | undefined;
  hi: string | undefined;
  add(lo: string, hi = lo): void {
    if (this.lo === undefined || lo < this.lo) this.lo = lo;
    if (this.hi === undefined || hi > this.hi) this.hi = hi;
  }
}

/** A FHIR id: the only local ids whose rows can be keyed unambiguously (tables.ts, containedKey). */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Every index row of a resource, and of each resource it contains (for `_contained`): one pass
 * over the search parameters of each one's type.
 */
export function extractIndex(resource: Json): IndexRows {
  const rows = ownRows(resource);
  const contained = Array.isArray(resource.contained) ? (resource.contained as unknown[]) : [];
  for (const item of contained) {
    const inner = item as Json | null;
    const type = inner?.resourceType;
    const localId = inner?.id;
    if (!inner || typeof type !== 'string' || typeof localId !== 'string' || !FHIR_ID.test(localId) || !isKnownResourceType(type)) continue;
    rows.add('contained', [type, localId]);
    // A contained resource contains nothing (dom-2): its own rows are all it has.
    (rows.rows.inner ??= []).push({ type, localId, rows: ownRows(inner).rows });
  }
  return rows.rows;
}

function ownRows(resource: Json): Rows {
  const rows = new Rows();
  let group = 0;
  const components = new ComponentValues(resource);
  for (const param of searchParamsFor(resource.resourceType as string).values()) {
    const { evaluators } = param;
    if (evaluators.length === 0) continue;
    const found = evaluators.length === 1 ? (evaluators[0] as PathEvaluator)(resource) : evaluators.flatMap((evaluate) => evaluate(resource));
    if (found.length === 0) continue;
    if (param.type === 'composite') {
      for (const item of found) {
        // An item lacking a component can never match the composite: it is not indexed at all —
        // also when the component's element is there but holds nothing of its type (`value.as(Quantity)`
        // of a valueCodeableConcept), or `:missing` on the composite would see a value.
        const values = param.components.map((component) => components.of(component.evaluate, item));
        if (values.some((v) => v.length === 0)) continue;
        const itemRows: [TableKey, unknown[]][] = [];
        const held: RowSink = { add: (table, row) => itemRows.push([table, row]) };
        values.forEach((componentValues, k) => {
          const component = param.components[k] as (typeof param.components)[number];
          for (const value of componentValues) addValue(held, `${param.code}$${k}`, component.type, value, group + 1, undefined, false);
        });
        if (!param.components.every((_, k) => itemRows.some(([, row]) => row[0] === `${param.code}$${k}`))) continue;
        group++;
        for (const [table, row] of itemRows) rows.add(table, row);
      }
      continue;
    }
    if (param.type === 'special') {
      // R4's one special parameter with a path, Location `near`: each position a latitude and longitude row, grouped.
      for (const item of found) {
        const position = positionOf(item.value);
        if (!position) continue;
        group++;
        rows.add('number', [`${param.code}$0`, String(position.latitude), group]);
        rows.add('number', [`${param.code}$1`, String(position.longitude), group]);
      }
      continue;
    }
    const keys = SORTABLE_TYPES.has(param.type) ? new SortKeys() : undefined;
    for (const value of found) addValue(rows, param.code, param.type, value, null, keys);
    if (keys?.lo !== undefined && keys.hi !== undefined) rows.add('sort', [param.code, clip(keys.lo, 256), clip(keys.hi, 256)]);
  }
  for (const pair of pairsOf(resource.resourceType as string)) {
    // Rows are [param, …values, grp]: a pair row is the param, the token's system and value, the partner's values.
    const tokens = rows.rows.token.filter((t) => t[0] === pair.token && t[3] === null);
    const partners = rows.rows[PARTNER_TABLES[pair.table]].filter((v) => v[0] === pair.partner && v[v.length - 1] === null);
    for (const t of tokens) for (const v of partners) rows.add(pair.table, [pair.param, t[1], t[2], ...v.slice(1, -1)]);
  }
  dropDerivedRows(rows.rows, resource.resourceType as string);
  // The one text row has nothing to be told apart from: no dedupe key (a join of kilobytes) for it.
  rows.rows.text.push(textRow(resource));
  return rows;
}

/**
 * Drops the rows of derived reference parameters that their sources repeat (derived-references.ts):
 * after the pairs, which read them. A row `[param, targetType, targetId, url, grp]`.
 */
function dropDerivedRows(rows: IndexRows, resourceType: string): void {
  const derived = derivedReferences(resourceType);
  if (derived.size === 0) return;
  const key = (row: unknown[]) => `${String(row[0])}\u0000${String(row[1])}\u0000${String(row[2])}\u0000${String(row[3])}`;
  const stored = new Set(rows.reference.filter((row) => row[4] === null).map(key));
  rows.reference = rows.reference.filter((row) => {
    const d = row[4] === null ? derived.get(row[0] as string) : undefined;
    return !d || row[1] !== d.targetType || !d.sources.some((source) => stored.has(key([source, ...row.slice(1)])));
  });
}

/** `modifiers`: also the rows `:text`, `:of-type` and `:identifier` read (not for composite components, which take none). */
function addValue(rows: RowSink, code: string, type: ParamType, found: FoundValue, grp: number | null, keys?: SortKeys, modifiers = true): void {
  switch (type) {
    case 'token':
      for (const t of tokenValues(found)) {
        rows.add('token', [code, t.system, t.value, grp]);
        if (t.value !== null) keys?.add(t.value);
      }
      if (!modifiers) return;
      for (const t of tokenTexts(found)) rows.add('string', [`${code}:text`, clip(fold(t)), clip(t), grp]);
      for (const t of identifierTypes(found)) rows.add('token', [`${code}:of-type`, t.system, t.value, grp]);
      return;
    case 'string':
      for (const s of stringValues(found)) {
        const folded = clip(fold(s));
        rows.add('string', [code, folded, clip(s), grp]);
        keys?.add(folded);
      }
      return;
    case 'date':
      for (const r of dateRanges(found)) {
        rows.add('date', [code, timestamp(r.low), timestamp(r.high), grp]);
        keys?.add(dateKey(r.low), dateKey(r.high));
      }
      return;
    case 'number':
      for (const n of numberValues(found)) {
        rows.add('number', [code, String(n), grp]);
        keys?.add(numberKey(n));
      }
      return;
    case 'quantity':
      for (const q of quantityValues(found)) {
        const canonical = q.system === UCUM && q.code ? canonicalQuantity(String(q.value), q.code) : undefined;
        rows.add('quantity', [code, String(q.value), q.system, q.code, q.unit, canonical?.value ?? null, canonical?.code ?? null, grp]);
        keys?.add(numberKey(canonical ? Number(canonical.value) : q.value));
      }
      return;
    case 'reference':
      for (const r of referenceValues(found)) {
        rows.add('reference', [code, r.targetType, r.targetId, r.url, grp]);
        keys?.add(r.url ?? `${r.targetType}/${r.targetId}`);
      }
      if (modifiers) for (const t of referenceIdentifiers(found)) rows.add('token', [`${code}:identifier`, t.system, t.value, grp]);
      return;
    case 'uri':
      for (const u of uriValues(found)) {
        rows.add('uri', [code, u, grp]);
        keys?.add(u);
      }
      return;
    default:
      return;
  }
}

/** A Location.position whose latitude and longitude are on the globe. */
function positionOf(value: unknown): { latitude: number; longitude: number } | undefined {
  const { latitude, longitude } = (value ?? {}) as { latitude?: unknown; longitude?: unknown };
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return undefined;
  return Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : undefined;
}

function timestamp(epochMs: number): string {
  return epochMs === -Infinity ? '-infinity' : epochMs === Infinity ? 'infinity' : new Date(epochMs).toISOString();
}

/**
 * The folded narrative (for `_text`) and every distinct string of the resource (for `_content`).
 * A `_content` word (searches split them at white space) is matched within one string, never
 * across two: each string once finds the same resources as every repeat of it, and a record naming
 * fifty patients with the same codings (an audit record of a search) stores its codings once.
 */
function textRow(resource: Json): [string | null, string] {
  const div = (resource.text as Json | undefined)?.div;
  const narrative = typeof div === 'string' ? fold(stripTags(div)) : null;
  const strings = new Set<string>();
  collectStrings(resource, strings);
  return [narrative, fold([...strings].join(' '))];
}

function stripTags(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(lt|gt|amp|quot|apos|nbsp);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ' })[e] ?? ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function collectStrings(node: unknown, out: Set<string>): void {
  if (typeof node === 'string') out.add(node);
  else if (Array.isArray(node)) for (const item of node) collectStrings(item, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'div' && typeof value === 'string') out.add(stripTags(value));
      // Attachment and Binary data is base64, not text anyone searches for.
      else if (key !== 'resourceType' && key !== 'meta' && key !== 'data') collectStrings(value, out);
    }
  }
}
