/**
 * The ECG leads as ISO/IEEE 11073-10101 (MDC) numbers them. A lead's number n is the same in
 * SCP-ECG (`5.6.3-9-n`, the DICOM CID 3001 codes of older writers), in DICOM's MDC codes (`2:n`),
 * in MDC's lead partition (`MDC_ECG_LEAD_<name>` = 131072 + n) and in its electric-potential
 * partition (`MDC_ECG_ELEC_POTL_<name>` = 131328 + n), so one table serves DICOM and HL7 aECG.
 */
export interface EcgLead {
  /** The MDC lead number (1 = I, 2 = II, 3..8 = V1..V6, 61..64 = III, aVR, aVL, aVF). */
  n: number;
  /** The name as printed on a tracing. */
  name: string;
}

export const MDC_SYSTEM = 'urn:iso:std:iso:11073:10101';
const LEAD_BASE = 131072;
const POTENTIAL_BASE = 131328;

/** The 12 standard leads in their printed order, then the extra chest and right-sided leads. */
export const ECG_LEADS: readonly EcgLead[] = [
  { n: 1, name: 'I' },
  { n: 2, name: 'II' },
  { n: 61, name: 'III' },
  { n: 62, name: 'aVR' },
  { n: 63, name: 'aVL' },
  { n: 64, name: 'aVF' },
  { n: 3, name: 'V1' },
  { n: 4, name: 'V2' },
  { n: 5, name: 'V3' },
  { n: 6, name: 'V4' },
  { n: 7, name: 'V5' },
  { n: 8, name: 'V6' },
  { n: 9, name: 'V7' },
  { n: 10, name: 'V2R' },
  { n: 11, name: 'V3R' },
  { n: 12, name: 'V4R' },
  { n: 13, name: 'V5R' },
  { n: 14, name: 'V6R' },
  { n: 15, name: 'V7R' },
  { n: 66, name: 'V8' },
  { n: 67, name: 'V9' },
];

const BY_NUMBER = new Map(ECG_LEADS.map((l) => [l.n, l]));
const BY_NAME = new Map(ECG_LEADS.map((l) => [l.name.toUpperCase(), l]));

export function leadByNumber(n: number): EcgLead | undefined {
  return BY_NUMBER.get(n);
}

/** `MDC_ECG_LEAD_II`, `MDC_ECG_LEAD_AVR` (aECG writes the names upper-cased). */
export function leadByReferenceId(refId: string): EcgLead | undefined {
  const m = /^MDC_ECG_LEAD_(.+)$/.exec(refId);
  return m ? BY_NAME.get((m[1] as string).toUpperCase()) : undefined;
}

/** A DICOM channel source code (CID 3001): SCPECG `5.6.3-9-n` or MDC `2:n`. */
export function leadByDicomCode(scheme: string, code: string): EcgLead | undefined {
  const m = scheme === 'SCPECG' ? /^5\.6\.3-9-(\d+)$/.exec(code) : scheme === 'MDC' ? /^2:(\d+)$/.exec(code) : null;
  return m ? leadByNumber(Number(m[1])) : undefined;
}

export function mdcLeadCode(lead: EcgLead): { code: string; display: string } {
  return { code: String(LEAD_BASE + lead.n), display: `MDC_ECG_LEAD_${lead.name}` };
}

/** The code of the potential measured in a lead, as FHIR's ECG example codes its components. */
export function mdcPotentialCode(lead: EcgLead): { code: string; display: string } {
  return { code: String(POTENTIAL_BASE + lead.n), display: `MDC_ECG_ELEC_POTL_${lead.name}` };
}
