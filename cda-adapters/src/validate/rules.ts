import type { CdaIssue } from '../issues.js';

/**
 * The validation rules (共享文档校验规则) as data. A platform tightens or relaxes them with
 * `RuleOverrides` (severity per rule id, or off) without touching code. Messages take `{name}`
 * parameters.
 */
export interface RuleDef {
  severity: CdaIssue['severity'];
  code: CdaIssue['code'];
  zh: string;
  en: string;
}

export const RULES = {
  'CDA-HDR-001': { severity: 'fatal', code: 'structure', zh: '根元素必须是 urn:hl7-org:v3 命名空间的 ClinicalDocument', en: 'the root element must be ClinicalDocument in the urn:hl7-org:v3 namespace' },
  'CDA-HDR-002': { severity: 'warning', code: 'required', zh: 'realmCode 应为 CN', en: 'realmCode should be CN' },
  'CDA-HDR-003': { severity: 'error', code: 'structure', zh: 'typeId 必须为 2.16.840.1.113883.1.3 / POCD_MT000040', en: 'typeId must be 2.16.840.1.113883.1.3 / POCD_MT000040' },
  'CDA-HDR-004': { severity: 'error', code: 'required', zh: '缺少文档模板标识 templateId', en: 'the document templateId is missing' },
  'CDA-HDR-005': { severity: 'error', code: 'required', zh: '文档标识 id 必须有 root 和 extension', en: 'the document id must have a root and an extension' },
  'CDA-HDR-006': { severity: 'error', code: 'required', zh: '文档类型 code 必须来自代码系统 2.16.156.10011.2.4', en: 'the document code must come from code system 2.16.156.10011.2.4' },
  'CDA-HDR-007': { severity: 'error', code: 'code-invalid', zh: '未知的文档类型代码 {code}', en: 'unknown document type code {code}' },
  'CDA-HDR-008': { severity: 'error', code: 'invalid', zh: '模板标识 {template} 与文档类型 {code} 不一致（应为 {expected}）', en: 'templateId {template} does not agree with document type {code} (expected {expected})' },
  'CDA-HDR-009': { severity: 'error', code: 'required', zh: '缺少文档标题 title', en: 'the document title is missing' },
  'CDA-HDR-010': { severity: 'error', code: 'value', zh: '{element} 的时间无效：{value}', en: '{element} is not a valid CDA time: {value}' },
  'CDA-HDR-011': { severity: 'warning', code: 'required', zh: '缺少保密级别 confidentialityCode', en: 'confidentialityCode is missing' },
  'CDA-HDR-012': { severity: 'error', code: 'required', zh: '必须有且只有一个 recordTarget/patientRole', en: 'there must be exactly one recordTarget/patientRole' },
  'CDA-HDR-013': { severity: 'error', code: 'required', zh: '缺少患者姓名', en: "the patient's name is missing" },
  'CDA-HDR-014': { severity: 'error', code: 'required', zh: '缺少患者性别代码 administrativeGenderCode', en: "the patient's administrativeGenderCode is missing" },
  'CDA-HDR-015': { severity: 'error', code: 'required', zh: '缺少文档创作者 author（含 time 和 id）', en: 'an author (with time and id) is required' },
  'CDA-HDR-016': { severity: 'error', code: 'required', zh: '缺少保管机构 custodian', en: 'the custodian organisation is missing' },
  'CDA-HDR-017': { severity: 'warning', code: 'required', zh: '缺少法定审核者 legalAuthenticator', en: 'the legalAuthenticator is missing' },
  'CDA-HDR-018': { severity: 'error', code: 'value', zh: '年龄 age 必须有数值 value 和单位 unit（岁、月、天）', en: 'age must have a numeric value and a unit (岁, 月, 天)' },
  'CDA-HDR-019': { severity: 'error', code: 'required', zh: '患者至少需要一个带 extension 的标识', en: 'the patient needs at least one identifier with an extension' },
  'CDA-HDR-020': { severity: 'error', code: 'structure', zh: '<{element}> 不是 CDA R2 或国家扩展在此处允许的元素', en: '<{element}> is not an element CDA R2 or its national extensions allow here' },
  'CDA-SCH-001': { severity: 'error', code: 'structure', zh: '<{element}> 的位置不符合 CDA R2 架构顺序（不应在 <{after}> 之后）', en: '<{element}> is out of CDA R2 schema order (it cannot follow <{after}>)' },
  'CDA-SCH-002': { severity: 'error', code: 'structure', zh: '<{element}> 出现 {count} 次，CDA R2 架构允许 {min}..{max} 次', en: '<{element}> occurs {count} times; the CDA R2 schema allows {min}..{max}' },
  'CDA-SCH-003': { severity: 'error', code: 'structure', zh: '属性 {attribute}="{value}" 不是 CDA R2 允许的值（{allowed}）', en: 'attribute {attribute}="{value}" is not a value CDA R2 allows ({allowed})' },
  'CDA-ID-001': { severity: 'error', code: 'value', zh: '居民身份证号 {value} 无效：{problem}', en: 'resident ID {value} is invalid: {problemEn}' },
  'CDA-BODY-001': { severity: 'error', code: 'required', zh: '缺少结构化文档体 structuredBody', en: 'the structuredBody is missing' },
  'CDA-BODY-002': { severity: 'error', code: 'required', zh: '{type} 缺少必需章节 {section}', en: '{type} lacks the required section {section}' },
  'CDA-BODY-003': { severity: 'error', code: 'required', zh: '章节 {section} 缺少必需条目 {element}（{name}）', en: 'section {section} lacks the required entry {element} ({name})' },
  'CDA-BODY-004': { severity: 'error', code: 'code-invalid', zh: '{code} 不是有效的数据元标识（应如 DE04.30.019.00）', en: '{code} is not a valid data-element code (e.g. DE04.30.019.00)' },
  'CDA-BODY-005': { severity: 'warning', code: 'value', zh: '数据元 {element} 的值类型应为 {expected}，实际为 {actual}', en: 'data element {element} should have a {expected} value, not {actual}' },
  'CDA-BODY-006': { severity: 'error', code: 'code-invalid', zh: '数据元 {element} 的编码应来自代码系统 {expected}，实际为 {actual}', en: 'data element {element} must be coded from code system {expected}, not {actual}' },
  'CDA-BODY-007': { severity: 'error', code: 'code-invalid', zh: '代码 {code} 不在代码系统 {system} 中', en: 'code {code} is not in code system {system}' },
  'CDA-BODY-008': { severity: 'warning', code: 'code-invalid', zh: '代码 {code} 未在已加载的代码系统 {system} 中找到（该代码系统仅部分加载）', en: 'code {code} was not found in code system {system}, which is only partially loaded' },
  'CDA-BODY-009': { severity: 'warning', code: 'required', zh: '章节既无代码也无标题', en: 'the section has neither a code nor a title' },
  'CDA-BODY-010': { severity: 'error', code: 'structure', zh: '章节嵌套超过 {limit} 层', en: 'sections are nested more than {limit} deep' },
  'CDA-BODY-011': { severity: 'error', code: 'value', zh: '{element} 的时间无效：{value}', en: '{element} is not a valid CDA time: {value}' },
  'CDA-VS-001': { severity: 'error', code: 'code-invalid', zh: '数据元 {element}（{name}）的代码 {code} 不在其值集 {valueSet} 中', en: 'code {code} of data element {element} ({name}) is not in its value set {valueSet}' },
  'CDA-VS-002': { severity: 'warning', code: 'code-invalid', zh: '数据元 {element}（{name}）的代码 {code} 不在推荐值集 {valueSet} 中（可能是地方扩展代码）', en: 'code {code} of data element {element} ({name}) is not in its preferred value set {valueSet} (it may be a regional extension)' },
  'CDA-DOC-001': { severity: 'information', code: 'not-supported', zh: '文档类型 {code} 仅映射文档头和通用条目', en: 'document type {code} is mapped for its header and generic entries only' },
} as const satisfies Record<string, RuleDef>;

export type RuleId = keyof typeof RULES;

/** A platform's changes to the rules: another severity, or `enabled: false`. */
export type RuleOverrides = Partial<Record<RuleId, { severity?: CdaIssue['severity']; enabled?: boolean }>>;

export function issue(id: RuleId, params: Record<string, string>, expression: string, overrides: RuleOverrides = {}): CdaIssue | undefined {
  const o = overrides[id];
  if (o?.enabled === false) return undefined;
  const rule: RuleDef = RULES[id];
  const fill = (t: string) => t.replace(/\{(\w+)\}/g, (_, n: string) => params[n] ?? '');
  return { severity: o?.severity ?? rule.severity, code: rule.code, id, zh: fill(rule.zh), en: fill(rule.en), expression };
}
