import { tryGetDataType } from '@medplum/core';
import * as issue from './issues.js';
import type { ProfileIssue } from './issues.js';

/** Extension URL → the contexts (type names or element paths) its definition allows. */
export type ExtensionContexts = ReadonlyMap<string, readonly string[]>;

/**
 * Every use of a known extension where its definition does not allow it: the type of the
 * element holding it (`Address`) or that element's path (`Patient.address`) must be one of the
 * definition's contexts. Types come from the R4 definitions, which the caller has loaded.
 */
export function checkExtensionContexts(resource: Record<string, unknown>, contexts: ExtensionContexts, issues: ProfileIssue[]): void {
  const type = String(resource.resourceType);
  walk(resource, type, type, type, contexts, issues);
}

function walk(object: Record<string, unknown>, type: string, elementPath: string, expression: string, contexts: ExtensionContexts, issues: ProfileIssue[]): void {
  const schema = tryGetDataType(type);
  for (const key in object) {
    const value = object[key];
    if (typeof value !== 'object' || value === null) continue;
    const items = Array.isArray(value) ? value : [value];
    const at = (i: number) => (Array.isArray(value) ? `${expression}.${key}[${i}]` : `${expression}.${key}`);
    if (key === 'extension' || key === 'modifierExtension') {
      items.forEach((extension, i) => {
        if (!isObject(extension) || typeof extension.url !== 'string') return;
        const allowed = contexts.get(extension.url);
        if (allowed && !allowed.includes(type) && !allowed.includes(elementPath)) issues.push(issue.extensionContext(at(i), extension.url, elementPath, allowed));
      });
      continue;
    }
    const name = key.startsWith('_') ? key.slice(1) : key;
    items.forEach((item, i) => {
      if (!isObject(item)) return;
      if (key === 'contained' || typeof item.resourceType === 'string') {
        const nested = String(item.resourceType);
        walk(item, nested, nested, at(i), contexts, issues);
        return;
      }
      const childType = key.startsWith('_') ? (schema?.elements[name]?.type[0]?.code ?? 'Element') : (schema?.elements[name]?.type[0]?.code ?? choiceType(schema?.elements, name));
      walk(item, childType ?? 'Element', `${elementPath}.${name}`, at(i), contexts, issues);
    });
  }
}

/** `valueQuantity` → `Quantity`, for a choice element of the schema. */
function choiceType(elements: Record<string, { type: { code: string }[] }> | undefined, key: string): string | undefined {
  if (!elements) return undefined;
  for (const [element, definition] of Object.entries(elements)) {
    if (!element.endsWith('[x]')) continue;
    const stem = element.slice(0, -3);
    if (!key.startsWith(stem)) continue;
    const suffix = key.slice(stem.length).toLowerCase();
    const match = definition.type.find((t) => t.code.toLowerCase() === suffix);
    if (match) return match.code;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
