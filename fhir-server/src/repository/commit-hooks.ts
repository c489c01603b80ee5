import type { Queryable } from './db.js';

/**
 * Work that must wait until a transaction's changes are visible to others (subscriptions,
 * notifications): queued on the transaction and run after COMMIT, dropped on ROLLBACK. The two
 * database backends register each transaction they open.
 */
const pending = new WeakMap<Queryable, (() => void)[]>();

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A listener's failure is its own: the change is committed whatever it does.
  }
}

export function transactionOpened(tx: Queryable): void {
  pending.set(tx, []);
}

/** Runs what was queued on `tx` (after COMMIT) or forgets it (after ROLLBACK). */
export function transactionEnded(tx: Queryable, committed: boolean): void {
  const work = pending.get(tx) ?? [];
  pending.delete(tx);
  if (committed) work.forEach(safely);
}

/**
 * `fn` runs once `q`'s changes are committed: after COMMIT inside a transaction, at once on the
 * pool (a single statement outside a transaction has committed when its promise resolves).
 */
export function onCommit(q: Queryable, fn: () => void): void {
  const queue = pending.get(q);
  if (queue) queue.push(fn);
  else safely(fn);
}
