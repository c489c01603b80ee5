/**
 * Laboratory tests as Chinese laboratories report them: LOINC code (the molar-concentration
 * variant where the lab reports mmol/L or µmol/L), Chinese name, UCUM unit, and adult reference
 * intervals after WS/T 404 (biochemistry) and WS/T 405 (blood count), which many labs adopt.
 */
export type LabKey =
  | 'wbc' | 'rbc' | 'hgb' | 'hct' | 'mcv' | 'mch' | 'mchc' | 'plt' | 'neutPct' | 'lymphPct'
  | 'alt' | 'ast' | 'alp' | 'ggt' | 'tbil' | 'tp' | 'alb' | 'urea' | 'crea' | 'ua' | 'glu'
  | 'k' | 'na' | 'cl' | 'ca' | 'co2' | 'tc' | 'tg' | 'hdl' | 'ldl' | 'hba1c' | 'tsh' | 'crp';

/** [low, high]; undefined where the interval is one-sided (e.g. total cholesterol < 5.2 mmol/L). */
export type Interval = readonly [low: number | undefined, high: number | undefined];

export interface LabTest {
  readonly key: LabKey;
  readonly loinc: string;
  /** LOINC long common name. */
  readonly display: string;
  readonly zh: string;
  /** The unit as printed on the report. */
  readonly unit: string;
  readonly ucum: string;
  readonly decimals: number;
  /** Reference interval (for men where it differs by sex). */
  readonly reference: Interval;
  readonly femaleReference?: Interval;
  /** Where most healthy results fall, for one-sided intervals. */
  readonly typical?: readonly [number, number];
}

