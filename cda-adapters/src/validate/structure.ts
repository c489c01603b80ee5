import { CDA_SCHEMA, type ElementDef, type Slot } from '../tables/cda-schema.js';
import { elements, type XElement } from '../xml/dom.js';
import { pathOf } from './locate.js';
import type { RuleId } from './rules.js';

type Report = (id: RuleId, expression: string, params: Record<string, string>) => void;

interface Compiled {
  def: ElementDef;
  /** Slot index and child definition of each allowed child name. */
  slots: Map<string, { index: number; slot: Slot; def?: string }>;
  attributes: [string, ReadonlySet<string>][];
  unordered: ReadonlySet<string>;
}

const COMPILED = new Map<string, Compiled>(
  Object.entries(CDA_SCHEMA).map(([key, def]) => {
    const slots = new Map<string, { index: number; slot: Slot; def?: string }>();
    def.children.forEach((slot, index) => {
      for (const name of slot[0].split('|')) {
        const child = slot[3] ?? (CDA_SCHEMA[name] ? name : undefined);
        slots.set(name, { index, slot, ...(child ? { def: child } : {}) });
      }
    });
    const attributes = Object.entries(def.attributes ?? {}).map(([name, allowed]): [string, ReadonlySet<string>] => [name, new Set(allowed)]);
    return [key, { def, slots, attributes, unordered: new Set(def.unordered ?? []) }];
  }),
);

const bound = (max: number) => (max < 0 ? '*' : String(max));

/**
 * The document against the CDA R2 schema table (tables/cda-schema.ts): unknown children
 * (CDA-HDR-020), schema order (CDA-SCH-001), cardinality (CDA-SCH-002) and fixed attribute
 * values (CDA-SCH-003), from the root down through every covered element; an explicit stack, so
 * depth costs no call stack, and paths made only for what is reported.
 */
export function checkStructure(root: XElement, report: Report): void {
  const path = (e: XElement) => pathOf(root, '/ClinicalDocument', e);
  const pending: { e: XElement; key: string }[] = [{ e: root, key: 'ClinicalDocument' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { e, key } = next;
    const compiled = COMPILED.get(key);
    if (!compiled) continue;
    const { def, slots, attributes, unordered } = compiled;
    for (const [name, allowed] of attributes) {
      const value = e.attrs[name];
      if (value !== undefined && !allowed.has(value)) report('CDA-SCH-003', `${path(e)}/@${name}`, { attribute: name, value, allowed: [...allowed].join(', ') });
    }
    const counts = new Array<number>(def.children.length).fill(0);
    let last = -1;
    let lastName = '';
    const below: typeof pending = [];
    for (const c of elements(e)) {
      const at = slots.get(c.name);
      if (!at) {
        report('CDA-HDR-020', path(c), { element: c.name });
        continue;
      }
      counts[at.index]! += 1;
      if (!unordered.has(c.name)) {
        if (at.index < last) report('CDA-SCH-001', path(c), { element: c.name, after: lastName });
        else {
          last = at.index;
          lastName = c.name;
        }
      }
      if (at.def) below.push({ e: c, key: at.def });
    }
    for (let index = 0; index < def.children.length; index++) {
      const [names, min, max] = def.children[index]!;
      const count = counts[index]!;
      if (count < min || (max >= 0 && count > max)) {
        const slot = names.includes('|') ? `(${names})` : names;
        report('CDA-SCH-002', `${path(e)}/${slot}`, { element: names.replaceAll('|', ' | '), count: String(count), min: String(min), max: bound(max) });
      }
    }
    for (let i = below.length - 1; i >= 0; i--) pending.push(below[i]!);
  }
}
