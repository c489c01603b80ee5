import type { ElementDefinition } from '@medplum/fhirtypes';
import { baseSnapshot } from './base.js';

interface BaseNode {
  readonly element: ElementDefinition;
  readonly children: BaseNode[];
}

const trees = new Map<string, BaseNode>();

/** A type's snapshot as a tree, so that a subtree can be copied under a slice or an element of that type. */
function tree(type: string): BaseNode {
  let root = trees.get(type);
  if (root) return root;
  const nodes = new Map<string, BaseNode>();
  for (const element of baseSnapshot(type)) {
    const node: BaseNode = { element, children: [] };
    const id = element.id as string;
    nodes.set(id, node);
    const parent = nodes.get(id.slice(0, id.lastIndexOf('.')));
    if (parent) parent.children.push(node);
    else root = node;
  }
  if (!root) throw new Error(`Empty snapshot for ${type}`);
  trees.set(type, root);
  return root;
}

const lastSegment = (id: string): string => id.slice(id.lastIndexOf('.') + 1);

/**
 * The snapshot of a constraint on `type`: the base snapshot in order, each element merged with the
 * differential element of the same id; complex data types unrolled where the differential reaches
 * inside them (`Patient.identifier.system`); each slice a copy of its sliced element's subtree,
 * placed after that subtree, as R4 orders them. A differential id that matches no element throws,
 * so that a misspelt path fails the build rather than being silently dropped.
 */
export function generateSnapshot(type: string, differential: readonly ElementDefinition[]): ElementDefinition[] {
  const diff = new Map(differential.map((element) => [element.id as string, element]));
  const used = new Set<string>();
  const out: ElementDefinition[] = [];
  const slicesOf = (id: string): string[] => {
    const prefix = `${id}:`;
    return [...diff.keys()].filter((key) => key.startsWith(prefix) && !/[.:]/.test(key.slice(prefix.length))).map((key) => key.slice(prefix.length));
  };
  const reachesInside = (id: string): boolean => {
    const prefix = `${id}.`;
    for (const key of diff.keys()) if (key.startsWith(prefix)) return true;
    return false;
  };
  const emit = (node: BaseNode, id: string, path: string, sliceName?: string): void => {
    const own = diff.get(id);
    if (own) used.add(id);
    const element = merge(node.element, id, path, sliceName, own);
    out.push(element);
    let children = node.children;
    if (!children.length && reachesInside(id)) {
      const types = element.type ?? [];
      const only = types.length === 1 ? types[0]?.code : undefined;
      if (!only) throw new Error(`${id}: cannot constrain inside an element of ${types.length} types`);
      children = tree(only).children;
    }
    for (const child of children) {
      const name = lastSegment(child.element.id as string);
      emit(child, `${id}.${name}`, `${path}.${name}`);
    }
    for (const slice of slicesOf(id)) emit(node, `${id}:${slice}`, path, slice);
  };
  const root = tree(type);
  emit(root, type, type);
  const unused = [...diff.keys()].filter((id) => !used.has(id));
  if (unused.length) throw new Error(`Differential elements of ${type} match no element: ${unused.join(', ')}`);
  return out;
}

function merge(base: ElementDefinition, id: string, path: string, sliceName: string | undefined, own: ElementDefinition | undefined): ElementDefinition {
  const { id: _id, path: _path, ...rest } = structuredClone(base);
  const element: ElementDefinition = { id, path, ...(sliceName ? { sliceName } : {}), ...rest };
  if (!own) return element;
  for (const [key, value] of Object.entries(own) as [keyof ElementDefinition, unknown][]) {
    if (key === 'id' || key === 'path' || key === 'sliceName') continue;
    if (key === 'constraint') element.constraint = [...(element.constraint ?? []), ...(value as ElementDefinition['constraint'] & object)];
    else (element as unknown as Record<string, unknown>)[key] = structuredClone(value);
  }
  return element;
}
