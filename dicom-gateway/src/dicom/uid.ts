/**
 * A DICOM UID (PS3.5 §9.1): digits and dots, no empty or zero-led component, at most 64 characters.
 * Storage paths are built from UIDs only after this check, so a UID can never name `..` or `/`.
 */
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isValidUid(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 && UID.test(value);
}

/** Lenient variant for matching keys: some modalities write zero-led components; still path-safe. */
const LOOSE_UID = /^[0-9]+(\.[0-9]+)*$/;
export function isPathSafeUid(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 && LOOSE_UID.test(value);
}
