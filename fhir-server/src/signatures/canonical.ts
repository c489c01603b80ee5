import type { Resource } from '@medplum/fhirtypes';
import { canonicalJson } from '../crypto/canonical-json.js';

/** How the signed bytes of a resource are made (recorded on the signature, so the rule can change later). */
export const CANONICAL_FORM = 'jcs-without-meta-text';

/**
 * The bytes a resource signature covers: the resource without `meta` (server bookkeeping: version,
 * timestamps, tags a later process may add) and `text` (generated narrative), serialised as
 * RFC 8785 JSON Canonicalization — keys sorted by UTF-16 code units at every level, no whitespace,
 * numbers and strings as ECMAScript JSON writes them — in UTF-8. Array order is kept: in FHIR it
 * carries meaning. Any other change, `id` and `status` included, breaks the signature.
 */
export function canonicalBytes(resource: Resource): Buffer {
  const { meta: _meta, text: _text, ...content } = resource as Resource & { text?: unknown };
  return Buffer.from(canonicalJson(content), 'utf8');
}
