import { elements, type XElement } from '../xml/dom.js';

/** The XPath step of `e` among its parent's children: `entry[3]` when there are several. */
export function step(parent: XElement, e: XElement): string {
  const same = elements(parent, e.name);
  return same.length > 1 ? `${e.name}[${same.indexOf(e) + 1}]` : e.name;
}

/**
 * The XPath of `target` under `root` (whose own path is `rootPath`), found by a walk from the root:
 * made only for the few elements an issue is reported at, so a check of a whole document keeps
 * no parent links or path strings for the thousands it passes.
 */
export function pathOf(root: XElement, rootPath: string, target: XElement): string {
  const pending: { e: XElement; path: string }[] = [{ e: root, path: rootPath }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.e === target) return next.path;
    for (const c of elements(next.e)) pending.push({ e: c, path: `${next.path}/${step(next.e, c)}` });
  }
  return rootPath;
}
