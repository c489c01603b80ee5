/**
 * The CDA R2 schema (POCD_MT000040) as data, for the levels shared documents use: the header
 * (ClinicalDocument, recordTarget/patientRole/patient, author, custodian, legalAuthenticator,
 * componentOf/encompassingEncounter), the body down to sections, and entries with their
 * observations, organizers and entryRelationships. The validator (validate/structure.ts) checks
 * each covered element's children — known, in schema order, within their cardinality — and the
 * attributes CDA fixes. Elements of other types (ids, codes, names, acts other than observation
 * and organizer…) are not looked into.
 *
 * A child slot is `[names, min, max, def?]`: names separated by `|` are a choice sharing the
 * slot; `def` names the definition of those children when it is not their element name (the
 * four kinds of `component`). `max` -1 is unbounded.
 * Deliberate departures from the schema, so one fault is reported once: `min` is 0 where a rule of
 * its own reports the absence (typeId, id, code, effectiveTime, confidentialityCode, recordTarget,
 * author and its time and id, custodian, the body: CDA-HDR-003…016, CDA-BODY-001); patient/id
 * repeats (the schema says 0..1) because documents give the resident ID and the health-record
 * number there side by side, and the mapping reads them all. National
 * extensions of WS/T 500 (age, patientType, occupation, employerOrganization, nationality) are
 * `unordered`: where the standard places them was not verified.
 */
export type Slot = readonly [names: string, min: number, max: number, def?: string];

export interface ElementDef {
  children: readonly Slot[];
  /** National extension elements allowed anywhere among the children. */
  unordered?: readonly string[];
  /** Attributes whose values CDA R2 fixes (checked when present). */
  attributes?: Readonly<Record<string, readonly string[]>>;
}

const INFRASTRUCTURE: readonly Slot[] = [
  ['realmCode', 0, -1],
  ['typeId', 0, 1],
  ['templateId', 0, -1],
];
const CLINICAL_STATEMENT = 'act|encounter|observation|observationMedia|organizer|procedure|regionOfInterest|substanceAdministration|supply';
const PARTICIPATIONS: readonly Slot[] = [
  ['subject', 0, 1],
  ['specimen', 0, -1],
  ['performer', 0, -1],
  ['author', 0, -1],
  ['informant', 0, -1],
  ['participant', 0, -1],
];
/** x_ActRelationshipEntryRelationship. */
const ENTRY_RELATIONSHIP_TYPES = ['CAUS', 'COMP', 'GEVL', 'MFST', 'REFR', 'RSON', 'SAS', 'SPRT', 'SUBJ', 'XCRPT'];
const BOOLEAN = ['true', 'false'];

