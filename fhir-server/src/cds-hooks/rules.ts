/**
 * Duplicate-order rules (重复检查/检验/用药提醒) as data: which order codes stand for which test,
 * exam or drug, which codes its results carry (a panel order is answered by a DiagnosticReport of
 * the panel code and Observations of its members), and how many days an earlier one counts.
 */
export interface Code {
  system: string;
  code: string;
}

export type OrderKind = 'lab' | 'exam' | 'drug';

export interface DuplicateRule {
  id: string;
  kind: OrderKind;
  zh: string;
  en: string;
  /** Codes a draft order may carry (ServiceRequest.code, MedicationRequest.medicationCodeableConcept). */
  orderCodes: readonly Code[];
  /** Codes of the earlier results or orders that make it a duplicate (the order codes count too). */
  resultCodes: readonly Code[];
  windowDays: number;
}

const LOINC = 'http://loinc.org';
const loinc = (...codes: string[]): Code[] => codes.map((code) => ({ system: LOINC, code }));

export const DUPLICATE_RULES: readonly DuplicateRule[] = [
  { id: 'cbc', kind: 'lab', zh: '血常规', en: 'Complete blood count', orderCodes: loinc('58410-2', '57021-8'), resultCodes: loinc('58410-2', '57021-8', '6690-2', '789-8', '718-7', '777-3'), windowDays: 7 },
  { id: 'liver', kind: 'lab', zh: '肝功能', en: 'Liver function panel', orderCodes: loinc('24325-3'), resultCodes: loinc('24325-3', '1742-6', '1920-8', '6768-6'), windowDays: 14 },
  { id: 'chemistry', kind: 'lab', zh: '生化全项', en: 'Comprehensive metabolic panel', orderCodes: loinc('24323-8'), resultCodes: loinc('24323-8'), windowDays: 14 },
  { id: 'lipids', kind: 'lab', zh: '血脂四项', en: 'Lipid panel', orderCodes: loinc('24331-1'), resultCodes: loinc('24331-1', '14647-2', '14927-8', '14646-4', '22748-8'), windowDays: 30 },
  { id: 'hba1c', kind: 'lab', zh: '糖化血红蛋白', en: 'Haemoglobin A1c', orderCodes: loinc('4548-4'), resultCodes: loinc('4548-4'), windowDays: 90 },
  { id: 'ct-chest', kind: 'exam', zh: '胸部CT', en: 'CT of the chest', orderCodes: loinc('24627-2', '30745-4'), resultCodes: loinc('24627-2', '30745-4'), windowDays: 30 },
  { id: 'ct-head', kind: 'exam', zh: '头颅CT', en: 'CT of the head', orderCodes: loinc('24725-4', '30799-1'), resultCodes: loinc('24725-4', '30799-1'), windowDays: 30 },
  { id: 'mr-head', kind: 'exam', zh: '头颅MRI', en: 'MRI of the head', orderCodes: loinc('24590-2'), resultCodes: loinc('24590-2'), windowDays: 30 },
  { id: 'us-abdomen', kind: 'exam', zh: '腹部超声', en: 'Ultrasound of the abdomen', orderCodes: loinc('24558-9'), resultCodes: loinc('24558-9'), windowDays: 14 },
];

/** Windows for codes no rule names: the same code within this many days. */
export const DEFAULT_WINDOW_DAYS: Readonly<Record<OrderKind, number>> = { lab: 7, exam: 30, drug: 30 };

export function sameCode(a: Code, b: { system?: string; code?: string }): boolean {
  return a.code === b.code && a.system === b.system;
}

/** The rule for an order's codes, or a rule of the order's own codes with the default window. */
export function ruleFor(kind: OrderKind, codes: readonly Code[], names: { zh: string; en: string }): DuplicateRule {
  const named = DUPLICATE_RULES.find((r) => r.kind === kind && r.orderCodes.some((o) => codes.some((c) => sameCode(o, c))));
  if (named) return { ...named, resultCodes: [...named.resultCodes, ...codes.filter((c) => !named.resultCodes.some((r) => sameCode(r, c)))] };
  return { id: `${kind}-same-code`, kind, ...names, orderCodes: codes, resultCodes: codes, windowDays: DEFAULT_WINDOW_DAYS[kind] };
}
