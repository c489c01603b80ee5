import type { Disease } from './forms.js';

/** The measurements a follow-up rule reads from a QuestionnaireResponse (by linkId). */
export interface Visit {
  sbp?: number;
  dbp?: number;
  fastingGlucose?: number;
  dangerSigns?: boolean;
  adverseReaction?: boolean;
  /** 此次随访分类: 1 控制满意, 2 控制不满意, 3 不良反应, 4 并发症. */
  classification?: string;
}

export type Control = 'controlled' | 'uncontrolled' | 'emergency';

/**
 * The follow-up rules of the national basic public health service specification (3rd edition),
 * as data per disease: when a visit is an emergency (refer at once), when it is controlled, and
 * when the next visit falls. See forms/PROVENANCE.md.
 */
export interface FollowUpRules {
  emergency: { id: string; zh: string; en: string; test: (v: Visit) => boolean }[];
  controlled: (v: Visit) => boolean;
  nextVisitDays: Record<Control, number>;
  /** Consecutive uncontrolled visits (this one included) that trigger a referral. */
  referAfterUncontrolled: number;
}

const bloodPressureCrisis = { id: 'CF-BP-CRISIS', zh: '收缩压≥180mmHg 和（或）舒张压≥110mmHg', en: 'Systolic ≥180 mmHg and/or diastolic ≥110 mmHg', test: (v: Visit) => (v.sbp ?? 0) >= 180 || (v.dbp ?? 0) >= 110 };
const dangerSigns = { id: 'CF-DANGER', zh: '存在危急情况', en: 'Danger signs present', test: (v: Visit) => v.dangerSigns === true };
const notAdverse = (v: Visit) => v.adverseReaction !== true && v.classification !== '3' && v.classification !== '4';

export const FOLLOW_UP_RULES: Readonly<Record<Disease, FollowUpRules>> = {
  hypertension: {
    emergency: [bloodPressureCrisis, dangerSigns],
    controlled: (v) => v.sbp !== undefined && v.dbp !== undefined && v.sbp < 140 && v.dbp < 90 && notAdverse(v),
    nextVisitDays: { controlled: 90, uncontrolled: 14, emergency: 14 },
    referAfterUncontrolled: 2,
  },
  diabetes: {
    emergency: [
      { id: 'CF-GLUCOSE-HIGH', zh: '血糖≥16.7mmol/L', en: 'Blood glucose ≥16.7 mmol/L', test: (v) => (v.fastingGlucose ?? 0) >= 16.7 },
      { id: 'CF-GLUCOSE-LOW', zh: '血糖≤3.9mmol/L', en: 'Blood glucose ≤3.9 mmol/L', test: (v) => v.fastingGlucose !== undefined && v.fastingGlucose <= 3.9 },
      bloodPressureCrisis,
      dangerSigns,
    ],
    controlled: (v) => v.fastingGlucose !== undefined && v.fastingGlucose < 7.0 && notAdverse(v),
    nextVisitDays: { controlled: 90, uncontrolled: 14, emergency: 14 },
    referAfterUncontrolled: 2,
  },
};
