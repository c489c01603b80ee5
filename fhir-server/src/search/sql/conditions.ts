import type { SqlParams } from '../../repository/sql-params.js';
import { spanFloorSql } from '../date-spans.js';
import { referenceParamsSql } from '../derived-references.js';
import { canonicalQuantity } from '../index/ucum.js';
import { pairsOf } from '../index/pairs.js';
import { INDEX_TABLES } from '../index/tables.js';
import { UCUM } from '../index/extract.js';
import { likeLiteral, type NumberQuery, type Prefix } from '../parse-values.js';
import type { Filter, ValueCondition } from '../parse.js';

/**
 * Filters to SQL over a `resource` row. Every value enters as a parameter; aliases are numbered
 * so that nested filters (chains, `_has`, composites) never shadow each other.
 */
export class ConditionBuilder {
  private aliases = 0;

  constructor(private readonly p: SqlParams) {}

  private alias(prefix: string): string {
    return `${prefix}${++this.aliases}`;
  }

  private arg(value: unknown): string {
    return this.p.add(value);
  }

  /**
   * The AND of filters on resource row `r`, whose type is `type` when known. `r` may instead be a
   * row of an index table (`indexRow`), which exists only for a live resource: then only its
   * type and id are read (see readsResourceRow).
   */
  where(filters: readonly Filter[], r: string, type: string | undefined, indexRow = false): string[] {
    const where = indexRow ? [] : [`NOT ${r}.deleted`];
    if (type) where.push(`${r}.resource_type = ${this.arg(type)}`);
    for (const filter of filters) where.push(this.filter(filter, r, type));
    return where;
  }

  /**
   * The ids of the live resources of `type` matching `filters`, from their indexes alone (index
   * rows exist only for current versions), when every filter is a value filter and one is
   * positive and bounded. Bounded sides (an equality, a closed range) meet as a set operation —
   * `A INTERSECT B EXCEPT C` — so the cost is the sum of the sides, whichever is selective: the
   * planner cannot estimate a date window (it knows nothing of how `low` and `high` go together),
   * and nested semi-joins driven by a common code by mistake cost a probe per row. An open range
   * (`value-quantity=gt…`) may be most of its table: it is probed by id for each resource the
   * bounded sides give, on its own index, without the resource's row. Undefined when another
   * shape is needed (a reference to one resource is better probed than read whole: then the
   * planner's semi-joins over `resource`, driven from it, win).
   */
  indexedMatches(filters: readonly Filter[], type: string): string | undefined {
    const values = filters.filter((f): f is ValueFilter => f.kind === 'value');
    const pairs = filters.filter((f): f is PairFilter => f.kind === 'pair');
    if (values.length + pairs.length !== filters.length) return undefined;
    const bounded = values.filter((f) => !f.not && boundedSide(f));
    const probed = values.filter((f) => !f.not && !boundedSide(f));
    if (bounded.length + pairs.length === 0 || !probed.every(openRange)) return undefined;
    // INTERSECT and EXCEPT return sets; a lone side needs DISTINCT (a resource may match by several
    // values) unless one row per resource can match. Read alone, its estimate matters to no join.
    const lone = bounded.length + pairs.length === 1 && values.every((f) => !f.not);
    const side = (f: ValueFilter) => (lone ? this.valueIds(f, type, !oneRowPerResource(f), probed.length === 0) : this.valueIds(f, type));
    const negative = values.filter((f) => f.not).map(side);
    const positive = [...pairs.map((f) => this.pairIds(f, type, lone)), ...bounded.map(side)];
    const set = `${positive.join(' INTERSECT ')}${negative.map((n) => ` EXCEPT ${n}`).join('')}`;
    if (probed.length === 0) return `(${set})`;
    const m = this.alias('m');
    return `(SELECT ${m}.id FROM (${set}) ${m} WHERE ${probed.map((f) => this.filter(f, m, type)).join(' AND ')})`;
  }

