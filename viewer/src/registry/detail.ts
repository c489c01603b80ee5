/**
 * One case: its fields, the quality rules run again on the stored version (`$registry-check`),
 * the review history (Provenance) and the review actions, each an update of the review Task
 * (docs/registries.md §1.3). The server decides whether a step is allowed; a refusal shows its
 * OperationOutcome as the server wrote it (中文 | English).
 */
import { h } from '../dom.js';
import { FhirHttpError, type FhirApi } from '../fhir-api.js';
import { t, type MessageId } from '../i18n.js';
import {
  caseFields,
  CONFIRM_NEXT,
  issueTexts,
  maskedPatient,
  REVIEW_STATE_SYSTEM,
  reviewState,
  stateLabel,
  TASK_CODE,
  type Bundle,
  type Condition,
  type OperationOutcome,
  type Patient,
  type Provenance,
  type ReviewState,
  type Task,
} from './model.js';

export interface CaseContext {
  condition: Condition;
  task: Task;
  patient: Patient | undefined;
  institutions: Map<string, string>;
  back: () => void;
}

const errorText = (error: unknown) => (error instanceof FhirHttpError ? issueTexts(error.outcome).join('\n') || error.message : error instanceof Error ? error.message : String(error));

function fieldList(c: Condition, ctx: CaseContext): HTMLElement {
  const f = caseFields(c);
  const rows: [MessageId, string][] = [
    ['reg_patient', maskedPatient(ctx.patient, c.subject?.reference)],
    ['reg_icd10', f.icd10],
    ['reg_topography', f.topography],
    ['reg_morphology', f.morphology],
    ['reg_basis', f.basis],
    ['reg_diagnosed', f.diagnosed],
    ['reg_recorded', f.recorded],
    ['reg_institution', ctx.institutions.get(f.institution) ?? f.institution],
    ['reg_sequence', f.sequence],
    ['reg_duplicateOf', f.duplicateOf],
    ['reg_version', c.meta?.versionId ?? ''],
  ];
  return h('dl', { className: 'registry-fields' }, ...rows.filter(([, v]) => v !== '').flatMap(([k, v]) => [h('dt', { textContent: t(k) }), h('dd', { textContent: v })]));
}

async function ruleResults(fhir: FhirApi, c: Condition): Promise<HTMLElement> {
  const box = h('section', { className: 'registry-rules' }, h('h3', { textContent: t('reg_rules') }));
  try {
    const outcome = await fhir.post<OperationOutcome>('Condition/$registry-check', c);
    const issues = outcome.issue ?? [];
    box.append(
      h(
        'ul',
        {},
        ...issues.map((issue) =>
          h(
            'li',
            { testid: 'registry-rule-result', className: `severity-${issue.severity ?? 'information'}`, dataset: { rule: issue.details?.coding?.[0]?.code ?? '', severity: issue.severity ?? '' } },
            h('span', { className: 'rule-id', textContent: issue.details?.coding?.[0]?.code ?? issue.severity ?? '' }),
            ` ${issue.details?.text ?? issue.diagnostics ?? ''}`,
            issue.expression?.length ? h('code', { textContent: ` ${issue.expression.join(', ')}` }) : undefined,
          ),
        ),
      ),
    );
  } catch (error) {
    box.append(h('div', { className: 'status error', textContent: errorText(error) }));
  }
  return box;
}

async function history(fhir: FhirApi, c: Condition): Promise<HTMLElement> {
  const box = h('section', { className: 'registry-history' }, h('h3', { textContent: t('reg_history') }));
  try {
    const found = await fhir.get<Bundle<Provenance>>(`Provenance?target=Condition/${encodeURIComponent(c.id)}&_count=100`);
    const steps = (found.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])).sort((a, b) => (a.recorded ?? '').localeCompare(b.recorded ?? ''));
    box.append(
      steps.length === 0
        ? h('div', { textContent: t('reg_noHistory') })
        : h(
            'ol',
            {},
            ...steps.map((p) => {
              const agent = p.agent?.[0];
              const who = [agent?.who?.display ?? agent?.who?.reference, agent?.onBehalfOf?.reference].filter(Boolean).join(' / ');
              return h('li', { testid: 'registry-history-step', dataset: { activity: p.activity?.coding?.[0]?.code ?? '' } }, `${(p.recorded ?? '').replace('T', ' ').slice(0, 19)} · ${p.activity?.coding?.[0]?.display ?? p.activity?.coding?.[0]?.code ?? ''} · ${who}${p.reason?.[0]?.text ? ` · ${p.reason[0].text}` : ''}`);
            }),
          ),
    );
  } catch (error) {
    box.append(h('div', { className: 'status error', textContent: errorText(error) }));
  }
  return box;
}

