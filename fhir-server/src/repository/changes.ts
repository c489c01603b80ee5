/** A committed change of one resource, as the repository wrote it. */
export interface ResourceChange {
  action: 'create' | 'update' | 'delete';
  resourceType: string;
  id: string;
  versionId: string;
  lastUpdated: string;
  /** The stored JSON of the new version; null for a delete. */
  json: string | null;
}

export type ChangeListener = (change: ResourceChange) => void;

/**
 * Committed resource changes, in commit order per transaction, for in-process consumers
 * (subscriptions, workflow timers). Listeners run synchronously after COMMIT and must hand
 * slow work off (a queue); a listener that throws does not affect the others.
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get active(): boolean {
    return this.listeners.size > 0;
  }

  emit(change: ResourceChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // See the class comment: one consumer's failure is not the writer's.
      }
    }
  }
}
