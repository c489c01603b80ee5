import type { TypedValue } from '@medplum/core';
import { call } from '../http.js';
import type { Stored } from './corpus.js';
import { Oracle, parameter } from './evaluate.js';
import type { Query } from './queries.js';
import { UCUM } from './values.js';

/** Stores the corpus in one transaction, then reads every resource back, so the oracle sees what the server kept. */
export async function loadCorpus(base: string, corpus: Stored[]): Promise<Oracle> {
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: corpus.map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
  };
  const stored = await call(base, 'POST', '', bundle);
  if (stored.status !== 200) throw new Error(`loading the corpus failed with HTTP ${stored.status}: ${stored.text.slice(0, 2000)}`);
  // Reads, not a search: the oracle must not depend on the engine it checks.
  const resources = await Promise.all(
    corpus.map(async (r) => {
      const read = await call(base, 'GET', `${r.resourceType}/${r.id}`);
      if (read.status !== 200) throw new Error(`reading ${r.resourceType}/${r.id} back failed with HTTP ${read.status}`);
      return read.body as Stored;
    }),
  );
  return new Oracle(resources, base);
}

interface Served {
  ids: string[];
  total: unknown;
  error?: string;
}

/** Every page of a search, following `next` links. */
async function serve(base: string, { type, query }: Query): Promise<Served> {
  const served: Served = { ids: [], total: undefined };
  let path = `${type}?${query}${query.includes('_count=') ? '' : '&_count=1000'}`;
  for (let page = 0; ; page++) {
    const reply = await call(base, 'GET', path);
    if (reply.status !== 200) {
      const issue = reply.body?.issue?.[0];
      return { ...served, error: `HTTP ${reply.status}${issue ? `: ${issue.diagnostics ?? issue.details?.text ?? issue.code}` : ''}` };
    }
    if (page === 0) served.total = reply.body.total;
    for (const entry of reply.body.entry ?? []) if ((entry.search?.mode ?? 'match') === 'match') served.ids.push(entry.resource.id);
    const next: string | undefined = reply.body.link?.find((l: { relation: string }) => l.relation === 'next')?.url;
    if (!next) return served;
    if (!next.startsWith(`${base}/`) || page >= 100) return { ...served, error: `cannot follow the next link ${next} (page ${page + 1})` };
    path = next.slice(base.length + 1);
  }
}

const clip = (text: string, max = 240) => (text.length > max ? `${text.slice(0, max)}…` : text);

