import type { IndexedCodeSystem } from './code-system.js';
import type { CodeChange } from './model.js';

/** What changed from one version of a code system to the next: the change log of a code table. */
export function diffVersions(before: IndexedCodeSystem, after: IndexedCodeSystem): CodeChange[] {
  const changes: CodeChange[] = [];
  const base = {
    system: after.url,
    ...(before.version ? { fromVersion: before.version } : {}),
    ...(after.version ? { toVersion: after.version } : {}),
  };
  for (const [code, now] of after.concepts) {
    const was = before.concepts.get(code);
    if (!was) {
      changes.push({ ...base, code, change: 'added', ...(now.display ? { after: now.display } : {}) });
      continue;
    }
    if (was.status !== 'retired' && now.status === 'retired') changes.push({ ...base, code, change: 'retired' });
    if (was.status === 'retired' && now.status !== 'retired') changes.push({ ...base, code, change: 'reactivated' });
    if ((was.display ?? '') !== (now.display ?? '')) {
      changes.push({ ...base, code, change: 'display-changed', ...(was.display ? { before: was.display } : {}), ...(now.display ? { after: now.display } : {}) });
    }
  }
  for (const [code, was] of before.concepts) {
    if (!after.concepts.has(code)) changes.push({ ...base, code, change: 'removed', ...(was.display ? { before: was.display } : {}) });
  }
  return changes;
}
