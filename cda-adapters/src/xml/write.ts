import type { XElement, XNode } from './dom.js';

/** An element to write: attributes whose value is undefined are left out. */
export function el(name: string, attrs: Record<string, string | undefined> = {}, children: (XNode | undefined | false)[] = []): XElement {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
  return { name, attrs: clean, children: children.filter((c): c is XNode => c !== undefined && c !== false) };
}

/** Text content escaped for XML (and XHTML). */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

/** Serialises with two-space indentation; elements with text content stay on one line. */
export function writeXml(root: XElement): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  const walk = (e: XElement, depth: number) => {
    const pad = '  '.repeat(depth);
    const attrs = Object.entries(e.attrs)
      .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
      .join('');
    if (e.children.length === 0) {
      out.push(`${pad}<${e.name}${attrs}/>\n`);
      return;
    }
    if (e.children.some((c) => typeof c === 'string')) {
      out.push(`${pad}<${e.name}${attrs}>${inline(e.children)}</${e.name}>\n`);
      return;
    }
    out.push(`${pad}<${e.name}${attrs}>\n`);
    for (const c of e.children) walk(c as XElement, depth + 1);
    out.push(`${pad}</${e.name}>\n`);
  };
  const inline = (nodes: XNode[]): string =>
    nodes
      .map((c) => {
        if (typeof c === 'string') return escapeText(c);
        const attrs = Object.entries(c.attrs)
          .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
          .join('');
        return c.children.length ? `<${c.name}${attrs}>${inline(c.children)}</${c.name}>` : `<${c.name}${attrs}/>`;
      })
      .join('');
  walk(root, 0);
  return out.join('');
}
