/** The codes and URLs of critical values (危急值) and their follow-up; docs/workflows.md renders them. */
export const CRITICAL_SYSTEM = 'https://qiao.health/fhir/CodeSystem/critical-value';
export const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
/** Interpretations that make a final result a critical value: critical abnormal, critical high, critical low. */
export const CRITICAL_INTERPRETATIONS = ['AA', 'HH', 'LL'] as const;

/** Category codes of the Communications (beside communication-category `alert` / `notification`). */
export const KIND = { alert: 'critical-value', receipt: 'critical-value-receipt', escalation: 'critical-value-escalation' } as const;
export const TASK_CODE = 'critical-value-follow-up';
/** Follow-ups at once, after 24 h and after 72 h (随访：即刻、24小时、72小时). */
export const FOLLOW_UP_HOURS = [0, 24, 72] as const;

/** Identifies the alert, Flag and Tasks of one result: `identifier=…|Observation/12` finds them. */
export const RESULT_ID_SYSTEM = 'https://qiao.health/fhir/sid/critical-value-result';

const SD = 'https://qiao.health/fhir/StructureDefinition';
/** On the Flag: the result it is about. */
export const EXT_RESULT = `${SD}/critical-value-result`;
/** On the alert: the publisher's telephone (发布人联系方式). */
export const EXT_PUBLISHER_CONTACT = `${SD}/critical-value-publisher-contact`;
/** On the alert once acknowledged: `receiver` (Reference), `contact` (ContactPoint), `time` (dateTime). */
export const EXT_ACK = `${SD}/critical-value-acknowledgement`;
/** On the alert once escalated: the escalation Communication. */
export const EXT_ESCALATION = `${SD}/critical-value-escalation`;

export const COMMUNICATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/communication-category';

/**
 * Statuses of a retracted alert. Any other status may still wait for its acknowledgement: the
 * notify module moves a sent alert to completed (or not-done) as it delivers it to people, so
 * acknowledgement is `received` with the acknowledgement extension, never the status.
 */
export const RETRACTED_STATUSES = ['entered-in-error', 'stopped'] as const;
