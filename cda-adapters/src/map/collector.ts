import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

/** One resource of the transaction a document becomes; `ifNoneExist` makes its create conditional. */
export interface MappedEntry {
  fullUrl: string;
  resource: Json;
  ifNoneExist?: string;
  /**
   * Further criteria that find the same resource, to try one at a time when `ifNoneExist` finds
   * nothing: a patient known here by one identifier may arrive with another it did not have.
   */
  alsoMatch?: string[];
}

/** Collects the resources of one document, at most one per matching key (the same doctor authoring and signing). */
export class Collector {
  readonly entries: MappedEntry[] = [];
  private readonly byKey = new Map<string, string>();

  add(resource: Json, ifNoneExist?: string, alsoMatch: string[] = []): string {
    if (ifNoneExist) {
      const key = `${String(resource.resourceType)}?${ifNoneExist}`;
      const known = this.byKey.get(key);
      if (known) return known;
      const fullUrl = `urn:uuid:${randomUUID()}`;
      this.byKey.set(key, fullUrl);
      this.entries.push({ fullUrl, resource, ifNoneExist, ...(alsoMatch.length ? { alsoMatch } : {}) });
      return fullUrl;
    }
    const fullUrl = `urn:uuid:${randomUUID()}`;
    this.entries.push({ fullUrl, resource });
    return fullUrl;
  }
}

/** A system or value escaped for a token search (`\ | , $` are special in FHIR search values). */
export function escapeToken(s: string): string {
  return s.replace(/[\\|,$]/g, (c) => `\\${c}`);
}

/** `identifier=system|value` for a conditional create. */
export function identifierCriteria(system: string, value: string): string {
  return `identifier=${encodeURIComponent(escapeToken(system))}|${encodeURIComponent(escapeToken(value))}`;
}
