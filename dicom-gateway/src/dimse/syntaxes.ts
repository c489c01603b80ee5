/**
 * What the DIMSE listener negotiates (PS3.7 D.3.3.2, PS3.4 B.5, C.4, K.6): abstract syntaxes by
 * service, and the transfer syntaxes accepted for each.
 */
import { DEFLATED_LE, EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE } from '../dicom/transfer-syntax.js';

export const VERIFICATION = '1.2.840.10008.1.1';
export const PATIENT_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.1.1';
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const WORKLIST_FIND = '1.2.840.10008.5.1.4.31';
export const PATIENT_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.1.2';
export const STUDY_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
export const PATIENT_ROOT_GET = '1.2.840.10008.5.1.4.1.2.1.3';
export const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';

/** Every standard storage SOP class (images, SR, encapsulated documents, waveforms, RT, …) is below this root. */
const STORAGE_ROOT = '1.2.840.10008.5.1.4.1.1.';

/**
 * Instances are stored as sent, so every transfer syntax the store can index is accepted: native,
 * deflated, and the encapsulated ones (JPEG, JPEG-LS, JPEG 2000, HTJ2K, RLE, MPEG, HEVC).
 */
const ENCAPSULATED = [
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.92',
  '1.2.840.10008.1.2.4.93',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.4.202',
  '1.2.840.10008.1.2.4.203',
  '1.2.840.10008.1.2.5',
  '1.2.840.10008.1.2.4.100',
  '1.2.840.10008.1.2.4.101',
  '1.2.840.10008.1.2.4.102',
  '1.2.840.10008.1.2.4.103',
  '1.2.840.10008.1.2.4.104',
  '1.2.840.10008.1.2.4.105',
  '1.2.840.10008.1.2.4.106',
  '1.2.840.10008.1.2.4.107',
  '1.2.840.10008.1.2.4.108',
];

const STORAGE_SYNTAXES: ReadonlySet<string> = new Set([EXPLICIT_LE, IMPLICIT_LE, DEFLATED_LE, EXPLICIT_BE, ...ENCAPSULATED]);
const QUERY_SYNTAXES: ReadonlySet<string> = new Set([EXPLICIT_LE, IMPLICIT_LE]);

export type Service = 'echo' | 'store' | 'find' | 'worklist' | 'move' | 'get';

export function serviceOf(abstractSyntax: string): Service | undefined {
  if (abstractSyntax === VERIFICATION) return 'echo';
  if (abstractSyntax === PATIENT_ROOT_FIND || abstractSyntax === STUDY_ROOT_FIND) return 'find';
  if (abstractSyntax === WORKLIST_FIND) return 'worklist';
  if (abstractSyntax === PATIENT_ROOT_MOVE || abstractSyntax === STUDY_ROOT_MOVE) return 'move';
  if (abstractSyntax === PATIENT_ROOT_GET || abstractSyntax === STUDY_ROOT_GET) return 'get';
  if (abstractSyntax.startsWith(STORAGE_ROOT)) return 'store';
  return undefined;
}

/**
 * The transfer syntax to accept from those proposed, or undefined if none will do. The proposer's
 * order is kept (a modality lists the syntax its images are in first), except that the retired big
 * endian syntax is taken only when nothing else is offered.
 */
export function chooseTransferSyntax(service: Service, proposed: readonly string[]): string | undefined {
  const accepted = service === 'store' ? STORAGE_SYNTAXES : QUERY_SYNTAXES;
  const usable = proposed.filter((ts) => accepted.has(ts));
  return usable.find((ts) => ts !== EXPLICIT_BE) ?? usable[0];
}
