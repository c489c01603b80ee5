import { PREDEFINED_ENTITIES } from './parse.js';

export { parseXml } from './parse.js';

/** An element of a parsed document: local name (prefix dropped), attributes by qualified name. */
export interface XElement {
  name: string;
  /** The namespace prefix the element was written with, if any. */
  prefix?: string;
  attrs: Record<string, string>;
  children: XNode[];
}
export type XNode = XElement | string;

/** Lenient reference decoding for text that did not come through the parser (unknown references stay as written). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return Object.hasOwn(PREDEFINED_ENTITIES, ref) ? PREDEFINED_ENTITIES[ref]! : whole;
  });
}

/** Child elements, optionally only those with this local name. */
export function elements(el: XElement | undefined, name?: string): XElement[] {
  if (!el) return [];
  const out: XElement[] = [];
  for (const c of el.children) if (typeof c !== 'string' && (name === undefined || c.name === name)) out.push(c);
  return out;
}

export function child(el: XElement | undefined, name: string): XElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (typeof c !== 'string' && c.name === name) return c;
  return undefined;
}

/** The element at a path of local names below `el`, e.g. `patientRole/patient/name`. */
export function at(el: XElement | undefined, path: string): XElement | undefined {
  let current = el;
  for (const step of path.split('/')) current = child(current, step);
  return current;
}

/** All descendant text, whitespace-normalised; iterative, so any nesting depth the parser accepts is read. */
export function textOf(el: XElement | undefined): string {
  if (!el) return '';
  const only = el.children.length === 1 ? el.children[0] : undefined;
  if (typeof only === 'string') return only.replace(/\s+/g, ' ').trim();
  const parts: string[] = [];
  const pending: XNode[] = [];
  for (let i = el.children.length - 1; i >= 0; i--) pending.push(el.children[i]!);
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (typeof node === 'string') parts.push(node);
    else for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}

export function attr(el: XElement | undefined, name: string): string | undefined {
  const v = el?.attrs[name];
  return v === undefined || v === '' ? undefined : v;
}