export const LAB_TESTS: readonly LabTest[] = [
  // blood count
  { key: 'wbc', loinc: '6690-2', display: 'Leukocytes [#/volume] in Blood by Automated count', zh: '白细胞计数', unit: '10^9/L', ucum: '10*9/L', decimals: 2, reference: [3.5, 9.5] },
  { key: 'rbc', loinc: '789-8', display: 'Erythrocytes [#/volume] in Blood by Automated count', zh: '红细胞计数', unit: '10^12/L', ucum: '10*12/L', decimals: 2, reference: [4.3, 5.8], femaleReference: [3.8, 5.1] },
  { key: 'hgb', loinc: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', zh: '血红蛋白', unit: 'g/L', ucum: 'g/L', decimals: 0, reference: [130, 175], femaleReference: [115, 150] },
  { key: 'hct', loinc: '4544-3', display: 'Hematocrit [Volume Fraction] of Blood by Automated count', zh: '红细胞压积', unit: '%', ucum: '%', decimals: 1, reference: [40, 50], femaleReference: [35, 45] },
  { key: 'mcv', loinc: '787-2', display: 'MCV [Entitic volume] by Automated count', zh: '平均红细胞体积', unit: 'fL', ucum: 'fL', decimals: 1, reference: [82, 100] },
  { key: 'mch', loinc: '785-6', display: 'MCH [Entitic mass] by Automated count', zh: '平均红细胞血红蛋白含量', unit: 'pg', ucum: 'pg', decimals: 1, reference: [27, 34] },
  { key: 'mchc', loinc: '786-4', display: 'MCHC [Mass/volume] by Automated count', zh: '平均红细胞血红蛋白浓度', unit: 'g/L', ucum: 'g/L', decimals: 0, reference: [316, 354] },
  { key: 'plt', loinc: '777-3', display: 'Platelets [#/volume] in Blood by Automated count', zh: '血小板计数', unit: '10^9/L', ucum: '10*9/L', decimals: 0, reference: [125, 350] },
  { key: 'neutPct', loinc: '770-8', display: 'Neutrophils/100 leukocytes in Blood by Automated count', zh: '中性粒细胞百分比', unit: '%', ucum: '%', decimals: 1, reference: [40, 75] },
  { key: 'lymphPct', loinc: '736-9', display: 'Lymphocytes/100 leukocytes in Blood by Automated count', zh: '淋巴细胞百分比', unit: '%', ucum: '%', decimals: 1, reference: [20, 50] },
  // liver
  { key: 'alt', loinc: '1742-6', display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', zh: '丙氨酸氨基转移酶', unit: 'U/L', ucum: 'U/L', decimals: 0, reference: [9, 50], femaleReference: [7, 40] },
  { key: 'ast', loinc: '1920-8', display: 'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma', zh: '天门冬氨酸氨基转移酶', unit: 'U/L', ucum: 'U/L', decimals: 0, reference: [15, 40], femaleReference: [13, 35] },
  { key: 'alp', loinc: '6768-6', display: 'Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma', zh: '碱性磷酸酶', unit: 'U/L', ucum: 'U/L', decimals: 0, reference: [45, 125], femaleReference: [35, 100] },
  { key: 'ggt', loinc: '2324-2', display: 'Gamma glutamyl transferase [Enzymatic activity/volume] in Serum or Plasma', zh: 'γ-谷氨酰转移酶', unit: 'U/L', ucum: 'U/L', decimals: 0, reference: [10, 60], femaleReference: [7, 45] },
  { key: 'tbil', loinc: '14631-6', display: 'Bilirubin.total [Moles/volume] in Serum or Plasma', zh: '总胆红素', unit: 'µmol/L', ucum: 'umol/L', decimals: 1, reference: [3.4, 20.5] },
  { key: 'tp', loinc: '2885-2', display: 'Protein [Mass/volume] in Serum or Plasma', zh: '总蛋白', unit: 'g/L', ucum: 'g/L', decimals: 1, reference: [65, 85] },
  { key: 'alb', loinc: '1751-7', display: 'Albumin [Mass/volume] in Serum or Plasma', zh: '白蛋白', unit: 'g/L', ucum: 'g/L', decimals: 1, reference: [40, 55] },
  // kidney, glucose, electrolytes
  { key: 'urea', loinc: '22664-7', display: 'Urea [Moles/volume] in Serum or Plasma', zh: '尿素', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, reference: [3.1, 8.0], femaleReference: [2.6, 7.5] },
  { key: 'crea', loinc: '14682-9', display: 'Creatinine [Moles/volume] in Serum or Plasma', zh: '肌酐', unit: 'µmol/L', ucum: 'umol/L', decimals: 0, reference: [57, 111], femaleReference: [41, 81] },
  { key: 'ua', loinc: '14933-6', display: 'Urate [Moles/volume] in Serum or Plasma', zh: '尿酸', unit: 'µmol/L', ucum: 'umol/L', decimals: 0, reference: [208, 428], femaleReference: [155, 357] },
  { key: 'glu', loinc: '14749-6', display: 'Glucose [Moles/volume] in Serum or Plasma', zh: '葡萄糖', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, reference: [3.9, 6.1] },
  { key: 'k', loinc: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma', zh: '钾', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, reference: [3.5, 5.3] },
  { key: 'na', loinc: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma', zh: '钠', unit: 'mmol/L', ucum: 'mmol/L', decimals: 1, reference: [137, 147] },
  { key: 'cl', loinc: '2075-0', display: 'Chloride [Moles/volume] in Serum or Plasma', zh: '氯', unit: 'mmol/L', ucum: 'mmol/L', decimals: 1, reference: [99, 110] },
  { key: 'ca', loinc: '2000-8', display: 'Calcium [Moles/volume] in Serum or Plasma', zh: '钙', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, reference: [2.11, 2.52] },
  { key: 'co2', loinc: '2028-9', display: 'Carbon dioxide, total [Moles/volume] in Serum or Plasma', zh: '总二氧化碳', unit: 'mmol/L', ucum: 'mmol/L', decimals: 1, reference: [22, 29] },
  // lipids: the intervals are the "suitable level" cut-offs of the Chinese dyslipidaemia guideline
  { key: 'tc', loinc: '14647-2', display: 'Cholesterol [Moles/volume] in Serum or Plasma', zh: '总胆固醇', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, reference: [undefined, 5.2], typical: [3.2, 5.6] },
  { key: 'tg', loinc: '14927-8', display: 'Triglyceride [Moles/volume] in Serum or Plasma', zh: '甘油三酯', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, reference: [undefined, 1.7], typical: [0.5, 1.9] },
  { key: 'hdl', loinc: '14646-4', display: 'Cholesterol in HDL [Moles/volume] in Serum or Plasma', zh: '高密度脂蛋白胆固醇', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, reference: [1.0, undefined], typical: [0.95, 1.9] },
  { key: 'ldl', loinc: '22748-8', display: 'Cholesterol in LDL [Moles/volume] in Serum or Plasma', zh: '低密度脂蛋白胆固醇', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, reference: [undefined, 3.4], typical: [1.8, 3.6] },
  // single tests
  { key: 'hba1c', loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', zh: '糖化血红蛋白', unit: '%', ucum: '%', decimals: 1, reference: [4.0, 6.0] },
  { key: 'tsh', loinc: '3016-3', display: 'Thyrotropin [Units/volume] in Serum or Plasma', zh: '促甲状腺激素', unit: 'mIU/L', ucum: 'm[IU]/L', decimals: 2, reference: [0.27, 4.2] },
  { key: 'crp', loinc: '1988-5', display: 'C reactive protein [Mass/volume] in Serum or Plasma', zh: 'C反应蛋白', unit: 'mg/L', ucum: 'mg/L', decimals: 1, reference: [undefined, 10], typical: [0.2, 6] },
];

export type PanelKey = 'cbc' | 'cmp' | 'hepatic' | 'lipid' | 'glu' | 'hba1c' | 'tsh' | 'ua' | 'crp';

export interface Panel {
  readonly key: PanelKey;
  /** LOINC code of the order: a panel, or the test itself for a single-test report. */
  readonly loinc: string;
  readonly display: string;
  readonly zh: string;
  readonly tests: readonly LabKey[];
}

export const PANELS: readonly Panel[] = [
  { key: 'cbc', loinc: '58410-2', display: 'CBC panel - Blood by Automated count', zh: '血常规', tests: ['wbc', 'rbc', 'hgb', 'hct', 'mcv', 'mch', 'mchc', 'plt', 'neutPct', 'lymphPct'] },
  { key: 'cmp', loinc: '24323-8', display: 'Comprehensive metabolic 2000 panel - Serum or Plasma', zh: '生化全项', tests: ['alb', 'alp', 'alt', 'ast', 'tbil', 'urea', 'ca', 'co2', 'cl', 'crea', 'glu', 'k', 'tp', 'na'] },
  { key: 'hepatic', loinc: '24325-3', display: 'Hepatic function 2000 panel - Serum or Plasma', zh: '肝功能', tests: ['alt', 'ast', 'alp', 'ggt', 'tbil', 'tp', 'alb'] },
  { key: 'lipid', loinc: '24331-1', display: 'Lipid 1996 panel - Serum or Plasma', zh: '血脂四项', tests: ['tc', 'tg', 'hdl', 'ldl'] },
  { key: 'glu', loinc: '14749-6', display: 'Glucose [Moles/volume] in Serum or Plasma', zh: '空腹血糖', tests: ['glu'] },
  { key: 'hba1c', loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', zh: '糖化血红蛋白', tests: ['hba1c'] },
  { key: 'tsh', loinc: '3016-3', display: 'Thyrotropin [Units/volume] in Serum or Plasma', zh: '促甲状腺激素', tests: ['tsh'] },
  { key: 'ua', loinc: '14933-6', display: 'Urate [Moles/volume] in Serum or Plasma', zh: '尿酸', tests: ['ua'] },
  { key: 'crp', loinc: '1988-5', display: 'C reactive protein [Mass/volume] in Serum or Plasma', zh: 'C反应蛋白', tests: ['crp'] },
];
