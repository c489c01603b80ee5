/** Every string the ECG page shows, zh-CN first then English, in one table. */
import { lang } from '../i18n.js';

const MESSAGES = {
  title: ['心电图', 'ECG'],
  calibration: ['走纸速度 {speed} mm/s，增益 {gain} mm/mV（按 96 dpi 换算，缩放 {zoom}）', 'Paper speed {speed} mm/s, gain {gain} mm/mV (at 96 dpi, zoom {zoom})'],
  gain: ['增益', 'Gain'],
  speed: ['走纸速度', 'Speed'],
  zoom: ['缩放', 'Zoom'],
  measurements: ['测量值', 'Measurements'],
  hr: ['心率', 'Heart rate'],
  pr: ['PR 间期', 'PR interval'],
  qrs: ['QRS 时限', 'QRS duration'],
  qt: ['QT 间期', 'QT interval'],
  qtc: ['QTc', 'QTc'],
  pAxis: ['P 电轴', 'P axis'],
  qrsAxis: ['QRS 电轴', 'QRS axis'],
  tAxis: ['T 电轴', 'T axis'],
  absent: ['—', '—'],
  patient: ['患者', 'Patient'],
  sex: ['性别', 'Sex'],
  age: ['年龄', 'Age'],
  years: ['{n} 岁', '{n} y'],
  recorded: ['记录时间', 'Recorded'],
  male: ['男', 'male'],
  female: ['女', 'female'],
  other: ['其他', 'other'],
  unknown: ['未知', 'unknown'],
  deviceStatements: ['设备判读', 'Device statements'],
  reading: ['诊断报告', 'Report'],
  state: ['状态', 'State'],
  noTask: ['未找到判读任务', 'No reading task found'],
  accept: ['受理', 'Accept'],
  statementSearch: ['检索诊断术语（中文、代码或拼音首字母）', 'Search statements (Chinese, code or pinyin initials)'],
  noMatch: ['无匹配术语', 'No matching statement'],
  primary: ['首要诊断', 'Primary'],
  secondary: ['次要诊断', 'Secondary'],
  makePrimary: ['设为首要', 'Make primary'],
  remove: ['移除', 'Remove'],
  conclusion: ['诊断结论', 'Conclusion'],
  sign: ['签发诊断', 'Sign diagnosis'],
  signed: ['诊断已签发', 'Diagnosis signed'],
  send: ['发送报告', 'Send the report'],
  sent: ['报告已发送', 'Report sent'],
  needPrimary: ['请至少选择一个诊断术语', 'Choose at least one statement'],
  notAccepted: ['任务受理后才能诊断', 'The reading must be accepted before it is diagnosed'],
  failed: ['操作失败', 'Failed'],
  state_uploaded: ['已上传', 'uploaded'],
  state_dispatched: ['已分派', 'dispatched'],
  state_withdrawn: ['已撤回', 'withdrawn'],
  state_accepted: ['已受理', 'accepted'],
  state_returned: ['已退回', 'returned'],
  state_diagnosed: ['已诊断', 'diagnosed'],
  state_reported: ['已回传', 'reported'],
  state_acknowledged: ['已出具', 'acknowledged'],
  noWaveform: ['该报告没有波形', 'This report has no waveform'],
} as const satisfies Record<string, readonly [string, string]>;

export type EcgMessageId = keyof typeof MESSAGES;

export function m(id: EcgMessageId, params: Record<string, string | number> = {}): string {
  const [zh, en] = MESSAGES[id];
  return (lang() === 'en' ? en : zh).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** A workflow state's label, or the code itself for a state this table does not know. */
export function stateLabel(code: string): string {
  const id = `state_${code}`;
  return id in MESSAGES ? m(id as EcgMessageId) : code;
}
