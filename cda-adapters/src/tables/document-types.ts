/**
 * The shared-document types Qiao knows. WS/T 500 part n (n = 1…53): document code `C00nn` in code
 * system 2.16.156.10011.2.4 and template id 2.16.156.10011.2.1.1.(20+n) — checked against
 * published document headers for parts 4, 12, 16, 27, 32, 47, 51 and 53.
 *
 * WS/T 483 (health-record documents): the part numbers and titles are the standard's (part 20 is
 * 转诊(院)记录; seen as EHR-SD-nn in deployed systems). The document codes and template ids
 * below are NOT verified against the standard text: we use code `EHR-SD-nn` in the same code
 * system and template id 2.16.156.10011.2.1.1.n (the range below WS/T 500's 21…73). A platform
 * that knows the published values changes this table only.
 */
export interface DocumentType {
  code: string;
  templateId: string;
  title: string;
  standard: 'WS/T 500' | 'WS/T 483';
  part: number;
  /** Whether the codes and template ids were checked against the standard. */
  verified: boolean;
}

export const DOCUMENT_CODE_SYSTEM = '2.16.156.10011.2.4';
export const TEMPLATE_ROOT = '2.16.156.10011.2.1.1';

const WST500_TITLES = [
  '病历概要', '门(急)诊病历', '急诊留观病历', '西药处方', '中药处方', '检查报告', '检验报告', '治疗记录',
  '一般手术记录', '麻醉术前访视记录', '麻醉记录', '麻醉术后访视记录', '输血记录', '待产记录', '阴道分娩记录',
  '剖宫产记录', '一般护理记录', '病重(病危)护理记录', '手术护理记录', '生命体征测量记录', '出入量记录',
  '高值耗材使用记录', '入院评估', '护理计划', '出院评估与指导', '手术知情同意书', '麻醉知情同意书',
  '输血治疗同意书', '特殊检查及特殊治疗同意书', '病危(重)通知书', '其他知情告知同意书', '住院病案首页',
  '中医住院病案首页', '入院记录', '24小时内入出院记录', '24小时内入院死亡记录', '首次病程记录', '日常病程记录',
  '上级医师查房记录', '疑难病例讨论记录', '交接班记录', '转科记录', '阶段小结', '抢救记录', '会诊记录',
  '术前小结', '术前讨论', '术后首次病程记录', '出院记录', '死亡记录', '死亡病例讨论记录', '住院医嘱', '出院小结',
] as const;

const VERIFIED_500 = new Set([4, 12, 16, 27, 32, 47, 51, 53]);

const WST483_TITLES: Record<number, string> = {
  1: '个人基本健康信息登记',
  2: '出生医学证明',
  3: '新生儿家庭访视',
  4: '儿童健康体检',
  5: '首次产前随访服务',
  6: '产前随访服务',
  7: '产后访视',
  8: '产后42天健康检查',
  9: '预防接种报告',
  10: '传染病报告',
  11: '死亡医学证明',
  12: '高血压患者随访服务',
  13: '2型糖尿病患者随访服务',
  14: '重性精神疾病患者个人信息登记',
  15: '重性精神疾病患者随访服务',
  16: '成人健康体检',
  17: '门诊摘要',
  18: '住院摘要',
  19: '会诊记录',
  20: '转诊(院)记录',
};

/** The WS/T 483 parts Qiao maps; the others are listed but not accepted. */
const SUPPORTED_483 = [12, 13, 17, 18, 20];

export const DOCUMENT_TYPES: readonly DocumentType[] = [
  ...WST500_TITLES.map((title, i) => ({
    code: `C${String(i + 1).padStart(4, '0')}`,
    templateId: `${TEMPLATE_ROOT}.${i + 21}`,
    title,
    standard: 'WS/T 500' as const,
    part: i + 1,
    verified: VERIFIED_500.has(i + 1),
  })),
  ...SUPPORTED_483.map((part) => ({
    code: `EHR-SD-${String(part).padStart(2, '0')}`,
    templateId: `${TEMPLATE_ROOT}.${part}`,
    title: WST483_TITLES[part] as string,
    standard: 'WS/T 483' as const,
    part,
    verified: false,
  })),
];

const BY_CODE = new Map(DOCUMENT_TYPES.map((t) => [t.code, t]));
const BY_TEMPLATE = new Map(DOCUMENT_TYPES.map((t) => [t.templateId, t]));

export function documentType(code: string | undefined): DocumentType | undefined {
  return code === undefined ? undefined : BY_CODE.get(code);
}

export function documentTypeByTemplate(templateId: string | undefined): DocumentType | undefined {
  return templateId === undefined ? undefined : BY_TEMPLATE.get(templateId);
}
