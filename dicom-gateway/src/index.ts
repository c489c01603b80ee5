/**
 * @qiao/dicom-gateway — DICOM storage, index and DICOMweb. The DIMSE services (src/dimse) and the
 * Specific Character Set decoding (src/charset) use the same store through this API.
 */
export type { Bilingual, FhirJson, FhirPort, LogPort, SqlPort, SqlQueryable } from './ports.js';
export type { DicomJson, DicomJsonElement } from './dicom/json.js';
export { DICOM_MIGRATION_SQL } from './store/schema.js';
export { DicomStore, type DicomStoreOptions, type InstanceSink, type StoreResult, type StoreOptions } from './store/store.js';
export type { QidoQuery, QidoLevel } from './store/query.js';
export { dicomwebRoutes, type DicomwebOptions, type DicomwebRoutes } from './web/router.js';
export { DicomwebError, type DicomwebIssue } from './web/errors.js';
export { QueryError } from './store/query.js';
export type { BlobStore } from './store/blob.js';
export { S3BlobStore, S3Error, type S3BlobOptions, type S3Location } from './store/s3-blob.js';
export { isValidUid } from './dicom/uid.js';
export * from './charset/index.js';
export {
  reportToBasicTextSr,
  sendInstances,
  startDimse,
  type DimseListener,
  type DimseOptions,
  type FhirSearch,
  type OutgoingInstance,
  type Peer,
  type ReportStudy,
  type SendOutcome,
} from './dimse/index.js';
export * from './synthetic/index.js';
export * from './waveform/index.js';
export { DicomwebProxy, type DicomwebProxyOptions } from './proxy/proxy.js';
export { parseDicomwebPeers, type DicomwebPeer } from './proxy/peers.js';