function showValue({ type, value: v }: TypedValue): string {
  const coding = (c: { system?: string; code?: string; display?: string }) => `${c.system ?? ''}|${c.code ?? ''}${c.display ? ` "${c.display}"` : ''}`;
  switch (type) {
    case 'Quantity':
      return `${v.value} ${v.system ? `${v.system === UCUM ? 'ucum' : v.system}|${v.code}` : `unit:${v.unit}`}`;
    case 'Coding':
      return coding(v);
    case 'CodeableConcept':
      return [...(v.coding ?? []).map(coding), ...(v.text ? [`text "${v.text}"`] : [])].join(' ');
    case 'Identifier':
      return `${v.system ?? ''}|${v.value}${v.type?.text ? ` "${v.type.text}"` : ''}`;
    case 'Reference':
      return v.reference;
    case 'Period':
      return `${v.start ?? ''}..${v.end ?? ''}`;
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

/** A parameter's values in search terms rather than JSON; a composite shows each item's components. */
function show(oracle: Oracle, r: Stored, code: string): string {
  const p = parameter(r.resourceType, code);
  const values = oracle.values(r, code);
  const items =
    p.type === 'composite'
      ? values.map((item) => oracle.components(p, item).map(([, own]) => own.map(showValue).join(' ')).join(' $ '))
      : values.map(showValue);
  return `${code}=[${clip(items.join(', '))}]`;
}

/** The values a query looked at in one resource, following chains one step, so a mismatch can be judged at a glance. */
function explain(oracle: Oracle, type: string, id: string, query: string): string {
  const r = oracle.resolve(`${type}/${id}`);
  if (!r) return `${id} (not in the corpus)`;
  const shown = new Set<string>();
  for (const pair of query.split('&')) {
    const name = decodeURIComponent(pair.slice(0, pair.indexOf('=')));
    if (name === '_count') continue;
    if (name.startsWith('_has:')) {
      const [, source = '', via = '', inner = ''] = name.split(':');
      const from = oracle.ofType(source).filter((s) => oracle.references(s, via).includes(`${type}/${id}`));
      const detail = (s: Stored) => (inner === '_has' ? s.id : `${s.id} ${show(oracle, s, inner)}`);
      shown.add(`← ${source}.${via}: ${from.map(detail).join('; ') || 'none'}`);
      continue;
    }
    const dot = name.indexOf('.');
    const code = (dot < 0 ? name : name.slice(0, dot)).split(':')[0] ?? '';
    const value = decodeURIComponent(pair.slice(pair.indexOf('=') + 1));
    for (const c of code === '_sort' ? value.replace(/-/g, '').split(',') : [code]) {
      shown.add(show(oracle, r, c));
    }
    if (dot < 0) continue;
    const chained = name.slice(dot + 1).split(/[:.]/)[0] ?? '';
    for (const target of oracle.references(r, code)) {
      const t = oracle.resolve(target);
      if (t) shown.add(`→ ${target} ${show(oracle, t, chained)}`);
    }
  }
  return `${id}  ${[...shown].join('  ')}`;
}

/** What is wrong with a served result: duplicates, the total, and either the set or the order of ids. */
function problem(oracle: Oracle, q: Query, expected: string[], served: Served, ordered: boolean): string | undefined {
  const lines: string[] = [];
  const got = new Set(served.ids);
  if (got.size !== served.ids.length) lines.push(`served ${served.ids.length} entries but only ${got.size} distinct ids`);
  if (served.total !== expected.length) lines.push(`total ${String(served.total)}, expected ${expected.length}`);
  const explained = (ids: string[]) => ids.map((id) => `  ${explain(oracle, q.type, id, q.query)}`);
  if (ordered) {
    const at = expected.findIndex((id, i) => served.ids[i] !== id);
    if (at >= 0 || served.ids.length !== expected.length) {
      const position = at < 0 ? expected.length : at;
      const window = (ids: string[]) => explained(ids.slice(Math.max(0, position - 1), position + 3));
      lines.push(`served ${served.ids.length} ids, expected ${expected.length}; first difference at position ${position}`);
      lines.push('expected:', ...window(expected), 'served:', ...window(served.ids));
    }
  } else {
    const want = new Set(expected);
    for (const [label, ids] of [
      ['missing', expected.filter((id) => !got.has(id))],
      ['unexpected', [...got].filter((id) => !want.has(id))],
    ] as const) {
      if (ids.length === 0) continue;
      lines.push(`${label} (${ids.length}):`, ...explained(ids.slice(0, 6)));
      if (ids.length > 6) lines.push(`  … ${ids.slice(6).join(' ')}`);
    }
  }
  return lines.length ? lines.join('\n') : undefined;
}

/**
 * Runs every query, collecting disagreements, and fails once at the end with the first ten, so one
 * broken feature does not hide the others.
 */
export async function runGroup(base: string, oracle: Oracle, queries: Query[], ordered = false): Promise<void> {
  const failures: string[] = [];
  let skipped = 0;
  for (const q of queries) {
    const expected = oracle.search(q.type, q.query);
    if (expected.edge) {
      skipped++;
      continue;
    }
    const served = await serve(base, q);
    const wrong = served.error ?? problem(oracle, q, expected.ids, served, ordered);
    if (wrong) failures.push(`GET ${q.type}?${decodeURIComponent(q.query)}\n${wrong.replace(/^/gm, '  ')}`);
  }
  if (failures.length === 0) return;
  const checked = queries.length - skipped;
  const more = failures.length > 10 ? `\n\n… and ${failures.length - 10} more` : '';
  throw new Error(`${failures.length} of ${checked} queries disagree with docs/search.md:\n\n${failures.slice(0, 10).join('\n\n')}${more}`);
}
