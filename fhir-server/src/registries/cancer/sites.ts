/**
 * Site tables of the quality rules and of the multiple-primary check, as data.
 *
 * Sex-specific sites: ICD-O-3 topography (and ICD-10) three-character sites of the female genital
 * organs C51–C58 and of the male genital organs C60–C63 — a case at one of them in a patient of
 * the other administrative gender is refused.
 */
export const SEX_SPECIFIC_SITES: readonly { from: string; to: string; gender: 'female' | 'male'; zh: string; en: string }[] = [
  { from: 'C51', to: 'C58', gender: 'female', zh: '女性生殖器官', en: 'female genital organs' },
  { from: 'C60', to: 'C63', gender: 'male', zh: '男性生殖器官', en: 'male genital organs' },
];

/**
 * ICD-10 categories whose three characters must equal the ICD-O-3 topography's: ICD-O-3 took
 * its topography axis from ICD-10's C00–C80 solid-tumour categories. Excluded: C43 (melanoma,
 * topography C44), C45–C46 (mesothelioma, Kaposi sarcoma: any site), C76–C80 (ill-defined,
 * secondary, unknown) and the haematopoietic C81–C96, and any haematopoietic morphology.
 */
export const ICD10_EQUALS_TOPOGRAPHY: readonly { from: string; to: string }[] = [
  { from: 'C00', to: 'C42' },
  { from: 'C44', to: 'C44' },
  { from: 'C47', to: 'C75' },
];

/**
 * Topography groups counted as one organ by the IACR/IARC/ENCR multiple-primary rules (2004,
 * Table 1; C57 taken whole). Any other three-character site is its own organ.
 */
export const SITE_GROUPS: readonly (readonly string[])[] = [
  ['C01', 'C02'],
  ['C00', 'C03', 'C04', 'C05', 'C06'],
  ['C09', 'C10', 'C12', 'C13', 'C14'],
  ['C19', 'C20'],
  ['C23', 'C24'],
  ['C33', 'C34'],
  ['C40', 'C41'],
  ['C65', 'C66', 'C68'],
  ['C51', 'C52', 'C57'],
  ['C60', 'C63'],
];

/** Morphology codes of systemic tumours, counted once per person whatever the site: haematopoietic and lymphoid 9590–9989, Kaposi sarcoma 9140. */
export function isSystemic(morphology: string | undefined): boolean {
  const n = Number(morphology?.slice(0, 4));
  return n === 9140 || (n >= 9590 && n <= 9989);
}

export function inRange(code: string | undefined, ranges: readonly { from: string; to: string }[]): boolean {
  if (!code) return false;
  const s = code.slice(0, 3);
  return ranges.some((r) => s >= r.from && s <= r.to);
}

/** The organ a three-character site belongs to for the multiple-primary rules. */
export function organOf(site3: string): string {
  return SITE_GROUPS.find((g) => g.includes(site3))?.join('+') ?? site3;
}

/** The histological group of a morphology for the multiple-primary rules: its first three digits (systemic tumours form one group). */
export function histologyGroup(morphology: string | undefined): string {
  if (isSystemic(morphology)) return 'systemic';
  return morphology?.slice(0, 3) ?? '';
}