  private filter(filter: Filter, r: string, type: string | undefined): string {
    const typeSql = () => (type ? this.arg(type) : `${r}.resource_type`);
    switch (filter.kind) {
      case 'id': {
        const sql = `${r}.id = ANY(${this.arg(filter.ids)}::text[])`;
        return filter.not ? `NOT (${sql})` : sql;
      }
      case 'type':
        return `${r}.resource_type = ANY(${this.arg(filter.types)}::text[])`;
      case 'lastUpdated':
        return or(filter.values.map((v) => dateSql(`${r}.last_updated`, `(${r}.last_updated + interval '1 millisecond')`, v.prefix, v.range.start, v.range.end, (x) => this.arg(x))));
      case 'value': {
        const x = this.alias('x');
        const rows = this.indexRows(filter, x, type);
        const sql = `EXISTS (SELECT 1 FROM ${rows.from} WHERE ${x}.resource_type = ${typeSql()} AND ${x}.id = ${r}.id AND ${rows.where})`;
        return filter.not ? `NOT ${sql}` : sql;
      }
      case 'composite':
        return or(filter.alternatives.map((components) => this.composite(filter.param, components, r)));
      case 'pair': {
        const x = this.alias('x');
        return `EXISTS (SELECT 1 FROM ${INDEX_TABLES[filter.table].name} ${x} WHERE ${x}.resource_type = ${typeSql()} AND ${x}.id = ${r}.id AND ${this.pairRows(filter, x)})`;
      }
      case 'missing': {
        const x = this.alias('x');
        const param = filter.table === 'reference' ? this.referenceParams(x, type, [filter.param]) : `${x}.param = ${this.arg(filter.param)}`;
        let sql = `EXISTS (SELECT 1 FROM ${INDEX_TABLES[filter.table].name} ${x} WHERE ${x}.resource_type = ${r}.resource_type AND ${x}.id = ${r}.id AND ${param})`;
        if (filter.table === 'reference') {
          // A reference given only by its identifier has a value too (the one `:identifier` finds).
          const y = this.alias('x');
          sql = `(${sql} OR EXISTS (SELECT 1 FROM ${INDEX_TABLES.token.name} ${y} WHERE ${y}.resource_type = ${r}.resource_type AND ${y}.id = ${r}.id AND ${y}.param = ${this.arg(`${filter.param}:identifier`)}))`;
        }
        return filter.missing ? `NOT ${sql}` : sql;
      }
      case 'chain': {
        const x = this.alias('x');
        const targets = filter.targets.map(({ type: target, filter: inner }) => `(${x}.target_type = ${this.arg(target)} AND ${x}.target_id IN (${this.idsMatching(inner, target)}))`);
        return `EXISTS (SELECT 1 FROM search_reference ${x} WHERE ${x}.resource_type = ${r}.resource_type AND ${x}.id = ${r}.id
          AND ${this.referenceParams(x, type, [filter.param])} AND ${or(targets)})`;
      }
      case 'has': {
        const x = this.alias('x');
        const pair = hasPair(filter);
        if (pair) {
          return `${r}.id IN (SELECT ${x}.target_id FROM ${INDEX_TABLES.tokenReference.name} ${x} WHERE ${x}.resource_type = ${this.arg(filter.sourceType)}
          AND ${x}.target_type = ${typeSql()} AND ${this.pairToken(pair.param, pair.token.alternatives, x)})`;
        }
        return `${r}.id IN (SELECT ${x}.target_id FROM search_reference ${x} WHERE ${x}.resource_type = ${this.arg(filter.sourceType)}
          AND ${this.referenceParams(x, filter.sourceType, [filter.param])} AND ${x}.target_type = ${typeSql()}
          AND ${x}.id IN (${this.idsMatching(filter.filter, filter.sourceType)}))`;
      }
      case 'text': {
        const x = this.alias('x');
        const groups = filter.alternatives.map((words) => and(words.map((w) => `${x}.${filter.column} LIKE ${this.arg(`%${likeLiteral(w)}%`)}`)));
        return `EXISTS (SELECT 1 FROM search_text ${x} WHERE ${x}.resource_type = ${r}.resource_type AND ${x}.id = ${r}.id AND ${or(groups)})`;
      }
      case 'list': {
        const x = this.alias('x');
        return `${r}.id IN (SELECT ${x}.target_id FROM search_reference ${x} WHERE ${x}.resource_type = 'List' AND ${x}.id = ANY(${this.arg(filter.ids)}::text[])
          AND ${x}.param = 'item' AND ${x}.target_type = ${typeSql()})`;
      }
      case 'compartment': {
        const x = this.alias('x');
        // Driven from the target: one patient's references are few, the resources of 60 types are many.
        const [type, id] = [this.arg(filter.type), this.arg(filter.id)];
        return `(${r}.resource_type, ${r}.id) IN (SELECT ${x}.resource_type, ${x}.id FROM search_reference ${x}
          WHERE ${x}.target_type = ${type} AND ${x}.target_id = ${id} AND ${this.referenceParams(x, undefined, filter.params)}
          ${filter.self ? `UNION ALL SELECT ${type}::text, ${id}::text` : ''})`;
      }
      case 'near': {
        const [a, b] = [this.alias('x'), this.alias('x')];
        const rad = (v: string) => `radians(${v})`;
        const [lat, lon] = [`${this.arg(String(filter.latitude))}::float8`, `${this.arg(String(filter.longitude))}::float8`];
        // A box around the point first (one degree of latitude ≥ 110.5 km), read from the index; then the great-circle distance.
        const degrees = filter.meters / 110_500;
        const haversine = `power(sin(${rad(`(${a}.value::float8 - ${lat})`)} / 2), 2) + cos(${rad(lat)}) * cos(${rad(`${a}.value::float8`)}) * power(sin(${rad(`(${b}.value::float8 - ${lon})`)} / 2), 2)`;
        return `EXISTS (SELECT 1 FROM search_number ${a} JOIN search_number ${b} ON ${b}.resource_type = ${a}.resource_type AND ${b}.id = ${a}.id AND ${b}.grp = ${a}.grp AND ${b}.param = ${this.arg(`${filter.param}$1`)}
          WHERE ${a}.resource_type = ${r}.resource_type AND ${a}.id = ${r}.id AND ${a}.param = ${this.arg(`${filter.param}$0`)}
            AND ${a}.value BETWEEN ${this.arg(String(filter.latitude - degrees))}::numeric AND ${this.arg(String(filter.latitude + degrees))}::numeric
            AND 2 * ${EARTH_RADIUS_M} * asin(least(1, sqrt(${haversine}))) <= ${this.arg(String(filter.meters))}::float8)`;
      }
      case 'any':
        return or(filter.alternatives.map((all) => and(all.map((f) => this.filter(f, r, type)))));
    }
  }

