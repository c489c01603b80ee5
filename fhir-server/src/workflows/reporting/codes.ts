/** Codes of the report write-back; docs/workflows.md renders them. */
export const REPORTING_SYSTEM = 'https://qiao.health/fhir/CodeSystem/report-workflow';
export const DELIVERY_TASK_CODE = 'report-delivery';
export const DELIVERY_JOB = 'report-delivery';
/**
 * Endpoint.connectionType of a clinic PACS reached by DIMSE C-STORE: R4's endpoint-connection-type
 * has DICOMweb codes only, so Qiao names the DIMSE one; `Endpoint.address` is `dicom://AE@host:port`.
 */
export const DIMSE_CONNECTION = { system: 'https://qiao.health/fhir/CodeSystem/endpoint-connection-type', code: 'dicom-dimse' } as const;
/** On an Organization (a reading centre): its report turnaround in hours, overriding `QIAO_REPORT_TURNAROUND_HOURS`. */
export const EXT_TURNAROUND = 'https://qiao.health/fhir/StructureDefinition/report-turnaround-hours';
export const SIGNED_STATUSES = ['final', 'amended', 'corrected', 'appended'] as const;
