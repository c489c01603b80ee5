/**
 * Diagnoses: the national clinical edition 2.0 code (国家临床版 2.0, `.x00`/`.900` main entries of
 * the WHO categories), the WHO ICD-10 code, the Chinese name, who gets it, where it is treated and
 * which labs it leads to. Prevalences and frequencies are rough orders of magnitude for a demo.
 */
import type { LabKey, PanelKey } from './labs.js';

export interface Diagnosis {
  /** ICD-10 national clinical edition 2.0. */
  readonly code: string;
  /** WHO ICD-10 (3- or 4-character). */
  readonly who: string;
  readonly zh: string;
  /**
   * chronic: a patient has it with probability `prevalence` (once eligible by age and sex) and
   * it stays active; acute: a visit is for it with relative frequency `frequency`, then it resolves.
   */
  readonly kind: 'chronic' | 'acute';
  readonly prevalence?: number;
  readonly frequency?: number;
  readonly minAge: number;
  readonly maxAge?: number;
  readonly sex?: 'male' | 'female';
  /** Probability that a visit for it is an admission rather than an outpatient visit. */
  readonly admit: number;
  /** The hospital department; primary care sees everything in 全科医疗科. */
  readonly department: string;
  /** Orders it may lead to. */
  readonly panels: readonly PanelKey[];
  /**
   * How it moves results: +s puts the value above the upper limit by up to s × that limit;
   * −f puts it below the lower limit by up to f × that limit.
   */
  readonly skew: Readonly<Partial<Record<LabKey, number>>>;
}

