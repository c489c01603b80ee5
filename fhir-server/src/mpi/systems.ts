/** URLs the master patient index writes into resources. */

/** R4 extension on Bundle.entry.search: certain | probable | possible | certainly-not. */
export const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';
/** Qiao extension on Bundle.entry.search: why the record matched, in Chinese and English. */
export const MATCH_EVIDENCE = 'https://qiao.health/fhir/StructureDefinition/match-evidence';
/** Qiao extension on Provenance.entity: the guarded JSON Patch that turns the new version back into this one. */
export const UNDO_PATCH = 'https://qiao.health/fhir/StructureDefinition/undo-patch';
/** ISO 21089 record life-cycle events: Provenance.activity, and the Provenance's tag so it can be searched. */
export const LIFECYCLE = 'http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle';
/** Identifier system of the research pseudonyms. */
export const PSEUDONYM_SYSTEM = 'https://qiao.health/fhir/sid/pseudonym';
