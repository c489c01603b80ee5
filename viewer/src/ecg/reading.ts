/**
 * The reader's side of an ECG report: the reading Task's state, coded statements chosen from the
 * ECG diagnosis code system (`ValueSet/$expand` over its implicit value set), a free-text
 * conclusion, signing — the `diagnose` step of `Task/{id}/$ecg-transition` (docs/ecg.md) — and
 * sending the signed report back to the clinic (`report`).
 */
import type { DiagnosticReport, Parameters, Task, ValueSet, ValueSetExpansionContains } from '@medplum/fhirtypes';
import { h } from '../dom.js';
import type { FhirApi } from '../fhir-api.js';
import { m, stateLabel } from './messages.js';

const ECG_DIAGNOSIS = 'https://qiao.health/fhir/CodeSystem/ecg-diagnosis';
const RANK = 'https://qiao.health/fhir/StructureDefinition/ecg-statement-rank';
const SEARCH_DELAY_MS = 250;

interface Statement {
  code: string;
  display: string;
}

function stateOf(task: Task): string {
  return task.businessStatus?.coding?.[0]?.code ?? task.status;
}

/** The statements already on the report, primary first. */
function statementsOf(report: DiagnosticReport): Statement[] {
  const coded = (report.conclusionCode ?? []).flatMap((cc) => {
    const c = cc.coding?.find((x) => x.system === ECG_DIAGNOSIS);
    if (!c?.code) return [];
    const primary = cc.extension?.some((e) => e.url === RANK && e.valueCode === 'primary') ?? false;
    return [{ code: c.code, display: c.display ?? cc.text ?? c.code, primary }];
  });
  return [...coded.filter((s) => s.primary), ...coded.filter((s) => !s.primary)].map(({ code, display }) => ({ code, display }));
}

export function readingPanel(fhir: FhirApi, report: DiagnosticReport, initialTask: Task | undefined): HTMLElement {
  const panel = h('section', { className: 'ecg-reading', testid: 'ecg-reading' }, h('h3', { textContent: m('reading') }));
  if (!initialTask?.id) {
    panel.append(h('div', { className: 'status', textContent: m('noTask') }));
    return panel;
  }
  let task: Task = initialTask;
  const chosen: Statement[] = statementsOf(report);
  const state = h('div', { className: 'ecg-state', testid: 'ecg-task-state' });
  const message = h('div', { className: 'ecg-message', testid: 'ecg-message' });
  const search = h('input', { type: 'search', placeholder: m('statementSearch'), testid: 'ecg-statement-search' });
  const results = h('ul', { className: 'ecg-results', testid: 'ecg-statement-results' });
  const chosenList = h('ol', { className: 'ecg-chosen', testid: 'ecg-statements' });
  const conclusion = h('textarea', { rows: 3, value: report.conclusion ?? '', testid: 'ecg-conclusion' });
  const accept = h('button', { type: 'button', textContent: m('accept'), testid: 'ecg-accept' });
  const sign = h('button', { type: 'button', className: 'primary', textContent: m('sign'), testid: 'ecg-sign' });
  const send = h('button', { type: 'button', textContent: m('send'), testid: 'ecg-send' });

  const transition = async (action: string, extra: Parameters['parameter'] = []) => {
    message.textContent = '';
    message.classList.remove('error');
    try {
      task = await fhir.post<Task>(`Task/${task.id}/$ecg-transition`, { resourceType: 'Parameters', parameter: [{ name: 'action', valueCode: action }, ...(extra ?? [])] });
      return true;
    } catch (error) {
      message.classList.add('error');
      message.textContent = `${m('failed')}: ${error instanceof Error ? error.message : String(error)}`;
      return false;
    } finally {
      render();
    }
  };

  function render(): void {
    const current = stateOf(task);
    state.textContent = `${m('state')}: ${stateLabel(current)}`;
    state.dataset.state = current;
    accept.hidden = current !== 'dispatched';
    sign.disabled = current !== 'accepted';
    sign.title = current === 'accepted' ? '' : m('notAccepted');
    send.hidden = current !== 'diagnosed';
    chosenList.replaceChildren(
      ...chosen.map((s, i) =>
        h(
          'li',
          { dataset: { code: s.code, rank: i === 0 ? 'primary' : 'secondary' } },
          h('span', { className: 'rank', textContent: i === 0 ? m('primary') : m('secondary') }),
          h('span', { textContent: `${s.display} (${s.code})` }),
          i > 0 && h('button', { type: 'button', textContent: m('makePrimary'), onclick: () => (chosen.unshift(...chosen.splice(i, 1)), render()) }),
          h('button', { type: 'button', textContent: m('remove'), onclick: () => (chosen.splice(i, 1), render()) }),
        ),
      ),
    );
  }

  let pending: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  search.oninput = () => {
    clearTimeout(pending);
    pending = setTimeout(() => void lookUp(search.value.trim()), SEARCH_DELAY_MS);
  };
  async function lookUp(filter: string): Promise<void> {
    const mine = ++asked;
    if (!filter) return results.replaceChildren();
    const query = new URLSearchParams({ url: ECG_DIAGNOSIS, filter, count: '20' });
    const expansion = await fhir.get<ValueSet>(`ValueSet/$expand?${query}`).catch(() => undefined);
    if (mine !== asked) return;
    // Categories are abstract: a report takes statements only.
    const found = (expansion?.expansion?.contains ?? []).filter((c): c is ValueSetExpansionContains & { code: string } => !!c.code && c.abstract !== true);
    results.replaceChildren(
      ...(found.length
        ? found.map((c) =>
            h('li', {}, h('button', {
              type: 'button',
              textContent: `${c.display ?? c.code} (${c.code})`,
              dataset: { code: c.code },
              onclick: () => {
                if (!chosen.some((s) => s.code === c.code)) chosen.push({ code: c.code, display: c.display ?? c.code });
                render();
              },
            })),
          )
        : [h('li', { className: 'empty', textContent: m('noMatch') })]),
    );
  }

  accept.onclick = () => void transition('accept');
  send.onclick = async () => {
    if (await transition('report')) message.textContent = m('sent');
  };
  sign.onclick = async () => {
    const [primary, ...secondary] = chosen;
    if (!primary) {
      message.classList.add('error');
      message.textContent = m('needPrimary');
      return;
    }
    const text = conclusion.value.trim();
    const ok = await transition('diagnose', [
      { name: 'primary', valueCode: primary.code },
      ...secondary.map((s) => ({ name: 'secondary', valueCode: s.code })),
      ...(text ? [{ name: 'conclusion', valueString: text }] : []),
    ]);
    if (ok) message.textContent = m('signed');
  };

  // A report read back carries codes only: their names come from the code system, once.
  if (chosen.length) {
    void fhir
      .get<ValueSet>(`ValueSet/$expand?${new URLSearchParams({ url: ECG_DIAGNOSIS, count: '1000' })}`)
      .then((vs) => {
        const names = new Map((vs.expansion?.contains ?? []).map((c) => [c.code, c.display]));
        for (const s of chosen) s.display = names.get(s.code) ?? s.display;
        render();
      })
      .catch(() => undefined);
  }
  render();
  panel.append(state, accept, search, results, chosenList, h('label', {}, m('conclusion'), conclusion), sign, send, message);
  return panel;
}