  /**
   * The ids of live resources of `type` matching one filter: straight from its index when it is a
   * positive value filter (index rows exist only for current versions), else from `resource`.
   */
  private idsMatching(filter: Filter, type: string): string {
    if (filter.kind === 'value' && !filter.not) return this.valueIds(filter, type);
    if (filter.kind === 'pair') return this.pairIds(filter, type);
    const r = this.alias('r');
    return `SELECT ${r}.id FROM resource ${r} WHERE ${this.where([filter], r, type).join(' AND ')}`;
  }

  /** The index rows a value filter selects, under alias `x`: its FROM item and its condition. */
  private indexRows(filter: ValueFilter, x: string, type: string | undefined): { from: string; where: string } {
    const values = (filter.all ? and : or)(filter.alternatives.map((a) => this.value(a, x)));
    const param = filter.alternatives[0]?.table === 'reference' ? this.referenceParams(x, type, [filter.param]) : `${x}.param = ${this.arg(filter.param)}`;
    return { from: `${tableOf(filter)} ${x}`, where: `${param} AND ${values}` };
  }

  /** Rows `x` of `search_reference` of reference parameters `params`, derived ones included (derived-references.ts). */
  private referenceParams(x: string, type: string | undefined, params: readonly string[]): string {
    return referenceParamsSql(x, type, params, (v) => this.arg(v));
  }

