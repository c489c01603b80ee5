/**
 * dcmjs-dimse, set up once for the gateway: its logging (every PDU at its default level, and the
 * warnings of the dcmjs copy it parses with) off — the gateway logs what an operator needs — and
 * Qiao's implementation identity and maximum PDU length in every association.
 */
import { createRequire } from 'node:module';
import dimse from 'dcmjs-dimse';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION } from '../dicom/part10-meta.js';

/** The largest PDU the gateway receives (announced in A-ASSOCIATE-AC) and accepts from a peer. */
export const MAX_PDU_LENGTH = 256 * 1024;

dimse.log.setLevel('silent');
// The dcmjs that dcmjs-dimse itself loads, which need not be the one this workspace depends on.
const dcmjsOfDimse = createRequire(createRequire(import.meta.url).resolve('dcmjs-dimse'))('dcmjs') as { log?: { setLevel(level: string): void } };
dcmjsOfDimse.log?.setLevel('error');
dimse.Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID);
dimse.Implementation.setImplementationVersion(IMPLEMENTATION_VERSION);
dimse.Implementation.setMaxPduLength(MAX_PDU_LENGTH);

export default dimse;
