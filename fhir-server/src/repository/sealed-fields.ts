import { blindIndex } from '../crypto/blind-index.js';
import { decryptField, encryptField, FIELD_PREFIX, FieldCipherError, type FieldKeys } from '../crypto/field-cipher.js';
import { keyFileChanged, lookupBlindIndexKeys, openingKeys, readKeyFileNow, reloadKeyFilesFor } from '../crypto/key-registry.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Filter } from '../search/parse.js';

/**
 * Field-level encryption at rest (GB/T 39786 level 3, issue 8): the values of identity-document
 * numbers and phone numbers of persons are stored as SM4 field tokens, and indexed by their keyed
 * HMAC-SM3 blind index, so neither the resource tables nor the search tables hold them in clear.
 * Which values are sealed is the table below; docs/crypto.md is the contract.
 */

type Json = Record<string, unknown>;
export type SealedKind = 'identifier' | 'phone';

/**
 * Identity documents that number a person nationwide: the resident ID card (GB 11643), the
 * medical-insurance card and the resident health card (its number is usually the resident ID).
 * Health-record, visit and staff numbers are assigned by the platform or a hospital and stay
 * searchable by prefix; no profile of the package names a passport system.
 */
export const SEALED_IDENTIFIER_SYSTEMS: readonly string[] = [
  'urn:oid:2.16.156.10011.1.3',
  '2.16.156.10011.1.3',
  'urn:oid:2.16.156.10011.1.15',
  'urn:oid:2.16.156.10011.1.19',
];
const PHONE_SYSTEMS: readonly string[] = ['phone', 'sms'];
const PERSONS: readonly string[] = ['Patient', 'RelatedPerson', 'Practitioner', 'Person'];

/**
 * A sealed element: on resources of `types`, the Identifier or ContactPoint at `path` (arrays
 * walked at every step) whose `system` is one of `systems` has its `value` sealed. `search`
 * names the search parameters of those types whose index rows hold that value.
 */
export interface SealedElement {
  readonly types: readonly string[];
  readonly path: readonly string[];
  readonly systems: readonly string[];
  readonly kind: SealedKind;
  readonly search: readonly string[];
}

export const SEALED_ELEMENTS: readonly SealedElement[] = [
  { types: PERSONS, path: ['identifier'], systems: SEALED_IDENTIFIER_SYSTEMS, kind: 'identifier', search: ['identifier', 'identifier:of-type'] },
  { types: PERSONS, path: ['telecom'], systems: PHONE_SYSTEMS, kind: 'phone', search: ['phone', 'telecom'] },
  { types: ['Patient'], path: ['contact', 'telecom'], systems: PHONE_SYSTEMS, kind: 'phone', search: [] },
];

const ELEMENTS_BY_TYPE = new Map<string, SealedElement[]>();
const SEARCH_KIND = new Map<string, SealedKind>();
for (const element of SEALED_ELEMENTS) {
  for (const type of element.types) {
    ELEMENTS_BY_TYPE.set(type, [...(ELEMENTS_BY_TYPE.get(type) ?? []), element]);
    for (const param of element.search) SEARCH_KIND.set(`${type}.${param}`, element.kind);
  }
}

/** Resource types that can hold sealed values at top level (rotation visits all their rows). */
export const SEALED_TYPES: readonly string[] = [...ELEMENTS_BY_TYPE.keys()];

/** Prefix of a blind index in a token row's `value` column, so it is never mistaken for a code. */
export const BLIND_PREFIX = 'bi1.';

/**
 * In the stored text a token's first letter is written as the escape `\u0073`: JSON.stringify
 * never escapes a letter, so no string a client sends can look like this, and opening needs no
 * parse — a client string that happens to start with `sm4.1.` is stored as it came.
 */
const SEALED_MARK = '"\\u0073m4.1.';
const SEALED_IN_TEXT = /"\\u0073m4\.1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"/g;