  /**
   * `SELECT id` of the resources of `type` that have index rows matching a value filter. A date
   * condition with an OR of two ranges (`ge`, `le`) is read as one SELECT per range, each from its
   * own index and index-only, where an OR would be a bitmap scan reading the table's rows: a
   * 30-day window of Observations read 7,218 buffers as a bitmap, 1,886 as two ranges.
   * `alone`: the rows are read alone, not joined, so the planner's estimate of them matters little.
   */
  private valueIds(filter: ValueFilter, type: string, distinct = false, alone = false): string {
    const x = this.alias('x');
    const key = { type, param: filter.param };
    const per = filter.alternatives.map((a) => (a.table === 'date' ? this.dateBranches(a, x, key) : [this.value(a, x, alone)]));
    const branches = per.every((b) => b.length === 1) ? [(filter.all ? and : or)(per.map((b) => b[0] as string))] : filter.all ? product(per).map(and) : per.flat();
    const head = `${x}.resource_type = ${this.arg(type)} AND ${x}.param = ${this.arg(filter.param)}`;
    const unique = distinct ? 'DISTINCT ' : '';
    const select = (b: string, d = '') => `SELECT ${d}${x}.id FROM ${tableOf(filter)} ${x} WHERE ${head} AND ${b}`;
    if (branches.length === 1) return select(branches[0] as string, unique);
    const u = this.alias('u');
    return `SELECT ${unique}${u}.id FROM (${branches.map((b) => select(b)).join(' UNION ALL ')}) ${u}`;
  }

  /** A quantity condition: in UCUM base units when both sides convert; as written otherwise (a value stored without a system). */
  private quantity(c: Extract<ValueCondition, { table: 'quantity' }>, x: string): { canonical?: string; asWritten: string } {
    const arg = (v: unknown) => this.arg(v);
    const parts = [numberSql(`${x}.value`, c, arg)];
    if (c.system) parts.push(`${x}.system = ${arg(c.system)}`);
    if (c.code) parts.push(`(${x}.code = ${arg(c.code)} OR ${x}.unit = ${arg(c.code)})`);
    const base = c.code && (c.system === UCUM || c.system === undefined) ? canonicalBounds(c) : undefined;
    const asWritten = and(parts);
    if (!base) return { asWritten };
    return { canonical: `(${x}.canonical_code = ${arg(base.code)} AND ${numberSql(`${x}.canonical_value`, base.query, arg)})`, asWritten };
  }

  /** Pair rows `x` of the pair `param` whose token matches any of `token`. */
  pairToken(param: string, token: ValueCondition[], x: string, alone = false): string {
    return `${x}.param = ${this.arg(param)} AND ${or(token.map((c) => this.value(c, x, alone, 'token_')))}`;
  }

  /** The rows of a pair table matching a pair filter, under alias `x`. */
  private pairRows(filter: PairFilter, x: string): string {
    return `${this.pairToken(filter.param, filter.token, x)} AND ${(filter.partnerAll ? and : or)(filter.partner.map((c) => this.value(c, x)))}`;
  }

  /**
   * `SELECT id` of the resources of `type` with a pair row matching; DISTINCT when read alone (a
   * resource may have several). Each alternative of the partner that is an OR of two ranges — a
   * quantity in base units or as written, a date `ge`/`le` — is a SELECT of its own, so each reads
   * one range of its index rather than every row of the code (46,000 for a common test).
   */
  private pairIds(filter: PairFilter, type: string, alone = false): string {
    const x = this.alias('x');
    const head = `${x}.resource_type = ${this.arg(type)} AND ${this.pairToken(filter.param, filter.token, x, alone)}`;
    const key = { type, param: filter.param };
    const branches = filter.partnerAll ? [and(filter.partner.map((c) => this.value(c, x, alone, '', key)))] : filter.partner.flatMap((c) => this.branches(c, x, alone, key));
    const select = (branch: string, distinct: boolean) => `SELECT ${distinct ? 'DISTINCT ' : ''}${x}.id FROM ${INDEX_TABLES[filter.table].name} ${x} WHERE ${head} AND ${branch}`;
    if (branches.length === 1) return select(branches[0] as string, alone);
    const u = this.alias('u');
    return `SELECT ${alone ? 'DISTINCT ' : ''}${u}.id FROM (${branches.map((b) => select(b, false)).join(' UNION ALL ')}) ${u}`;
  }

  /** A condition on one index row as the OR of conditions that each read one range of an index. */
  private branches(c: ValueCondition, x: string, alone: boolean, key: SpanKey): string[] {
    if (c.table === 'date') return this.dateBranches(c, x, key);
    if (c.table === 'quantity') {
      const { canonical, asWritten } = this.quantity(c, x);
      return canonical ? [canonical, asWritten] : [asWritten];
    }
    return [this.value(c, x, alone)];
  }

