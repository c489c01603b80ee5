import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

/** One resource of the transaction a document becomes; `ifNoneExist` makes its create conditional. */
export interface MappedEntry {
  fullUrl: string;
  resource: Json;
  ifNoneExist?: string;
}

/** Collects the resources of one document, at most one per matching key (the same doctor authoring and signing). */
export class Collector {
  readonly entries: MappedEntry[] = [];
  private readonly byKey = new Map<string, string>();

  add(resource: Json, ifNoneExist?: string): string {
    if (ifNoneExist) {
      const key = `${String(resource.resourceType)}?${ifNoneExist}`;
      const known = this.byKey.get(key);
      if (known) return known;
      const fullUrl = `urn:uuid:${randomUUID()}`;
      this.byKey.set(key, fullUrl);
      this.entries.push({ fullUrl, resource, ifNoneExist });
      return fullUrl;
    }
    const fullUrl = `urn:uuid:${randomUUID()}`;
    this.entries.push({ fullUrl, resource });
    return fullUrl;
  }
}

/** `identifier=system|value` for a conditional create, with FHIR search escaping (`\ | , $`). */
export function identifierCriteria(system: string, value: string): string {
  const escape = (s: string) => s.replace(/[\\|,$]/g, (c) => `\\${c}`);
  return `identifier=${encodeURIComponent(escape(system))}|${encodeURIComponent(escape(value))}`;
}
