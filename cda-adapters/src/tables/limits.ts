/**
 * Nesting limits. Shared documents nest sections two or three levels and entries a few
 * entryRelationships deep; hostile or broken input nests them thousands deep, which every
 * recursive consumer downstream (the FHIR Composition's sections, FHIRPath, JSON tools) would
 * have to survive. Documents beyond these are refused with an error at the first element too
 * deep. Generous on purpose: a platform needing more changes this table.
 */
export const LIMITS = {
  /** Element depth the parser builds, the root element being depth 1. */
  elementDepth: 256,
  /** Sections in sections, a body section being depth 1 (checked by the validator, rule CDA-BODY-010). */
  sectionDepth: 32,
} as const;