export const DIAGNOSES: readonly Diagnosis[] = [
  // chronic
  { code: 'I10.x00', who: 'I10', zh: '高血压', kind: 'chronic', prevalence: 0.25, minAge: 35, admit: 0.02, department: '心血管内科', panels: ['lipid', 'cmp'], skew: {} },
  { code: 'E11.900', who: 'E11.9', zh: '2型糖尿病', kind: 'chronic', prevalence: 0.11, minAge: 30, admit: 0.04, department: '内分泌科', panels: ['glu', 'hba1c'], skew: { glu: 0.8, hba1c: 0.5 } },
  { code: 'E78.500', who: 'E78.5', zh: '高脂血症', kind: 'chronic', prevalence: 0.15, minAge: 30, admit: 0, department: '心血管内科', panels: ['lipid'], skew: { tc: 0.3, tg: 1, ldl: 0.3 } },
  { code: 'K76.000', who: 'K76.0', zh: '脂肪肝', kind: 'chronic', prevalence: 0.12, minAge: 25, admit: 0, department: '消化内科', panels: ['hepatic', 'lipid'], skew: { alt: 1.2, ggt: 1, tg: 0.8 } },
  { code: 'N18.900', who: 'N18.9', zh: '慢性肾脏病', kind: 'chronic', prevalence: 0.05, minAge: 40, admit: 0.1, department: '肾内科', panels: ['cmp', 'ua'], skew: { urea: 1, crea: 1.2, ua: 0.3 } },
  { code: 'J44.900', who: 'J44.9', zh: '慢性阻塞性肺疾病', kind: 'chronic', prevalence: 0.08, minAge: 45, admit: 0.25, department: '呼吸内科', panels: ['cbc'], skew: {} },
  { code: 'E03.900', who: 'E03.9', zh: '甲状腺功能减退症', kind: 'chronic', prevalence: 0.03, minAge: 18, admit: 0, department: '内分泌科', panels: ['tsh'], skew: { tsh: 2 } },
  { code: 'E05.900', who: 'E05.9', zh: '甲状腺功能亢进症', kind: 'chronic', prevalence: 0.01, minAge: 18, admit: 0.02, department: '内分泌科', panels: ['tsh'], skew: { tsh: -0.9 } },
  { code: 'E79.000', who: 'E79.0', zh: '高尿酸血症', kind: 'chronic', prevalence: 0.1, minAge: 20, admit: 0, department: '内分泌科', panels: ['ua'], skew: { ua: 0.4 } },
  { code: 'M10.900', who: 'M10.9', zh: '痛风', kind: 'chronic', prevalence: 0.03, minAge: 30, sex: 'male', admit: 0.02, department: '风湿免疫科', panels: ['ua', 'crp'], skew: { ua: 0.5, crp: 3 } },
  { code: 'M81.900', who: 'M81.9', zh: '骨质疏松', kind: 'chronic', prevalence: 0.2, minAge: 55, sex: 'female', admit: 0, department: '骨科', panels: ['cmp'], skew: { ca: -0.08 } },
  { code: 'B18.100', who: 'B18.1', zh: '慢性乙型病毒性肝炎', kind: 'chronic', prevalence: 0.05, minAge: 18, admit: 0.05, department: '感染科', panels: ['hepatic'], skew: { alt: 1, ast: 0.8 } },
  { code: 'H25.900', who: 'H25.9', zh: '老年性白内障', kind: 'chronic', prevalence: 0.15, minAge: 60, admit: 0.15, department: '眼科', panels: [], skew: {} },
  { code: 'I67.200', who: 'I67.2', zh: '脑动脉粥样硬化', kind: 'chronic', prevalence: 0.05, minAge: 55, admit: 0.05, department: '神经内科', panels: ['lipid'], skew: { ldl: 0.2 } },
  { code: 'I50.900', who: 'I50.9', zh: '心力衰竭', kind: 'chronic', prevalence: 0.02, minAge: 60, admit: 0.6, department: '心血管内科', panels: ['cmp', 'cbc'], skew: { na: -0.03 } },
  { code: 'J45.900', who: 'J45.9', zh: '哮喘', kind: 'chronic', prevalence: 0.03, minAge: 5, admit: 0.05, department: '呼吸内科', panels: ['cbc'], skew: {} },
  { code: 'E66.900', who: 'E66.9', zh: '肥胖症', kind: 'chronic', prevalence: 0.08, minAge: 18, admit: 0, department: '内分泌科', panels: ['lipid', 'glu'], skew: { tg: 0.5 } },
  { code: 'K29.500', who: 'K29.5', zh: '慢性胃炎', kind: 'chronic', prevalence: 0.08, minAge: 25, admit: 0, department: '消化内科', panels: [], skew: {} },
  { code: 'D64.900', who: 'D64.9', zh: '贫血', kind: 'chronic', prevalence: 0.05, minAge: 14, sex: 'female', admit: 0.02, department: '血液内科', panels: ['cbc'], skew: { hgb: -0.35, rbc: -0.25, hct: -0.3, mcv: -0.12, mch: -0.15 } },
  { code: 'F32.900', who: 'F32.9', zh: '抑郁发作', kind: 'chronic', prevalence: 0.02, minAge: 15, admit: 0.02, department: '精神科', panels: [], skew: {} },
  // acute
  { code: 'J06.900', who: 'J06.9', zh: '急性上呼吸道感染', kind: 'acute', frequency: 30, minAge: 0, admit: 0, department: '呼吸内科', panels: ['cbc'], skew: { lymphPct: 0.1 } },
  { code: 'J02.900', who: 'J02.9', zh: '急性咽炎', kind: 'acute', frequency: 10, minAge: 3, admit: 0, department: '耳鼻咽喉科', panels: ['cbc'], skew: { wbc: 0.2 } },
  { code: 'J03.900', who: 'J03.9', zh: '急性扁桃体炎', kind: 'acute', frequency: 6, minAge: 3, maxAge: 40, admit: 0.02, department: '耳鼻咽喉科', panels: ['cbc', 'crp'], skew: { wbc: 0.5, neutPct: 0.12, crp: 2 } },
  { code: 'J20.900', who: 'J20.9', zh: '急性支气管炎', kind: 'acute', frequency: 12, minAge: 0, admit: 0.03, department: '呼吸内科', panels: ['cbc'], skew: {} },
  { code: 'J18.900', who: 'J18.9', zh: '肺炎', kind: 'acute', frequency: 6, minAge: 0, admit: 0.4, department: '呼吸内科', panels: ['cbc', 'crp'], skew: { wbc: 0.6, neutPct: 0.15, crp: 5 } },
  { code: 'R50.900', who: 'R50.9', zh: '发热', kind: 'acute', frequency: 5, minAge: 0, maxAge: 14, admit: 0.02, department: '儿科', panels: ['cbc', 'crp'], skew: { crp: 1 } },
  { code: 'N39.000', who: 'N39.0', zh: '泌尿道感染', kind: 'acute', frequency: 6, minAge: 14, admit: 0.03, department: '泌尿外科', panels: ['cbc'], skew: { wbc: 0.3 } },
  { code: 'M54.500', who: 'M54.5', zh: '腰痛', kind: 'acute', frequency: 8, minAge: 20, admit: 0, department: '骨科', panels: [], skew: {} },
  { code: 'K25.900', who: 'K25.9', zh: '胃溃疡', kind: 'acute', frequency: 3, minAge: 18, admit: 0.15, department: '消化内科', panels: ['cbc'], skew: { hgb: -0.15 } },
  { code: 'K80.200', who: 'K80.2', zh: '胆囊结石', kind: 'acute', frequency: 3, minAge: 30, admit: 0.3, department: '普通外科', panels: ['hepatic'], skew: { ggt: 0.8, alp: 0.4, tbil: 0.5 } },
  { code: 'I63.900', who: 'I63.9', zh: '脑梗死', kind: 'acute', frequency: 2, minAge: 50, admit: 0.9, department: '神经内科', panels: ['lipid', 'glu'], skew: {} },
  { code: 'K02.900', who: 'K02.9', zh: '龋病', kind: 'acute', frequency: 6, minAge: 3, admit: 0, department: '口腔科', panels: [], skew: {} },
];
