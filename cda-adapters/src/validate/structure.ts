import { CDA_SCHEMA, type ElementDef, type Slot } from '../tables/cda-schema.js';
import { elements, type XElement } from '../xml/dom.js';
import type { RuleId } from './rules.js';

type Report = (id: RuleId, expression: string, params: Record<string, string>) => void;

interface Compiled {
  def: ElementDef;
  /** Slot index and child definition of each allowed child name. */
  slots: Map<string, { index: number; slot: Slot; def?: string }>;
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
    return [key, { def, slots }];
  }),
);

const bound = (max: number) => (max < 0 ? '*' : String(max));

/**
 * The document against the CDA R2 schema table (tables/cda-schema.ts): unknown children
 * (CDA-HDR-020), schema order (CDA-SCH-001), cardinality (CDA-SCH-002) and fixed attribute
 * values (CDA-SCH-003), from the root down through every covered element; an explicit stack, so
 * depth costs no call stack.
 */
export function checkStructure(root: XElement, report: Report): void {
  const pending: { e: XElement; path: string; key: string }[] = [{ e: root, path: '/ClinicalDocument', key: 'ClinicalDocument' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { e, path, key } = next;
    const compiled = COMPILED.get(key);
    if (!compiled) continue;
    const { def, slots } = compiled;
    for (const [name, allowed] of Object.entries(def.attributes ?? {})) {
      const value = e.attrs[name];
      if (value !== undefined && !allowed.includes(value)) report('CDA-SCH-003', `${path}/@${name}`, { attribute: name, value, allowed: allowed.join(', ') });
    }
    const children = elements(e);
    const counts = new Array<number>(def.children.length).fill(0);
    const seen = new Map<string, number>();
    const total = new Map<string, number>();
    for (const c of children) total.set(c.name, (total.get(c.name) ?? 0) + 1);
    let last = -1;
    let lastName = '';
    const below: typeof pending = [];
    for (const c of children) {
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      const childPath = `${path}/${(total.get(c.name) ?? 0) > 1 ? `${c.name}[${n}]` : c.name}`;
      const at = slots.get(c.name);
      if (!at) {
        report('CDA-HDR-020', childPath, { element: c.name });
        continue;
      }
      counts[at.index]! += 1;
      if (!def.unordered?.includes(c.name)) {
        if (at.index < last) report('CDA-SCH-001', childPath, { element: c.name, after: lastName });
        else {
          last = at.index;
          lastName = c.name;
        }
      }
      if (at.def) below.push({ e: c, path: childPath, key: at.def });
    }
    def.children.forEach(([names, min, max], index) => {
      const count = counts[index]!;
      if (count < min || (max >= 0 && count > max)) {
        const step = names.includes('|') ? `(${names})` : names;
        report('CDA-SCH-002', `${path}/${step}`, { element: names.replaceAll('|', ' | '), count: String(count), min: String(min), max: bound(max) });
      }
    });
    for (let i = below.length - 1; i >= 0; i--) pending.push(below[i]!);
  }
}