  /** One item of a composite: its components are rows of one `grp`. */
  private composite(param: string, components: ValueCondition[], r: string): string {
    const aliases = components.map(() => this.alias('c'));
    const from = components
      .map((c, k) => {
        const x = aliases[k] as string;
        const table = `${INDEX_TABLES[c.table].name} ${x}`;
        if (k === 0) return table;
        const first = aliases[0] as string;
        return `JOIN ${table} ON ${x}.resource_type = ${first}.resource_type AND ${x}.id = ${first}.id AND ${x}.grp = ${first}.grp AND ${x}.param = ${this.arg(`${param}$${k}`)}`;
      })
      .join(' ');
    const first = aliases[0] as string;
    const conditions = components.map((c, k) => this.value(c, aliases[k] as string));
    return `EXISTS (SELECT 1 FROM ${from} WHERE ${first}.resource_type = ${r}.resource_type AND ${first}.id = ${r}.id
      AND ${first}.param = ${this.arg(`${param}$0`)} AND ${and(conditions)})`;
  }

  /**
   * A date condition on rows `x` of (type, param) `key` as the OR of conditions that each read one
   * range of an index, each with the bound on `low` the condition implies (date-spans.ts).
   */
  private dateBranches(c: DateCondition, x: string, key: SpanKey): string[] {
    const branches = dateBranches(`${x}.low`, `${x}.high`, c.prefix, c.range.start, c.range.end, (v) => this.arg(v));
    const floor = this.spanFloor(c, x, key);
    return floor ? branches.map((b) => `(${b}) AND ${floor}`) : branches;
  }

  /** `low ≥ F − the longest span` when condition `c` says `high ≥ F`, for rows `x` of `key`. */
  private spanFloor(c: DateCondition, x: string, key: SpanKey | undefined): string | undefined {
    const floor = dateFloor(c.prefix, c.range.start, c.range.end);
    return key && floor !== undefined ? spanFloorSql(`${x}.low`, key.type, key.param, floor, (v) => this.arg(v)) : undefined;
  }

  /**
   * A condition on one index row `x`; `alone` as in valueIds; a token's columns under `tokenPrefix`
   * (a pair table's `token_`); a date's rows of (type, param) `key`, when known, also bounded by
   * their longest span.
   */
  private value(c: ValueCondition, x: string, alone = false, tokenPrefix = '', key?: SpanKey): string {
    const arg = (v: unknown) => this.arg(v);
    switch (c.table) {
      case 'token': {
        const [system, value] = [`${x}.${tokenPrefix}system`, `${x}.${tokenPrefix}value`];
        if ('codes' in c) {
          if (c.codes.length === 0) return 'false';
          // Elements of type code carry no system: their binding implies it, so the code alone decides.
          return `((${system}, ${value}) IN (SELECT * FROM unnest(${arg(c.codes.map(([s]) => s))}::text[], ${arg(c.codes.map(([, v]) => v))}::text[]))
            OR (${system} IS NULL AND ${value} = ANY(${arg(c.codes.map(([, v]) => v))}::text[])))`;
        }
        const parts: string[] = [];
        if (c.code !== undefined) parts.push(c.stored?.length ? `${value} = ANY(${arg([c.code, ...c.stored])}::text[])` : `${value} = ${arg(c.code)}`);
        if (c.system === null) parts.push(`${system} IS NULL`);
        else if (c.system !== undefined) parts.push(c.code === undefined || alone ? `${system} = ${arg(c.system)}` : estimatedAsHalf(`${system} = ${arg(c.system)}`));
        return and(parts);
      }
      case 'string':
        if (c.mode === 'exact') return `${x}.exact = ${arg(c.text)}`;
        return `${x}.norm LIKE ${arg(c.mode === 'contains' ? `%${likeLiteral(c.text)}%` : `${likeLiteral(c.text)}%`)}`;
      case 'date': {
        const sql = dateSql(`${x}.low`, `${x}.high`, c.prefix, c.range.start, c.range.end, arg);
        const floor = this.spanFloor(c, x, key);
        return floor ? and([sql, floor]) : sql;
      }
      case 'number':
        return numberSql(`${x}.value`, c, arg);
      case 'quantity': {
        const { canonical, asWritten } = this.quantity(c, x);
        return canonical ? `(${canonical} OR ${asWritten})` : asWritten;
      }
      case 'reference': {
        if (c.url !== undefined) return `(${x}.url = ${arg(c.url)} OR ${x}.url LIKE ${arg(`${likeLiteral(c.url)}|%`)})`;
        const parts = [`${x}.target_id = ${arg(c.id)}`];
        if (c.types.length === 1) parts.push(`${x}.target_type = ${arg(c.types[0])}`);
        else if (c.types.length > 1) parts.push(`${x}.target_type = ANY(${arg(c.types)}::text[])`);
        return and(parts);
      }
      case 'uri':
        if (c.mode === 'below') return `${x}.value LIKE ${arg(`${likeLiteral(c.value)}%`)}`;
        if (c.mode === 'above') return `(${x}.value <> '' AND left(${arg(c.value)}, length(${x}.value)) = ${x}.value)`;
        return `${x}.value = ${arg(c.value)}`;
    }
  }
}

