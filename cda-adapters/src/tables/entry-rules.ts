/**
 * Clinical mapping of section entries, as data: one engine (map/entries.ts) reads and writes
 * these in both directions. An entry's root act (observation, or the first component
 * observation of an organizer, a procedure, a substanceAdministration) is the "key"; the
 * observations nested in it (entryRelationship/component) are its "parts", each a data element.
 *
 * `from` names what a field takes: a data-element code for a part, or `@slot` for a piece of
 * the key act itself (@value, @effectiveTime, @code, @drug, @doseQuantity, @routeCode,
 * @interpretationCode, @referenceRange). `as` says how the CDA value becomes FHIR:
 *   concept — CD → CodeableConcept.coding, ST → CodeableConcept.text
 *   coding  — CD (or an ST code without system) merged into the CodeableConcept's codings
 *   text    — ST into CodeableConcept.text
 *   value   — polymorphic value[x] named by `path` (PQ→Quantity, CD→CodeableConcept, ST→string, …)
 *   string, dateTime, quantity, attachment — that FHIR type (attachment from base64 ED)
 * Parts a rule does not name are kept: Observation.component for Observations, the
 * data-element extension for other resources.
 */
export type FieldAs = 'concept' | 'coding' | 'text' | 'value' | 'string' | 'dateTime' | 'quantity' | 'attachment';

export interface FieldRule {
  from: string;
  path: string;
  as: FieldAs;
}

export type EntryShape = 'observation' | 'organizer' | 'procedure' | 'substanceAdministration' | 'observationMedia';

export interface EntryRule {
  id: string;
  shape: EntryShape;
  /** Data-element code of the key observation (observation and organizer shapes). */
  key?: string;
  resource: 'Observation' | 'Condition' | 'Procedure' | 'MedicationRequest' | 'AllergyIntolerance' | 'Media';
  fields: FieldRule[];
  /** Fixed content of every resource made by this rule. */
  fixed: Record<string, unknown>;
  /** A result of the document's DiagnosticReport (检查/检验报告). */
  reportResult?: boolean;
}

const CONDITION_FIXED = {
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
};

/**
 * A diagnosis is keyed by its code (诊断代码) or its name (诊断名称), the other nested in it or
 * beside it: both become one Condition, code as coding and name as text.
 */
function diagnosis(shape: 'observation' | 'organizer', suffix: string): EntryRule[] {
  const fields = (key: FieldRule, other: FieldRule): FieldRule[] => [key, { from: '@effectiveTime', path: 'recordedDate', as: 'dateTime' }, other];
  const code: FieldRule = { from: 'DE05.01.024.00', path: 'code', as: 'coding' };
  const name: FieldRule = { from: 'DE05.01.025.00', path: 'code', as: 'text' };
  return [
    { id: `diagnosis-code${suffix}`, shape, key: code.from, resource: 'Condition', fields: fields({ ...code, from: '@value' }, name), fixed: CONDITION_FIXED },
    { id: `diagnosis-name${suffix}`, shape, key: name.from, resource: 'Condition', fields: fields({ ...name, from: '@value' }, code), fixed: CONDITION_FIXED },
  ];
}

export const ENTRY_RULES: readonly EntryRule[] = [
  {
    id: 'lab-item',
    shape: 'organizer',
    key: 'DE04.30.019.00',
    resource: 'Observation',
    reportResult: true,
    fields: [
      { from: '@value', path: 'code', as: 'coding' },
      { from: '@effectiveTime', path: 'effectiveDateTime', as: 'dateTime' },
      { from: 'DE04.30.020.00', path: 'code', as: 'text' },
      { from: 'DE04.30.015.00', path: 'value', as: 'value' },
      { from: '@interpretationCode', path: 'interpretation[0]', as: 'concept' },
      { from: '@referenceRange', path: 'referenceRange[0].text', as: 'string' },
      { from: 'DE04.50.134.00', path: 'specimen.display', as: 'string' },
    ],
    fixed: {
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    },
  },
  {
    id: 'exam-item',
    shape: 'observation',
    key: 'DE04.30.019.00',
    resource: 'Observation',
    reportResult: true,
    fields: [
      { from: '@value', path: 'code', as: 'coding' },
      { from: '@effectiveTime', path: 'effectiveDateTime', as: 'dateTime' },
      { from: 'DE04.50.130.00', path: 'value', as: 'value' },
      { from: 'DE04.50.131.00', path: 'note[0].text', as: 'string' },
    ],
    fixed: {
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }] }],
    },
  },
  ...diagnosis('observation', ''),
  // 住院病案首页 writes a diagnosis as an organizer of its data elements, name or code first.
  ...diagnosis('organizer', '-organizer'),
  {
    id: 'allergy',
    shape: 'observation',
    key: 'DE02.10.023.00',
    resource: 'AllergyIntolerance',
    fields: [
      { from: '@value', path: 'code', as: 'text' },
      { from: '@effectiveTime', path: 'recordedDate', as: 'dateTime' },
    ],
    fixed: {
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    },
  },
  {
    id: 'procedure',
    shape: 'procedure',
    resource: 'Procedure',
    fields: [
      { from: '@code', path: 'code', as: 'concept' },
      { from: '@effectiveTime', path: 'performedDateTime', as: 'dateTime' },
      { from: 'DE06.00.094.00', path: 'code', as: 'text' },
    ],
    fixed: { status: 'completed' },
  },
  {
    id: 'medication',
    shape: 'substanceAdministration',
    resource: 'MedicationRequest',
    fields: [
      { from: '@drug', path: 'medicationCodeableConcept', as: 'concept' },
      { from: 'DE08.50.022.00', path: 'medicationCodeableConcept', as: 'text' },
      { from: '@effectiveTime', path: 'authoredOn', as: 'dateTime' },
      { from: '@doseQuantity', path: 'dosageInstruction[0].doseAndRate[0].doseQuantity', as: 'quantity' },
      { from: '@routeCode', path: 'dosageInstruction[0].route', as: 'concept' },
      { from: 'DE06.00.133.00', path: 'dosageInstruction[0].text', as: 'string' },
    ],
    fixed: { status: 'active', intent: 'order' },
  },
  {
    id: 'media',
    shape: 'observationMedia',
    resource: 'Media',
    fields: [{ from: '@value', path: 'content', as: 'attachment' }],
    fixed: { status: 'completed' },
  },
];

export function ruleById(id: string): EntryRule | undefined {
  return ENTRY_RULES.find((r) => r.id === id);
}
