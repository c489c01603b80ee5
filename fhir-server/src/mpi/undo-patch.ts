import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '@medplum/fhirtypes';
import { applyJsonPatch } from '../patch/json-patch.js';

export type PatchOperation =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'replace' | 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** Elements the server sets on every write: never part of what a merge changed. */
const SERVER_SET = new Set(['meta']);

function pointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON Patch (RFC 6902) that turns `after` back into `before`, guarded: each changed value is
 * first tested to still be what the change wrote. Applied later, it restores exactly what the
 * change altered and fails — rather than overwrite — where someone has edited the same element
 * since. Objects and equal-length arrays are compared member by member, so a rewritten reference
 * is one leaf (`/subject/reference`). Items appended to an array (a link, an old identifier) are
 * removed by position, so a later merge into the same patient that appended more does not stand
 * in the way; any other change to an array's length restores the array as a whole.
 */
export function undoPatch(before: unknown, after: unknown): PatchOperation[] {
  const tests: PatchOperation[] = [];
  const changes: PatchOperation[] = [];
  const removeAppended = (b: unknown[], a: unknown[], path: string[]) => {
    for (let i = a.length - 1; i >= b.length; i--) {
      tests.push({ op: 'test', path: pointer([...path, String(i)]), value: a[i] });
      changes.push({ op: 'remove', path: pointer([...path, String(i)]) });
    }
  };
  const walk = (b: unknown, a: unknown, path: string[]) => {
    if (isDeepStrictEqual(b, a)) return;
    if (isObject(b) && isObject(a)) {
      for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
        if (path.length === 0 && SERVER_SET.has(key)) continue;
        const at = [...path, key];
        if (!(key in a)) changes.push({ op: 'add', path: pointer(at), value: b[key] });
        else if (!(key in b) && Array.isArray(a[key])) removeAppended([], a[key] as unknown[], at);
        else if (!(key in b)) {
          tests.push({ op: 'test', path: pointer(at), value: a[key] });
          changes.push({ op: 'remove', path: pointer(at) });
        } else walk(b[key], a[key], at);
      }
      return;
    }
    if (Array.isArray(b) && Array.isArray(a) && b.length === a.length) {
      b.forEach((item, i) => walk(item, a[i], [...path, String(i)]));
      return;
    }
    if (Array.isArray(b) && Array.isArray(a) && a.length > b.length && b.every((item, i) => isDeepStrictEqual(item, a[i]))) {
      removeAppended(b, a, path);
      return;
    }
    tests.push({ op: 'test', path: pointer(path), value: a });
    changes.push({ op: 'replace', path: pointer(path), value: b });
  };
  walk(before, after, []);
  return [...tests, ...changes];
}

/**
 * Applies an undo patch to the current version. Removing appended items can leave an array empty,
 * which FHIR JSON does not allow: such arrays are dropped, as the element was absent before.
 */
export function applyUndo(current: Resource, patch: readonly PatchOperation[]): Resource {
  const restored = applyJsonPatch(current, patch) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(restored)) if (Array.isArray(value) && value.length === 0) delete restored[key];
  return restored as unknown as Resource;
}