type ValueFilter = Extract<Filter, { kind: 'value' }>;
type DateCondition = Extract<ValueCondition, { table: 'date' }>;
/** The resource type and parameter of the date rows a condition reads. */
interface SpanKey {
  type: string;
  param: string;
}
type PairFilter = Extract<Filter, { kind: 'pair' }>;

/** The index table a value filter reads (all its alternatives are of one parameter, hence one table). */
function tableOf(filter: ValueFilter): string {
  return INDEX_TABLES[filter.alternatives[0]?.table ?? 'token'].name;
}

/**
 * `_has:Source:ref:token=…` on a pair of Source indexed together (index/pairs.ts): the targets
 * of the sources with the code, from one range of the pair's index. Plain positive tokens only.
 */
function hasPair(filter: Extract<Filter, { kind: 'has' }>): { param: string; token: ValueFilter } | undefined {
  const inner = filter.filter;
  if (inner.kind !== 'value' || inner.not || inner.all || !inner.alternatives.every((a) => a.table === 'token')) return undefined;
  const pair = pairsOf(filter.sourceType).find((p) => p.table === 'tokenReference' && p.token === inner.param && p.partner === filter.param);
  return pair && { param: pair.param, token: inner };
}

/**
 * Whether the resources matching a filter come in id order from one index range, so that a first
 * page in id order stops after the page and a count asked apart finds nothing twice: a `_has` over
 * a pair reads a code's targets from the pair's index, in target order.
 */
export function streamsInIdOrder(filter: Filter): boolean {
  return filter.kind === 'has' && hasPair(filter) !== undefined;
}

/** Whether a filter reads a column of the resource row other than its type and id. */
export function readsResourceRow(filter: Filter): boolean {
  if (filter.kind === 'lastUpdated') return true;
  return filter.kind === 'any' && filter.alternatives.some((all) => all.some(readsResourceRow));
}

/** Whether a value filter reads a bounded part of its index: an equality, or a range closed at both ends. */
function boundedSide(filter: ValueFilter): boolean {
  if (filter.all) return true;
  return filter.alternatives.every((a) => {
    if (a.table === 'reference') return false;
    if (a.table === 'date' || a.table === 'number' || a.table === 'quantity') return a.prefix === 'eq';
    return true;
  });
}

/**
 * A condition the planner estimates as true of half the rows, not by its column's statistics.
 * Beside a code, the system hardly narrows it down, but the planner multiplies the code's
 * estimate (multi-column statistics on type, param and value) by the system's share of all token
 * rows, as if independent: 37,000 Conditions of an ICD-10 code were estimated at 414 and probed
 * one by one. The CASE is still checked, on the index entry.
 */
function estimatedAsHalf(condition: string): string {
  return `CASE WHEN ${condition} THEN true ELSE false END`;
}

/**
 * Whether at most one index row of a resource can match: one `system|code` (or `|code`) of a
 * plain parameter, as the index keeps one row per distinct (param, system, value) of a resource.
 */
function oneRowPerResource(filter: ValueFilter): boolean {
  const [a, ...more] = filter.alternatives;
  return more.length === 0 && a?.table === 'token' && !('codes' in a) && a.code !== undefined && a.system !== undefined && !a.stored?.length;
}

/** Whether a value filter is an open range: read whole, it would be a large part of its index. */
function openRange(filter: ValueFilter): boolean {
  return filter.alternatives.every((a) => (a.table === 'date' || a.table === 'number' || a.table === 'quantity') && a.prefix !== 'eq');
}

