/** Small constructors shared by the reference data and the patient bundles. */
import type { Address, BundleEntry, Reference, Resource } from '@medplum/fhirtypes';
import type { Division } from './divisions.js';
import { EXT } from './systems.js';

/** A transaction entry, which here always has a fullUrl. */
export type Entry = BundleEntry & { fullUrl: string };

/**
 * A conditional create: the server adds the resource only if nothing matches `identifier`, so a
 * second run of the seed finds the first run's records instead of duplicating them.
 */
export function conditionalPost(
  fullUrl: string,
  resource: Resource,
  identifier: { system: string; value: string },
): Entry {
  return {
    fullUrl,
    resource,
    request: { method: 'POST', url: resource.resourceType, ifNoneExist: `identifier=${identifier.system}|${identifier.value}` },
  };
}

/** A reference the server resolves by search when it processes the transaction. */
export function conditionalReference<T extends Resource>(
  type: T['resourceType'],
  system: string,
  value: string,
  display: string,
): Reference<T> {
  return { reference: `${type}?identifier=${system}|${value}`, display };
}

/** A reference to another entry of the same bundle, by its fullUrl. */
export function uuidReference<T extends Resource>(fullUrl: string, display?: string): Reference<T> {
  return display === undefined ? { reference: fullUrl } : { reference: fullUrl, display };
}

/** An address down to the county (and township, street line when given), tagged with its division code. */
export function divisionAddress(
  division: Division,
  parts: { use: Address['use']; township?: string; line?: string },
): Address {
  const city = division.city === division.province ? '' : division.city;
  const local = (parts.township ?? '') + (parts.line ?? '');
  const address: Address = {
    extension: [{ url: EXT.divisionCode, valueCode: division.code }],
    use: parts.use,
    type: 'physical',
    text: division.province + city + division.county + local,
  };
  if (local) address.line = [local];
  address.city = division.city;
  address.district = division.county;
  address.state = division.province;
  address.country = 'CN';
  return address;
}
