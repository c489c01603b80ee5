import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CdaError, type CdaIssue } from '../issues.js';

/** An element of a parsed document: local name (prefix dropped), attributes by qualified name. */
export interface XElement {
  name: string;
  /** The namespace prefix the element was written with, if any. */
  prefix?: string;
  attrs: Record<string, string>;
  children: XNode[];
}
export type XNode = XElement | string;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Entities are decoded below, never expanded by the parser: with DTDs refused only the five
  // predefined ones and character references can occur.
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  jPath: false,
});

const DTD = /<!\s*(?:doctype|entity|element|attlist|notation)/i;

/**
 * Parses a CDA document. DOCTYPE and entity declarations are refused outright (no entity
 * expansion, no external fetches); a malformed document fails with the line and column the
 * validator reports.
 */
export function parseXml(text: string): XElement {
  const xml = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!/\S/.test(xml)) throw fatal('CDA-XML-003', '文档为空', 'the document is empty');
  const dtd = DTD.exec(xml);
  if (dtd) {
    const { line, col } = position(xml, dtd.index);
    throw fatal('CDA-XML-004', `第 ${line} 行第 ${col} 列：不允许 DOCTYPE 或实体声明`, `line ${line}, column ${col}: DOCTYPE and entity declarations are not allowed`);
  }
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    const { line, col, msg } = verdict.err;
    throw fatal('CDA-XML-005', `第 ${line} 行第 ${col} 列：XML 格式错误（${msg}）`, `line ${line}, column ${col}: malformed XML (${msg})`);
  }
  const roots = convert(parser.parse(xml) as unknown[]).filter((n): n is XElement => typeof n !== 'string');
  const [root] = roots;
  if (!root || roots.length !== 1) throw fatal('CDA-XML-006', '文档必须只有一个根元素', 'the document must have exactly one root element');
  return root;
}

function fatal(id: string, zh: string, en: string): CdaError {
  const issue: CdaIssue = { severity: 'fatal', code: 'structure', id, zh, en, expression: '/' };
  return new CdaError([issue]);
}

function position(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: index - start + 1 };
}

function convert(nodes: unknown[]): XNode[] {
  const out: XNode[] = [];
  for (const node of nodes as Record<string, unknown>[]) {
    for (const key of Object.keys(node)) {
      if (key === ':@') continue;
      if (key === '#text') {
        out.push(decodeEntities(String(node[key])));
        continue;
      }
      const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
      const attrs: Record<string, string> = {};
      for (const [name, value] of Object.entries(rawAttrs)) attrs[name] = decodeEntities(value);
      const colon = key.indexOf(':');
      const children = convert(node[key] as unknown[]);
      out.push(colon < 0 ? { name: key, attrs, children } : { name: key.slice(colon + 1), prefix: key.slice(0, colon), attrs, children });
    }
  }
  return out;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[ref] ?? whole;
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

/** All descendant text, whitespace-normalised. */
export function textOf(el: XElement | undefined): string {
  if (!el) return '';
  const parts: string[] = [];
  const walk = (e: XElement) => {
    for (const c of e.children) {
      if (typeof c === 'string') parts.push(c);
      else walk(c);
    }
  };
  walk(el);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

export function attr(el: XElement | undefined, name: string): string | undefined {
  const v = el?.attrs[name];
  return v === undefined || v === '' ? undefined : v;
}
