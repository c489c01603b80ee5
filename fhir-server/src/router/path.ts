import { FhirError } from '../errors/fhir-error.js';
import type { ParsedPath } from './types.js';

const TYPE = /^[A-Z][A-Za-z]+$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Splits a path below the FHIR base into type, id, version and keyword. Segments are checked
 * against the FHIR id grammar here, so nothing later sees an id that could smuggle in a path.
 */
export function parsePath(path: string): ParsedPath {
  const segments = path.split('/').filter((s) => s !== '');
  const [first, second, third, fourth, ...rest] = segments;
  if (first === undefined) return {};
  if (rest.length > 0) throw notFound(path);
  if (first.startsWith('$') || first === 'metadata' || first === '_history' || first === '_search') {
    if (second !== undefined) throw notFound(path);
    return { keyword: first };
  }
  if (!TYPE.test(first)) throw notFound(path);
  if (second === undefined) return { type: first };
  if (second === '_history' || second === '_search' || second.startsWith('$')) {
    if (third !== undefined) throw notFound(path);
    return { type: first, keyword: second };
  }
  if (!ID.test(second)) throw new FhirError('resource.id-invalid', { id: second });
  if (third === undefined) return { type: first, id: second };
  if (third.startsWith('$') && fourth === undefined) return { type: first, id: second, keyword: third };
  if ((TYPE.test(third) || third === '*') && fourth === undefined) {
    return { ...(third === '*' ? {} : { type: third }), compartment: { type: first, id: second } };
  }
  if (third !== '_history') throw notFound(path);
  if (fourth === undefined) return { type: first, id: second, keyword: '_history' };
  return { type: first, id: second, keyword: '_history', versionId: fourth };
}

function notFound(path: string): FhirError {
  return new FhirError('route.not-found', { method: '', path: `/${path}` });
}
