import type { CompactProfile } from './compact.js';
import { ALLERGY, CONDITION, ENCOUNTER, MEDICATION_REQUEST, PROCEDURE } from './clinical.js';
import { DIAGNOSTICS } from './diagnostics.js';
import { DOCUMENTS } from './documents.js';
import { EXTENSIONS } from './extensions.js';
import { ORGANIZATION } from './organization.js';
import { PATIENT, PRACTITIONER, PRACTITIONER_ROLE } from './people.js';

/** Every StructureDefinition of the package, as authored. */
export const DEFINITIONS: readonly CompactProfile[] = [
  ...EXTENSIONS,
  PATIENT,
  PRACTITIONER,
  PRACTITIONER_ROLE,
  ORGANIZATION,
  ENCOUNTER,
  CONDITION,
  PROCEDURE,
  MEDICATION_REQUEST,
  ALLERGY,
  ...DIAGNOSTICS,
  ...DOCUMENTS,
];
