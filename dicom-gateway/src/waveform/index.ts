/** ECG waveforms (DICOM 12-lead and General ECG): decoding and the MDC lead table. */
export * from './decode.js';
export * from './leads.js';
