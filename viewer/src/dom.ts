/** A small element builder: the viewer has no framework, and its DOM is simple. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Omit<HTMLElementTagNameMap[K], 'dataset' | 'style'>> & { dataset?: Record<string, string>; testid?: string } = {},
  ...children: (Node | string | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const { dataset, testid, ...rest } = props;
  const element = Object.assign(document.createElement(tag), rest);
  if (dataset) Object.assign(element.dataset, dataset);
  if (testid) element.dataset.testid = testid;
  for (const child of children) if (child !== undefined && child !== false) element.append(child);
  return element;
}
