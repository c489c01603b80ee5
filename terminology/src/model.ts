/**
 * The service's public types. The server, the validator and the CDA adapters depend on these
 * shapes: extend them, never change what a field means.
 */

/** A problem the service reports, bilingual; the server renders it as an OperationOutcome issue. */
export interface TerminologyIssue {
  severity: 'error' | 'warning' | 'information';
  code: 'not-found' | 'code-invalid' | 'invalid' | 'business-rule' | 'not-supported' | 'too-costly';
  /** Stable rule id, e.g. `TX-UNKNOWN-SYSTEM`. */
  id: string;
  zh: string;
  en: string;
}

/** Thrown for requests the service cannot answer at all (unknown system, value set or code). */
export class TerminologyError extends Error {
  constructor(readonly issues: TerminologyIssue[]) {
    super(issues.map((i) => i.en).join('; '));
    this.name = 'TerminologyError';
  }
}

/** `active`; `retired`: refused in new data, still readable; `deprecated`: accepted with a warning. */
export type ConceptStatus = 'active' | 'deprecated' | 'retired';

export interface Designation {
  language?: string;
  use?: { system?: string; code?: string; display?: string };
  value: string;
}

export interface ConceptProperty {
  code: string;
  value: string | number | boolean;
}

/** What the service knows of one concept. */
export interface ConceptDetails {
  code: string;
  display?: string;
  definition?: string;
  status: ConceptStatus;
  designations: Designation[];
  properties: ConceptProperty[];
  parents: string[];
  children: string[];
}

export interface LookupResult extends ConceptDetails {
  /** Name of the code system (its title where it has one). */
  name: string;
  system: string;
  version?: string;
}

export interface ValidateCodeRequest {
  /** Value set canonical URL (optionally `|version`); absent = validate against the code system. */
  url?: string;
  system?: string;
  version?: string;
  code: string;
  display?: string;
}

export interface ValidateCodeResult {
  result: boolean;
  system?: string;
  version?: string;
  code: string;
  /** The code system's display for the code (the preferred one). */
  display?: string;
  status?: ConceptStatus;
  /** A retired code: valid in stored data, refused in new data. `result` is still true. */
  isRetired: boolean;
  /** The system is not known to the service, so membership could not be decided. */
  unknownSystem?: boolean;
  /** Why the result is false, or a warning (wrong display, deprecated, retired). */
  issues: TerminologyIssue[];
}

export interface ExpandOptions {
  /** Matches Chinese text, codes, English text and pinyin (initials `dz` or full `dazhou`). */
  filter?: string;
  offset?: number;
  count?: number;
  /** BCP-47 tag; a designation in that language becomes the display. */
  displayLanguage?: string;
  includeDesignations?: boolean;
  activeOnly?: boolean;
}

export interface ExpansionItem {
  system: string;
  version?: string;
  code: string;
  display?: string;
  inactive?: boolean;
  designations?: Designation[];
}

export interface Expansion {
  url: string;
  version?: string;
  name?: string;
  title?: string;
  total: number;
  offset: number;
  contains: ExpansionItem[];
}

export type SubsumptionOutcome = 'equivalent' | 'subsumes' | 'subsumed-by' | 'not-subsumed';

export interface TranslateRequest {
  /** ConceptMap canonical URL; absent = every map from `system` (to `target`, when given). */
  url?: string;
  system: string;
  code: string;
  /** Target system (or, with `reverse`, the source system wanted). */
  target?: string;
  /** Translate from the maps' targets back to their sources. */
  reverse?: boolean;
}

export interface TranslateMatch {
  equivalence: string;
  system: string;
  code: string;
  display?: string;
  /** The ConceptMap that gave the match. */
  source: string;
}

export interface TranslateResult {
  result: boolean;
  matches: TranslateMatch[];
  issues: TerminologyIssue[];
}

/** One change between two versions of a code system. */
export interface CodeChange {
  system: string;
  fromVersion?: string;
  toVersion?: string;
  code: string;
  change: 'added' | 'removed' | 'retired' | 'reactivated' | 'display-changed';
  before?: string;
  after?: string;
}
