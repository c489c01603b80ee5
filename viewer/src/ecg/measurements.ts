/** The measurement Observations of an ECG report (docs/ecg.md), by LOINC code, with UCUM units. */
import type { Observation } from '@medplum/fhirtypes';
import { h } from '../dom.js';
import { m, type EcgMessageId } from './messages.js';

const LOINC = 'http://loinc.org';
const KEYS: readonly (readonly [EcgMessageId, string])[] = [
  ['hr', '8867-4'],
  ['pr', '8625-6'],
  ['qrs', '8633-0'],
  ['qt', '8634-8'],
  ['qtc', '8636-3'],
  ['pAxis', '8626-4'],
  ['qrsAxis', '8632-2'],
  ['tAxis', '8638-9'],
];
const UNITS: Record<string, string> = { '/min': '次/分 (/min)', ms: 'ms', deg: '°' };

function unitText(code: string | undefined): string {
  return code ? (UNITS[code] ?? code) : '';
}

export function measurementsPanel(observations: readonly Observation[]): HTMLElement {
  const byLoinc = new Map<string, Observation>();
  for (const o of observations) {
    const code = o.code.coding?.find((c) => c.system === LOINC)?.code;
    if (code) byLoinc.set(code, o);
  }
  const rows = KEYS.map(([key, loinc]) => {
    const q = byLoinc.get(loinc)?.valueQuantity;
    const value = q?.value !== undefined ? `${q.value} ${unitText(q.code ?? q.unit)}`.trim() : m('absent');
    return h('tr', { dataset: { testid: `ecg-measure-${key}` } }, h('th', { textContent: m(key) }), h('td', { textContent: value }));
  });
  return h('section', { className: 'ecg-measurements', testid: 'ecg-measurements' }, h('h3', { textContent: m('measurements') }), h('table', {}, h('tbody', {}, ...rows)));
}
