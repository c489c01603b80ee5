/** URLs of the extensions and tags this workspace writes on FHIR resources. */
const SD = 'https://qiao.health/fhir/StructureDefinition';

export const EXT = {
  genderGb: `${SD}/administrative-gender-gb`,
  ethnicGroup: `${SD}/ethnic-group`,
  age: `${SD}/patient-age`,
  dataElement: `${SD}/cda-data-element`,
  sm3: `${SD}/document-hash-sm3`,
  setId: `${SD}/cda-set-id`,
  versionNumber: `${SD}/cda-version-number`,
} as const;

/** Which mapping rule (or `generic`) made a resource: the generator reads it back. */
export const MAPPING_TAG = 'https://qiao.health/fhir/CodeSystem/cda-mapping';
/** Identifiers of resources made from one document entry, so re-imports match instead of duplicating. */
export const ENTRY_ID_SYSTEM = 'https://qiao.health/fhir/NamingSystem/cda-entry';
export const DE_SYSTEM = 'urn:oid:2.16.156.10011.2.2.1';
export const DOCUMENT_TYPE_SYSTEM = 'urn:oid:2.16.156.10011.2.4';
