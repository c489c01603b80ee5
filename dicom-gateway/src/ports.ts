/**
 * What the gateway needs from its host, as small structural ports: the host (fhir-server) adapts
 * its own database and FHIR router to them, so this workspace never imports the server.
 */

/** The SQL the gateway issues; structurally what fhir-server's `Db` already is. */
export interface SqlQueryable {
  /** `prepare` names a fixed statement the database may parse and plan once per connection. */
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: { prepare?: string }): Promise<T[]>;
}

export interface SqlPort extends SqlQueryable {
  /** Runs `work` in one database transaction; rolls back if it throws. */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
}

/** A FHIR resource as plain JSON (the gateway builds and reads them without FHIR typings). */
export type FhirJson = { resourceType: string; id?: string } & Record<string, unknown>;

/** The FHIR interactions the ImagingStudy sync uses, run by the host exactly as a client's would be. */
export interface FhirPort {
  /** Searches `type` with the given parameters; returns the matched resources (not includes). */
  search(type: string, query: [string, string][]): Promise<FhirJson[]>;
  /** Processes a transaction Bundle; throws with a bilingual message if it fails. */
  transaction(bundle: FhirJson): Promise<FhirJson>;
}

export interface LogPort {
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/** A message shown to a user: Chinese first, then English. */
export interface Bilingual {
  zh: string;
  en: string;
}