function or(parts: string[]): string {
  return parts.length === 0 ? 'false' : parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`;
}

function and(parts: string[]): string {
  return parts.length === 0 ? 'true' : `(${parts.join(' AND ')})`;
}

/**
 * A stored range [low, high) against the search range [start, end), per prefix (docs/search.md).
 * `ap` widens the search range by 10 % of its distance from now, at least a day.
 */
function dateSql(low: string, high: string, prefix: Prefix, start: number, end: number, arg: (v: unknown) => string): string {
  return or(dateBranches(low, high, prefix, start, end, arg));
}

/** dateSql as the OR of its branches: `ge` and `le` are each two ranges, of two indexes. */
function dateBranches(low: string, high: string, prefix: Prefix, start: number, end: number, arg: (v: unknown) => string): string[] {
  const ts = (ms: number) => `${arg(new Date(ms).toISOString())}::timestamptz`;
  // `low <= end` follows from the other two (a stored range never ends before it starts); it is
  // written out so the index on `low` is read as a range rather than from `start` to the end.
  const contained = () => `(${low} >= ${ts(start)} AND ${low} <= ${ts(end)} AND ${high} <= ${ts(end)})`;
  switch (prefix) {
    case 'ne':
      return [`NOT ${contained()}`];
    case 'gt':
      return [`${high} > ${ts(end)}`];
    case 'lt':
      return [`${low} < ${ts(start)}`];
    case 'ge':
      return [`${high} > ${ts(end)}`, contained()];
    case 'le':
      return [`${low} < ${ts(start)}`, contained()];
    case 'sa':
      return [`${low} >= ${ts(end)}`];
    case 'eb':
      return [`${high} <= ${ts(start)}`];
    case 'ap': {
      const margin = approximately(start);
      return [`(${low} < ${ts(end + margin)} AND ${high} > ${ts(start - margin)})`];
    }
    default:
      return [contained()];
  }
}

/** How far `ap` reaches either side of a date: a tenth of its distance from now, a day at least. */
function approximately(start: number): number {
  return Math.max(Math.abs(Date.now() - start) * 0.1, 86_400_000);
}

/** The F of `high ≥ F` that every range matching the condition meets, when the prefix bounds the end from below and not already the start. */
function dateFloor(prefix: Prefix, start: number, end: number): number | undefined {
  if (prefix === 'ge') return start;
  if (prefix === 'gt') return end;
  if (prefix === 'ap') return start - approximately(start);
  return undefined;
}

/** Every choice of one item from each list: the AND of ORs as an OR of ANDs. */
function product(lists: string[][]): string[][] {
  return lists.reduce<string[][]>((acc, list) => acc.flatMap((chosen) => list.map((item) => [...chosen, item])), [[]]);
}

/** The mean radius of the Earth (IUGG), for `near`'s great-circle distance. */
const EARTH_RADIUS_M = 6_371_008.8;

function numberSql(column: string, q: NumberQuery, arg: (v: unknown) => string): string {
  const n = (v: number) => `${arg(String(v))}::numeric`;
  switch (q.prefix) {
    case 'ne':
      return `NOT (${column} >= ${n(q.low)} AND ${column} < ${n(q.high)})`;
    case 'gt':
    case 'sa':
      return `${column} > ${n(q.value)}`;
    case 'lt':
    case 'eb':
      return `${column} < ${n(q.value)}`;
    case 'ge':
      return `${column} >= ${n(q.value)}`;
    case 'le':
      return `${column} <= ${n(q.value)}`;
    case 'ap': {
      const margin = Math.abs(q.value) * 0.1;
      return `(${column} >= ${n(q.value - margin)} AND ${column} <= ${n(q.value + margin)})`;
    }
    default:
      return `(${column} >= ${n(q.low)} AND ${column} < ${n(q.high)})`;
  }
}

/** The search quantity and its precision range in base units, when the unit converts. */
function canonicalBounds(q: { code?: string } & NumberQuery): { code: string; query: NumberQuery } | undefined {
  if (!q.code) return undefined;
  const value = canonicalQuantity(String(q.value), q.code);
  const low = canonicalQuantity(String(q.low), q.code);
  const high = canonicalQuantity(String(q.high), q.code);
  if (!value || !low || !high) return undefined;
  return { code: value.code, query: { ...q, value: Number(value.value), low: Number(low.value), high: Number(high.value) } };
}
