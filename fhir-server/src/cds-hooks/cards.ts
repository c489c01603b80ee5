import { randomUUID } from 'node:crypto';
import type { Earlier } from './earlier.js';
import type { DuplicateRule } from './rules.js';

/** A CDS Hooks card (spec 1.0/2.0); `resource` and `resourceId` of a delete action serve both versions. */
export interface Card {
  uuid: string;
  summary: string;
  detail: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string; topic?: { system: string; code: string; display: string } };
  suggestions?: { label: string; uuid: string; actions: { type: 'delete'; description: string; resource?: string; resourceId?: string[] }[] }[];
  selectionBehavior?: 'at-most-one' | 'any';
  links?: { label: string; url: string; type: 'absolute' }[];
}

const SOURCE = { label: '桥 区域平台 重复医嘱提醒 | Qiao regional platform, duplicate orders' };
const KIND = { lab: { zh: '重复检验', en: 'Duplicate lab test' }, exam: { zh: '重复检查', en: 'Duplicate exam' }, drug: { zh: '重复用药', en: 'Duplicate medication' } } as const;
const MAX_SUMMARY = 140;

function day(date: string): string {
  return date.slice(0, 10);
}

/** One card for one draft order with earlier results: the newest one in the summary, all of them in the detail. */
export function duplicateCard(rule: DuplicateRule, draftRef: string | undefined, earlier: readonly Earlier[], fhirBase: string): Card {
  const [newest] = earlier as [Earlier, ...Earlier[]];
  const where = newest.institution?.name ?? '未知机构 unknown institution';
  const kind = KIND[rule.kind];
  const summary = `${kind.zh}：${rule.zh}已于${day(newest.date)}在${where.split(' | ')[0]}完成 | ${kind.en}: ${rule.en} on ${day(newest.date)}`;
  const rows = earlier.map((e) => `| ${day(e.date)} | ${e.institution?.name ?? '—'} | ${e.display} | [${e.ref}](${fhirBase}/${e.ref}) |`);
  const detail = [
    `患者在 ${rule.windowDays} 天内已有${rule.zh}记录，请确认是否需要重复开立（检验检查结果互认）。`,
    `The patient already had ${rule.en.toLowerCase()} within ${rule.windowDays} days; check whether the order is needed (mutual recognition of results).`,
    '',
    '| 日期 Date | 机构 Institution | 项目 Item | 结果 Result |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
  return {
    uuid: randomUUID(),
    summary: summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY - 1)}…` : summary,
    detail,
    indicator: 'warning',
    source: { ...SOURCE, topic: { system: 'https://qiao.health/fhir/CodeSystem/cds-duplicate-rule', code: rule.id, display: `${rule.zh} | ${rule.en}` } },
    ...(draftRef
      ? {
          selectionBehavior: 'at-most-one' as const,
          suggestions: [{ label: `撤销此医嘱 | Remove the draft order`, uuid: randomUUID(), actions: [{ type: 'delete' as const, description: `撤销 ${draftRef} | Remove ${draftRef}`, resource: draftRef, resourceId: [draftRef] }] }],
        }
      : {}),
    links: earlier.slice(0, 3).map((e) => ({ label: `查看 ${day(e.date)} 的结果 | View the result of ${day(e.date)}`, url: `${fhirBase}/${e.ref}`, type: 'absolute' as const })),
  };
}