function actions(fhir: FhirApi, task: Task, redraw: (task: Task) => void): HTMLElement {
  const state = reviewState(task) as ReviewState | undefined;
  const pending = state?.startsWith('pending-') ?? false;
  const reason = h('textarea', { testid: 'registry-reason', rows: 2, placeholder: t('reg_reasonHint') });
  const message = h('div', { testid: 'registry-message', className: 'registry-message' });
  const step = async (to: ReviewState | undefined) => {
    if (!to) return;
    message.className = 'registry-message';
    message.textContent = t('loading');
    const text = reason.value.trim();
    // Only the step and its reason change: the server sets Task.status and the state's text.
    const next: Task = { ...task, businessStatus: { coding: [{ system: REVIEW_STATE_SYSTEM, code: to }] } };
    delete next.statusReason;
    if (text) next.statusReason = { text };
    try {
      const saved = await fhir.put<Task>(`Task/${encodeURIComponent(task.id)}`, next, task.meta?.versionId ? { 'If-Match': `W/"${task.meta.versionId}"` } : {});
      redraw(saved);
    } catch (error) {
      message.className = 'registry-message error';
      message.textContent = errorText(error);
    }
  };
  const button = (testid: string, label: MessageId, to: ReviewState | undefined) => h('button', { type: 'button', testid, textContent: t(label), disabled: !pending, onclick: () => void step(to) });
  return h(
    'section',
    { className: 'registry-actions' },
    h('h3', {}, `${t('reg_review')}: `, h('span', { testid: 'registry-case-state', dataset: { state: state ?? '' }, textContent: t(stateLabel(state)) })),
    h('label', {}, t('reg_reason'), reason),
    h('div', { className: 'buttons' }, button('registry-confirm', 'reg_confirm', state ? CONFIRM_NEXT[state] : undefined), button('registry-return', 'reg_return', 'returned'), button('registry-reject', 'reg_reject', 'rejected')),
    message,
  );
}

/** Replaces the page with the case; `ctx.back` returns to the list. */
export async function renderCase(root: HTMLElement, fhir: FhirApi, ctx: CaseContext): Promise<void> {
  root.dataset.view = 'registry-case';
  const draw = async (task: Task) => {
    const condition = await fhir.get<Condition>(`Condition/${encodeURIComponent(ctx.condition.id)}`).catch(() => ctx.condition);
    const [rules, steps] = await Promise.all([ruleResults(fhir, condition), history(fhir, condition)]);
    root.replaceChildren(
      h(
        'div',
        { className: 'registry-case', testid: 'registry-case', dataset: { condition: condition.id, task: task.id } },
        h('button', { type: 'button', className: 'back', textContent: t('reg_back'), onclick: ctx.back }),
        h('h2', { textContent: `${t('reg_case')} Condition/${condition.id}` }),
        fieldList(condition, ctx),
        rules,
        actions(fhir, task, (saved) => void draw(saved)),
        steps,
      ),
    );
  };
  root.replaceChildren(h('div', { className: 'status', textContent: t('loading') }));
  // The Task again: the list may be older than the last step someone else took.
  const fresh = await fhir.get<Bundle<Task>>(`Task?focus=Condition/${encodeURIComponent(ctx.condition.id)}&code=${encodeURIComponent(TASK_CODE)}`).catch(() => undefined);
  await draw(fresh?.entry?.[0]?.resource ?? ctx.task);
}
