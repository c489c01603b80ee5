import { withoutAuditTrail } from '../../audit/trail.js';
import type { Parameters } from '@medplum/fhirtypes';
import { isKnownResourceType, resourceTypes } from '../../definitions/r4.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { ExportSpec } from '../../bulk/spec.js';
import { compartmentTypes } from '../../search/compartments.js';
import { parseSearch } from '../../search/parse.js';
import type { FhirRequest } from '../../router/types.js';

const OUTPUT_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** Parameters of the search result rather than its selection: meaningless in a filter. */
const RESULT_PARAMS = new Set(['_count', '_sort', '_total', '_summary', '_elements', '_include', '_revinclude', '_cursor', '_contained', '_containedType', '_format', '_pretty']);
const KNOWN = new Set(['_outputFormat', '_type', '_since', '_typeFilter']);
/** Parameters of the HTTP exchange, not of the export. */
const TRANSPORT = new Set(['_format', '_pretty']);

/**
 * The kick-off's parameters as name/value pairs: the query of a GET, or the query and the
 * Parameters body of a POST (Bulk Data 2.0 allows both).
 */
export function kickoffPairs(req: FhirRequest): [string, string][] {
  const pairs = [...req.query];
  const body = req.body as Parameters | undefined;
  if (req.method === 'POST' && body?.resourceType === 'Parameters') {
    for (const [k, p] of (body.parameter ?? []).entries()) {
      const value = p.valueString ?? p.valueInstant ?? p.valueCode ?? p.valueUri ?? p.valueDateTime;
      if (p.name && value !== undefined) pairs.push([p.name, value]);
      else throw new FhirError('export.param-unsupported', { param: p.name ?? `parameter[${k}]` }, `Parameters.parameter[${k}]`);
    }
  }
  return pairs;
}

/**
 * The export's selection from its parameters, checked completely before the job is accepted:
 * a bad parameter is a 400 at kick-off, never a failed job later. `level` decides which types
 * can be asked for (the Patient compartment for patient and group exports).
 */
export function exportSpec(level: ExportSpec['level'], pairs: [string, string][], req: FhirRequest): Omit<ExportSpec, 'group'> {
  const strict = req.prefer.handling === 'strict';
  for (const [name] of pairs) {
    if (!KNOWN.has(name) && !TRANSPORT.has(name) && strict) throw new FhirError('export.param-unsupported', { param: name }, name);
  }
  for (const [, format] of pairs.filter(([n]) => n === '_outputFormat')) {
    if (!OUTPUT_FORMATS.has(format)) throw new FhirError('export.output-format', { format }, '_outputFormat');
  }
  const allowed = level === 'system' ? resourceTypes() : [...new Set(['Patient', ...compartmentTypes('Patient')])];
  const requested = pairs.filter(([n]) => n === '_type').flatMap(([, v]) => v.split(',').map((t) => t.trim()).filter((t) => t !== ''));
  for (const type of requested) checkType(type, allowed, level);
  const types = requested.length > 0 ? [...new Set(requested)] : withoutAuditTrail(allowed);

  const sinces = pairs.filter(([n]) => n === '_since').map(([, v]) => v);
  const since = sinces[sinces.length - 1];
  if (since !== undefined && !(INSTANT.test(since) && !Number.isNaN(Date.parse(since)))) throw new FhirError('export.since-invalid', { value: since }, '_since');

  const typeFilters: ExportSpec['typeFilters'] = {};
  for (const [, value] of pairs.filter(([n]) => n === '_typeFilter')) {
    // Several filters arrive comma-separated; a comma inside a filter's values is percent-encoded.
    for (const filter of value.split(/,(?=[A-Z][A-Za-z]*\?)/)) {
      const [type, query] = splitFilter(filter);
      checkType(type, allowed, level);
      const search: [string, string][] = [...new URLSearchParams(query)];
      const result = search.find(([n]) => RESULT_PARAMS.has(n.split(':')[0] as string));
      if (result) throw new FhirError('export.type-filter-param', { param: result[0] }, '_typeFilter');
      parseSearch(type, search, { baseUrl: req.baseUrl });
      (typeFilters[type] ??= []).push(search);
    }
  }
  // A filtered type not asked for in _type is not exported (the filter only narrows).
  return { level, types, ...(since !== undefined ? { since } : {}), typeFilters, baseUrl: req.baseUrl };
}

function splitFilter(filter: string): [string, string] {
  const q = filter.indexOf('?');
  const type = q < 0 ? '' : filter.slice(0, q);
  if (!/^[A-Z][A-Za-z]+$/.test(type) || q === filter.length - 1) throw new FhirError('export.type-filter-invalid', { value: filter }, '_typeFilter');
  return [type, filter.slice(q + 1)];
}

function checkType(type: string, allowed: readonly string[], level: ExportSpec['level']): void {
  if (!isKnownResourceType(type)) throw new FhirError('export.type-unknown', { type }, '_type');
  if (!allowed.includes(type)) throw new FhirError('export.type-not-in-compartment', { type, level: level === 'group' ? 'Group' : 'Patient' }, '_type');
}