export const CDA_SCHEMA: Readonly<Record<string, ElementDef>> = {
  ClinicalDocument: {
    children: [
      ...INFRASTRUCTURE,
      ['id', 0, 1],
      ['code', 0, 1],
      ['title', 0, 1],
      ['effectiveTime', 0, 1],
      ['confidentialityCode', 0, 1],
      ['languageCode', 0, 1],
      ['setId', 0, 1],
      ['versionNumber', 0, 1],
      ['copyTime', 0, 1],
      ['recordTarget', 0, -1],
      ['author', 0, -1],
      ['dataEnterer', 0, 1],
      ['informant', 0, -1],
      ['custodian', 0, 1],
      ['informationRecipient', 0, -1],
      ['legalAuthenticator', 0, 1],
      ['authenticator', 0, -1],
      ['participant', 0, -1],
      ['inFulfillmentOf', 0, -1],
      ['documentationOf', 0, -1],
      ['relatedDocument', 0, 2],
      ['authorization', 0, -1],
      ['componentOf', 0, 1],
      ['component', 0, 1, 'component:document'],
    ],
    attributes: { classCode: ['DOCCLIN'], moodCode: ['EVN'] },
  },
  recordTarget: { children: [...INFRASTRUCTURE, ['patientRole', 0, 1]], attributes: { typeCode: ['RCT'], contextControlCode: ['OP'] } },
  patientRole: {
    children: [...INFRASTRUCTURE, ['id', 1, -1], ['addr', 0, -1], ['telecom', 0, -1], ['patient', 0, 1], ['providerOrganization', 0, 1], ['patientType', 0, 1]],
    unordered: ['patientType'],
    attributes: { classCode: ['PAT'] },
  },
  patient: {
    children: [
      ...INFRASTRUCTURE,
      ['id', 0, -1],
      ['name', 0, -1],
      ['administrativeGenderCode', 0, 1],
      ['birthTime', 0, 1],
      ['maritalStatusCode', 0, 1],
      ['religiousAffiliationCode', 0, 1],
      ['raceCode', 0, 1],
      ['ethnicGroupCode', 0, 1],
      ['guardian', 0, -1],
      ['birthplace', 0, 1],
      ['languageCommunication', 0, -1],
      ['age', 0, 1],
      ['occupation', 0, 1],
      ['employerOrganization', 0, 1],
      ['nationality', 0, 1],
      ['patientType', 0, 1],
    ],
    unordered: ['age', 'occupation', 'employerOrganization', 'nationality', 'patientType'],
    attributes: { classCode: ['PSN'], determinerCode: ['INSTANCE'] },
  },
  author: {
    children: [...INFRASTRUCTURE, ['functionCode', 0, 1], ['time', 0, 1], ['assignedAuthor', 0, 1]],
    attributes: { typeCode: ['AUT'], contextControlCode: ['OP'] },
  },
  assignedAuthor: {
    children: [...INFRASTRUCTURE, ['id', 0, -1], ['code', 0, 1], ['addr', 0, -1], ['telecom', 0, -1], ['assignedPerson|assignedAuthoringDevice', 0, 1], ['representedOrganization', 0, 1]],
    attributes: { classCode: ['ASSIGNED'] },
  },
  custodian: { children: [...INFRASTRUCTURE, ['assignedCustodian', 0, 1]], attributes: { typeCode: ['CST'] } },
  assignedCustodian: { children: [...INFRASTRUCTURE, ['representedCustodianOrganization', 0, 1]], attributes: { classCode: ['ASSIGNED'] } },
  legalAuthenticator: {
    children: [...INFRASTRUCTURE, ['time', 1, 1], ['signatureCode', 1, 1], ['assignedEntity', 1, 1]],
    attributes: { typeCode: ['LA'], contextControlCode: ['OP'] },
  },
  componentOf: { children: [...INFRASTRUCTURE, ['encompassingEncounter', 1, 1]], attributes: { typeCode: ['COMP'] } },
  encompassingEncounter: {
    children: [
      ...INFRASTRUCTURE,
      ['id', 0, -1],
      ['code', 0, 1],
      ['effectiveTime', 1, 1],
      ['dischargeDispositionCode', 0, 1],
      ['responsibleParty', 0, 1],
      ['encounterParticipant', 0, -1],
      ['location', 0, 1],
    ],
    attributes: { classCode: ['ENC'], moodCode: ['EVN'] },
  },
  'component:document': {
    children: [...INFRASTRUCTURE, ['nonXMLBody|structuredBody', 1, 1]],
    attributes: { typeCode: ['COMP'], contextConductionInd: ['true'] },
  },
  structuredBody: {
    children: [...INFRASTRUCTURE, ['confidentialityCode', 0, 1], ['languageCode', 0, 1], ['component', 1, -1, 'component:section']],
    attributes: { classCode: ['DOCBODY'], moodCode: ['EVN'] },
  },
  'component:section': { children: [...INFRASTRUCTURE, ['section', 1, 1]], attributes: { typeCode: ['COMP'], contextConductionInd: ['true'] } },
  section: {
    children: [
      ...INFRASTRUCTURE,
      ['id', 0, 1],
      ['code', 0, 1],
      ['title', 0, 1],
      ['text', 0, 1],
      ['confidentialityCode', 0, 1],
      ['languageCode', 0, 1],
      ['subject', 0, 1],
      ['author', 0, -1],
      ['informant', 0, -1],
      ['entry', 0, -1],
      ['component', 0, -1, 'component:section'],
    ],
    attributes: { classCode: ['DOCSECT'], moodCode: ['EVN'] },
  },
  entry: { children: [...INFRASTRUCTURE, [CLINICAL_STATEMENT, 1, 1]], attributes: { typeCode: ['COMP', 'DRIV'], contextConductionInd: ['true'] } },
  observation: {
    children: [
      ...INFRASTRUCTURE,
      ['id', 0, -1],
      ['code', 1, 1],
      ['derivationExpr', 0, 1],
      ['text', 0, 1],
      ['statusCode', 0, 1],
      ['effectiveTime', 0, 1],
      ['priorityCode', 0, 1],
      ['repeatNumber', 0, 1],
      ['languageCode', 0, 1],
      ['value', 0, -1],
      ['interpretationCode', 0, -1],
      ['methodCode', 0, -1],
      ['targetSiteCode', 0, -1],
      ...PARTICIPATIONS,
      ['entryRelationship', 0, -1],
      ['reference', 0, -1],
      ['precondition', 0, -1],
      ['referenceRange', 0, -1],
    ],
    // x_ActMoodDocumentObservation; classCode is any of ActClassObservation's many codes.
    attributes: { moodCode: ['DEF', 'EVN', 'GOL', 'INT', 'PRMS', 'PRP', 'RQO'], negationInd: BOOLEAN },
  },
  organizer: {
    children: [
      ...INFRASTRUCTURE,
      ['id', 0, -1],
      ['code', 0, 1],
      ['statusCode', 1, 1],
      ['effectiveTime', 0, 1],
      ...PARTICIPATIONS,
      ['reference', 0, -1],
      ['precondition', 0, -1],
      ['component', 0, -1, 'component:organizer'],
    ],
    attributes: { classCode: ['BATTERY', 'CLUSTER'], moodCode: ['EVN'] },
  },
  'component:organizer': {
    children: [...INFRASTRUCTURE, ['sequenceNumber', 0, 1], ['seperatableInd', 0, 1], [CLINICAL_STATEMENT, 1, 1]],
    attributes: { typeCode: ['COMP'], contextConductionInd: ['true'] },
  },
  entryRelationship: {
    children: [...INFRASTRUCTURE, ['sequenceNumber', 0, 1], ['seperatableInd', 0, 1], [CLINICAL_STATEMENT, 1, 1]],
    attributes: { typeCode: ENTRY_RELATIONSHIP_TYPES, inversionInd: BOOLEAN, contextConductionInd: BOOLEAN, negationInd: BOOLEAN },
  },
};
