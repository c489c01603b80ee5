import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Principal } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Db, Queryable } from '../repository/db.js';
import type { Repository } from '../repository/repository.js';
import type { StoredVersion } from '../repository/stored.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Prefer {
  return?: 'minimal' | 'representation' | 'OperationOutcome';
  handling?: 'strict' | 'lenient';
  /** `respond-async`: the client asks for an asynchronous request (Bulk Data kick-off). */
  respondAsync?: boolean;
}

/** A FHIR interaction, independent of HTTP: the HTTP layer, batch entries and operations all build these. */
export interface FhirRequest {
  method: Method;
  /** Path below the FHIR base without leading slash, e.g. `Patient/1/_history/2`; '' for the base. */
  path: string;
  query: [string, string][];
  body?: unknown;
  /** Media type of the body (without parameters), for PATCH. */
  contentType?: string;
  /** The body's bytes, unparsed, for operations that take a non-FHIR document (a CDA, a DICOM file). */
  rawBody?: Buffer;
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifNoneExist?: string;
  prefer: Prefer;
  /** Public FHIR base URL for fullUrls and links, e.g. `http://localhost:8080/fhir`. */
  baseUrl: string;
  /** Who is asking: every check, mask and audit record of the interaction is about this principal. */
  principal: Principal;
}

/** JSON text already serialised (a stored resource); spliced into the response as is. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A response that is not a FHIR resource (a CDA document, a file): sent with its own media type. */
export class RawContent {
  constructor(
    readonly contentType: string,
    readonly data: Buffer | string,
  ) {}
}

export type Body = Resource | RawJson;

export interface FhirResponse {
  status: number;
  body?: Body | RawContent;
  /** The version the response is about: drives ETag, Last-Modified and Location. */
  version?: StoredVersion;
  location?: string;
  /** Further reply headers an interaction sets itself (Content-Location of an asynchronous request). */
  headers?: Record<string, string>;
  /**
   * Warnings of a write that succeeded (e.g. an unmapped local code): `entry.response.outcome` in
   * a Bundle, the body under `Prefer: return=OperationOutcome`.
   */
  outcome?: OperationOutcome;
}

/** What interactions may use; passed explicitly, never reached through globals. */
export interface Context {
  config: Config;
  db: Db;
  repo: Repository;
}

export type Interaction = (ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath) => Promise<FhirResponse>;

export interface ParsedPath {
  type?: string;
  id?: string;
  versionId?: string;
  /** `_history`, `_search`, `metadata`, or an operation name such as `$everything`. */
  keyword?: string;
  /** `Patient/123/Observation`: a search in the compartment of Patient/123. */
  compartment?: { type: string; id: string };
}