type ValueMap = (kind: SealedKind, value: string) => string;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `node` with `leaf` applied at `path`; the same object when nothing changed (copy on write). */
function rewrite(node: unknown, path: readonly string[], leaf: (element: Json) => Json): unknown {
  if (Array.isArray(node)) {
    let changed = false;
    const out = node.map((item) => {
      const next = rewrite(item, path, leaf);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : node;
  }
  if (!isJson(node)) return node;
  const [head, ...rest] = path;
  if (head === undefined) return leaf(node);
  const child = node[head];
  if (child === undefined) return node;
  const next = rewrite(child, rest, leaf);
  return next === child ? node : { ...node, [head]: next };
}

/** The resource with every sealed value mapped; contained resources and Bundle entries too. */
function mapSealed(resource: Json, map: ValueMap): Json {
  let out = resource;
  for (const element of ELEMENTS_BY_TYPE.get(resource.resourceType as string) ?? []) {
    out = rewrite(out, element.path, (e) =>
      typeof e.value === 'string' && e.value !== '' && typeof e.system === 'string' && element.systems.includes(e.system) ? { ...e, value: map(element.kind, e.value) } : e,
    ) as Json;
  }
  const nested = (container: unknown, path: readonly string[]) => rewrite(container, path, (r) => (typeof r.resourceType === 'string' ? mapSealed(r, map) : r));
  if (Array.isArray(out.contained)) {
    const contained = nested(out.contained, []);
    if (contained !== out.contained) out = { ...out, contained };
  }
  if (out.resourceType === 'Bundle' && Array.isArray(out.entry)) {
    const entry = nested(out.entry, ['resource']);
    if (entry !== out.entry) out = { ...out, entry };
  }
  return out;
}

export function blindValue(key: Buffer, kind: SealedKind, value: string): string {
  return `${BLIND_PREFIX}${blindIndex(key, kind, value)}`;
}

/** What a write stores: the sealed JSON text, and the resource the index rows are built from. */
export interface Sealed {
  text: string;
  indexed: Json;
}

type SealingKeys = FieldKeys & { readonly blindIndexKey: Buffer; readonly source?: { kind: string; path?: string } };
const KEY_FILE_CHECK_MS = 10_000;

/**
 * Seals with one ring's current field key and indexes under its blind-index key. A ring from a
 * key file follows the file: a rotation (rotate-cli) makes its new key current in every running
 * server within KEY_FILE_CHECK_MS, so values stop being sealed under a key about to be retired.
 */
export class FieldSealer {
  private checked = Date.now();
  private readonly file: string | undefined;
  private fileTime: number;

  constructor(
    private keys: SealingKeys,
    private readonly checkEveryMs = KEY_FILE_CHECK_MS,
  ) {
    this.file = keys.source?.kind === 'environment' ? undefined : keys.source?.path;
    this.fileTime = this.file ? keyFileChanged(this.file) : 0;
  }

  private followKeyFile(): void {
    if (!this.file || Date.now() - this.checked < this.checkEveryMs) return;
    this.checked = Date.now();
    const time = keyFileChanged(this.file);
    if (time === this.fileTime) return;
    const ring = readKeyFileNow(this.file);
    if (!ring) return;
    this.fileTime = time;
    // The blind-index key is not followed: index rows written under two keys would not be found by one.
    if (ring.blindIndexKey.equals(this.keys.blindIndexKey)) this.keys = ring;
  }

  /**
   * `body` as stored, for `Type/id` (the associated data of its tokens: a token moved to another
   * resource fails authentication); undefined when it holds no sealed value (store it as is).
   */
  seal(body: Json, type: string, id: string): Sealed | undefined {
    this.followKeyFile();
    const aad = `${type}/${id}`;
    const tokens: string[] = [];
    const sealed = mapSealed(body, (_kind, value) => {
      const token = encryptField(this.keys, value, aad);
      tokens.push(token);
      return token;
    });
    if (sealed === body) return undefined;
    let text = JSON.stringify(sealed);
    for (const token of tokens) text = text.replace(`"${token}"`, `"\\u0073${token.slice(1)}"`);
    return { text, indexed: this.indexView(body) };
  }

  /** The resource with sealed values replaced by their blind index, for the search index. */
  indexView(body: Json): Json {
    return mapSealed(body, (kind, value) => blindValue(this.keys.blindIndexKey, kind, value));
  }

  get currentKeyId(): string {
    return this.keys.currentFieldKeyId;
  }
}

/**
 * Stored JSON text with its sealed values opened, on the text itself (no parse; a row without a
 * token costs one substring search). A token that does not open is an error, loudly: its key is
 * missing from the ring, or the stored value was altered.
 */
export function openStored(text: string, type: string, id: string): string {
  if (!text.includes(SEALED_MARK)) return text;
  const aad = `${type}/${id}`;
  return text.replace(SEALED_IN_TEXT, (match, keyId: string, rest: string) => {
    const known = `${aad}${match}`;
    const value = opened.get(known);
    if (value !== undefined) return value;
    if (!openingKeys.fieldKeys.has(keyId)) reloadKeyFilesFor(keyId);
    try {
      const json = JSON.stringify(decryptField(openingKeys, `${FIELD_PREFIX}${keyId}.${rest}`, aad));
      remember(known, json);
      return json;
    } catch (error) {
      if (error instanceof FieldCipherError) throw new FhirError('crypto.field-unreadable', { type, id, keyId, reason: error.reason });
      throw error;
    }
  });
}

/**
 * Values already opened, by resource and token. What a token opens to never changes — its key id
 * names one key for good (the registry adds keys, never replaces one), and the token and the
 * resource it belongs to are the whole key here — so a value read again (the same patients on
 * every page of a busy clinic) costs a lookup instead of an SM4 decryption and an HMAC-SM3 check,
 * which were 7 % of the server's time in the search benchmark's mix. The oldest go first.
 */
const OPENED_LIMIT = 50_000;
const opened = new Map<string, string>();

function remember(known: string, json: string): void {
  opened.set(known, json);
  if (opened.size > OPENED_LIMIT) opened.delete(opened.keys().next().value as string);
}

/** The ids of the field keys the stored text's tokens were sealed under. */
export function sealedKeyIds(text: string): Set<string> {
  return new Set([...text.matchAll(SEALED_IN_TEXT)].map((m) => m[1] as string));
}

/** Whether stored text holds a sealed value (SQL finds candidate rows with `strpos(content, SEALED_MARK_TEXT)`). */
export const SEALED_MARK_TEXT = SEALED_MARK.slice(1);

/** The kind of sealed value the index rows of `type`'s parameter `param` hold, if any. */
export function sealedParam(type: string | undefined, param: string): SealedKind | undefined {
  return type === undefined ? undefined : SEARCH_KIND.get(`${type}.${param}`);
}

/**
 * The stored forms a searched code may have: its blind index under every index key the process
 * knows, and the code itself (rows written before encryption was switched on, until rotate-cli
 * re-seals them). Empty for a parameter that holds no sealed value.
 */
export function blindLookups(type: string | undefined, param: string, code: string): string[] {
  const kind = sealedParam(type, param);
  if (!kind) return [];
  return lookupBlindIndexKeys().map((key) => blindValue(key, kind, code));
}

/** Modifiers that match part of a value, which a blind index (a keyed hash of the whole value) cannot. */
const PARTIAL_MODIFIERS = new Set(['contains', 'below', 'above']);

/** Refuses, by name, a search that needs the clear text of a sealed value (docs/search.md). */
export function refusePartialMatch(type: string | undefined, param: string, modifier: string | undefined): void {
  if (modifier === undefined || !PARTIAL_MODIFIERS.has(modifier)) return;
  if (sealedParam(type, param)) throw new FhirError('crypto.sealed-partial-match', { param: `${param}:${modifier}` }, `${type}.${param}`);
}

/** A parsed filter whose token codes on a sealed parameter also match their blind indexes. */
export function withBlindLookups<F extends Filter>(type: string | undefined, filter: F): F {
  if (filter.kind !== 'value' || !sealedParam(type, filter.param)) return filter;
  const alternatives = filter.alternatives.map((c) => (c.table === 'token' && 'code' in c && c.code !== undefined ? { ...c, stored: blindLookups(type, filter.param, c.code) } : c));
  return { ...filter, alternatives };
}
