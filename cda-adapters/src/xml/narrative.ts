import { CdaError } from '../issues.js';
import { parseXml } from './parse.js';
import { escapeText } from './write.js';
import type { XElement, XNode } from './dom.js';

/**
 * CDA R2 section narrative (`section/text`) ⇄ FHIR narrative XHTML, one table both ways, so
 * paragraphs, lists and tables keep their boundaries. Elements with no counterpart keep their
 * text inline; renderMultiMedia and footnoteRef point elsewhere and carry no text, so they go.
 * Only table spans are kept of the attributes: FHIR narrative XHTML allows no scripts or
 * event handlers, and CDA's styleCode has no fixed XHTML form.
 */
const TO_XHTML: Readonly<Record<string, string>> = {
  paragraph: 'p',
  list: 'ul',
  item: 'li',
  content: 'span',
  footnote: 'span',
  linkHtml: 'span',
  br: 'br',
  sub: 'sub',
  sup: 'sup',
  caption: 'caption',
  table: 'table',
  thead: 'thead',
  tbody: 'tbody',
  tfoot: 'tfoot',
  tr: 'tr',
  th: 'th',
  td: 'td',
  colgroup: 'colgroup',
  col: 'col',
};
const FROM_XHTML: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(TO_XHTML).filter(([cda]) => cda !== 'footnote' && cda !== 'linkHtml').map(([cda, x]) => [x, cda])),
  ol: 'list',
  div: 'paragraph',
};
const DROPPED = new Set(['renderMultiMedia', 'footnoteRef']);
const KEPT_ATTRIBUTES = ['colspan', 'rowspan'];
const VOID = new Set(['br', 'col']);

/** Whether a section's text has structure worth keeping (any element), rather than plain text. */
export function isStructured(text: XElement | undefined): boolean {
  return !!text?.children.some((c) => typeof c !== 'string');
}

/** The XHTML (content of the narrative div, escaped) of CDA narrative nodes. */
export function narrativeToXhtml(nodes: XNode[]): string {
  const out: string[] = [];
  // An explicit stack in document order; a closing tag waits on it below its element's children.
  const pending: (XNode | { close: string })[] = [...nodes].reverse();
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (typeof node === 'string') {
      out.push(escapeText(node));
      continue;
    }
    if ('close' in node) {
      out.push(`</${node.close}>`);
      continue;
    }
    if (DROPPED.has(node.name)) continue;
    const tag = node.name === 'list' && node.attrs.listType === 'ordered' ? 'ol' : TO_XHTML[node.name];
    if (tag) {
      const attrs = KEPT_ATTRIBUTES.filter((a) => /^\d+$/.test(node.attrs[a] ?? '')).map((a) => ` ${a}="${node.attrs[a]}"`).join('');
      if (VOID.has(tag)) {
        out.push(`<${tag}${attrs}/>`);
        continue;
      }
      out.push(`<${tag}${attrs}>`);
      pending.push({ close: tag });
    }
    for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
  }
  return out.join('');
}

/**
 * CDA narrative nodes back from a FHIR narrative div; undefined when it is not XHTML this module
 * can read. Recursive: the parser bounds the depth (LIMITS.elementDepth).
 */
export function xhtmlToNarrative(div: string): XNode[] | undefined {
  let root: XElement;
  try {
    root = parseXml(div);
  } catch (error) {
    if (error instanceof CdaError) return undefined;
    throw error;
  }
  const convert = (nodes: XNode[], into: XNode[]) => {
    for (const node of nodes) {
      if (typeof node === 'string') {
        into.push(node);
        continue;
      }
      const name = FROM_XHTML[node.name];
      if (!name) {
        convert(node.children, into);
        continue;
      }
      const attrs: Record<string, string> = node.name === 'ol' ? { listType: 'ordered' } : {};
      for (const a of KEPT_ATTRIBUTES) if (/^\d+$/.test(node.attrs[a] ?? '')) attrs[a] = node.attrs[a] as string;
      const el: XElement = { name, attrs, children: [] };
      convert(node.children, el.children);
      into.push(el);
    }
    return into;
  };
  return convert(root.children, []);
}
