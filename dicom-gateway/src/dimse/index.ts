/**
 * DIMSE services on `startDimse({ host, port, store, worklist? })`: C-ECHO; C-STORE of every
 * standard storage SOP class in any transfer syntax the store indexes, streamed into the store;
 * C-FIND patient root and study root (PATIENT, STUDY, SERIES, IMAGE) from the store's index; Modality
 * Worklist C-FIND from active imaging ServiceRequests; C-MOVE to configured peers and C-GET; the
 * C-STORE SCU (`sendInstances`) and reports as Basic Text SR (`reportToBasicTextSr`) to send back.
 * See the README's DIMSE section.
 */
export { startDimse, type DimseListener, type DimseOptions } from './server.js';
export type { FhirSearch } from './worklist.js';
export { sendInstances, type OutgoingInstance, type Peer, type SendOutcome } from './send.js';
export { reportToBasicTextSr, type ReportStudy } from './report-sr.js';
