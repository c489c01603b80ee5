/** Every string the report panel shows, zh-CN first then English, in one table. */
import type { Lang } from '../i18n.js';

const MESSAGES = {
  title: ['诊断报告', 'Report'],
  priors: ['既往报告', 'Prior reports'],
  noPriors: ['无既往报告', 'No prior reports'],
  thisStudy: ['本检查', 'this study'],
  findings: ['检查所见', 'Findings'],
  impression: ['诊断意见', 'Impression'],
  critical: ['危急值', 'Critical finding'],
  criticalHint: ['勾选后报告标记为危急值，需立即通知临床', 'Marks the report as a critical finding, to be notified to the clinician at once'],
  save: ['保存（初步报告）', 'Save (preliminary)'],
  sign: ['签发（最终报告）', 'Sign (final)'],
  saving: ['正在保存…', 'Saving…'],
  saved: ['已保存为初步报告', 'Saved as a preliminary report'],
  signed: ['报告已签发', 'Report signed'],
  alreadyFinal: ['该报告已签发，不能再次修改或签发', 'This report is already signed and cannot be changed or signed again'],
  conflict: ['报告已被他人修改，请刷新后再试', 'Someone else changed this report: reload and try again'],
  emptyImpression: ['请填写诊断意见后再签发', 'Write an impression before signing'],
  failed: ['保存失败', 'Saving failed'],
  loadFailed: ['读取报告失败', 'Could not read the reports'],
  status_preliminary: ['初步', 'preliminary'],
  status_final: ['已签发', 'final'],
  status_amended: ['已修订', 'amended'],
  status_corrected: ['已更正', 'corrected'],
  status_registered: ['已登记', 'registered'],
  status_partial: ['部分', 'partial'],
  status_cancelled: ['已取消', 'cancelled'],
  status_other: ['其他', 'other'],
  interpreter: ['报告医师', 'Reading physician'],
  noInterpreter: ['未登录：报告不记录报告医师', 'Not logged in: the report names no reading physician'],
} as const satisfies Record<string, readonly [string, string]>;

export type ReportMessage = keyof typeof MESSAGES;

export function rt(id: ReportMessage, lang: Lang): string {
  const [zh, en] = MESSAGES[id];
  return lang === 'en' ? en : zh;
}

/** A report status in words; unknown ones as they are. */
export function statusText(status: string, lang: Lang): string {
  const id = `status_${status}`;
  return id in MESSAGES ? rt(id as ReportMessage, lang) : status;
}
