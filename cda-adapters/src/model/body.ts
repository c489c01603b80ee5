import { at, attr, child, elements, textOf, type XElement, type XNode } from '../xml/dom.js';
import { isStructured } from '../xml/narrative.js';
import { el } from '../xml/write.js';
import { readCode, readConcept, readPeriod, readValue, valueElement, type CdaValue } from '../map/values.js';
import { CODED_ELEMENTS } from '../tables/data-elements.js';
import type { EntryShape } from '../tables/entry-rules.js';
import { OID } from '../tables/identifiers.js';
import type { Code } from './header.js';

/**
 * The structured body as plain data. An entry is its key act plus the data elements nested in it
 * ("parts"); the mapping rules work on this model in both directions.
 */
export interface Part {
  code: Code;
  value?: CdaValue;
  time?: string;
}

export interface Entry {
  shape: EntryShape;
  code?: Code;
  value?: CdaValue;
  time?: string;
  drug?: CdaValue;
  doseQuantity?: CdaValue;
  routeCode?: Code;
  interpretationCode?: Code;
  referenceRange?: string;
  parts: Part[];
}

export interface Section {
  code?: Code;
  title?: string;
  /** The narrative as plain text. */
  text?: string;
  /** The narrative's CDA elements (paragraphs, lists, tables) when it has any, `text` being their text. */
  narrative?: XNode[];
  entries: Entry[];
  sections: Section[];
}

function time(e: XElement | undefined): string | undefined {
  const t = child(e, 'effectiveTime');
  if (!t) return undefined;
  const v = readPeriod(t);
  return v?.type === 'TS' ? v.value : v?.type === 'IVL_TS' ? v.low ?? v.high : undefined;
}

function part(obs: XElement): Part | undefined {
  const code = readCode(child(obs, 'code')) as Code | undefined;
  if (!code) return undefined;
  const p: Part = { code };
  const value = readValue(child(obs, 'value'));
  if (value) p.value = value;
  const t = time(obs);
  if (t) p.time = t;
  return p;
}

/**
 * Observations nested below an act, depth first: every data element, however deep (an explicit
 * stack, so a document nesting them thousands deep cannot exhaust the call stack).
 */
function nestedParts(act: XElement, out: Part[] = []): Part[] {
  const pending: XElement[] = [];
  const push = (e: XElement) => {
    const found = childObservations(e);
    for (let i = found.length - 1; i >= 0; i--) pending.push(found[i]!);
  };
  push(act);
  while (pending.length > 0) {
    const obs = pending.pop()!;
    const p = part(obs);
    if (p) out.push(p);
    push(obs);
  }
  return out;
}

function childObservations(act: XElement): XElement[] {
  const out: XElement[] = [];
  for (const relation of RELATIONS) {
    for (const rel of act.children) {
      if (typeof rel === 'string' || rel.name !== relation) continue;
      for (const obs of rel.children) if (typeof obs !== 'string' && obs.name === 'observation') out.push(obs);
    }
  }
  return out;
}
const RELATIONS = ['entryRelationship', 'component'] as const;

/**
 * Coded elements of a substanceAdministration that have no slot (the dose form,
 * administrationUnitCode) as the data-element parts they stand for, so no field, extension or
 * generator needs to know them; `writeEntry` puts them back as the elements.
 */
const CODED_PARTS = ['administrationUnitCode'] as const;

function codedParts(act: XElement): Part[] {
  return CODED_PARTS.flatMap((name) => {
    const value = readCode(child(act, name));
    const element = CODED_ELEMENTS[name];
    return value && element ? [{ code: { type: 'CD' as const, code: element.de, codeSystem: OID.dataElements, displayName: element.zh }, value }] : [];
  });
}

/** The coded element a part written back as one (see `codedParts`), if it is such a part. */
function codedElementOf(p: Part): XElement | undefined {
  const name = CODED_PARTS.find((n) => CODED_ELEMENTS[n]?.de === p.code.code);
  return name && p.value ? valueElement(name, p.value, false) : undefined;
}

function observationEntry(obs: XElement, shape: EntryShape, extraParts: Part[] = []): Entry {
  const entry: Entry = { shape, parts: nestedParts(obs) };
  const key = part(obs);
  if (key) entry.code = key.code;
  if (key?.value) entry.value = key.value;
  if (key?.time) entry.time = key.time;
  const interpretation = readCode(child(obs, 'interpretationCode')) as Code | undefined;
  if (interpretation) entry.interpretationCode = interpretation;
  const range = textOf(at(obs, 'referenceRange/observationRange/text'));
  if (range) entry.referenceRange = range;
  for (const p of extraParts) entry.parts.push(p);
  return entry;
}

function readEntry(entry: XElement): Entry[] {
  const out: Entry[] = [];
  for (const act of elements(entry)) {
    if (act.name === 'observation') out.push(observationEntry(act, 'observation'));
    else if (act.name === 'organizer') {
      const components = elements(act, 'component').flatMap((c) => elements(c, 'observation'));
      const [key, ...rest] = components;
      if (!key) continue;
      const restParts = rest.flatMap((o) => [part(o), ...nestedParts(o)]).filter((p): p is Part => p !== undefined);
      out.push(observationEntry(key, 'organizer', restParts));
    } else if (act.name === 'observationMedia') {
      // Its value is an ED by the schema, so documents rarely say xsi:type.
      const raw = child(act, 'value');
      const value = raw ? readValue({ ...raw, attrs: { 'xsi:type': 'ED', ...raw.attrs } }) : undefined;
      out.push({ shape: 'observationMedia', ...(value ? { value } : {}), parts: [] });
    } else if (act.name === 'procedure') {
      const code = readCode(child(act, 'code')) as Code | undefined;
      const t = time(act);
      out.push({ shape: 'procedure', ...(code ? { code } : {}), ...(t ? { time: t } : {}), parts: nestedParts(act) });
    } else if (act.name === 'substanceAdministration') {
      const drugEl = at(act, 'consumable/manufacturedProduct/manufacturedLabeledDrug');
      const drug = readCode(child(drugEl, 'code')) ?? (textOf(child(drugEl, 'name')) ? { type: 'ST' as const, text: textOf(child(drugEl, 'name')) } : undefined);
      const dose = child(act, 'doseQuantity');
      const doseValue = dose && attr(dose, 'value') ? readValue({ ...dose, attrs: { ...dose.attrs, 'xsi:type': 'PQ' } }) : undefined;
      const route = readCode(child(act, 'routeCode')) as Code | undefined;
      const t = time(act);
      out.push({
        shape: 'substanceAdministration',
        ...(drug ? { drug } : {}),
        ...(doseValue ? { doseQuantity: doseValue } : {}),
        ...(route ? { routeCode: route } : {}),
        ...(t ? { time: t } : {}),
        parts: [...codedParts(act), ...nestedParts(act)],
      });
    } else {
      // Other acts (act, encounter, supply): their data elements become entries of their own.
      for (const p of nestedParts(act)) out.push({ shape: 'observation', code: p.code, ...(p.value ? { value: p.value } : {}), ...(p.time ? { time: p.time } : {}), parts: [] });
    }
  }
  return out;
}

export function readSection(s: XElement): Section {
  const code = readConcept(child(s, 'code'));
  const title = textOf(child(s, 'title'));
  const textEl = child(s, 'text');
  const text = textOf(textEl);
  return {
    ...(code ? { code } : {}),
    ...(title ? { title } : {}),
    ...(text ? { text } : {}),
    ...(text && textEl && isStructured(textEl) ? { narrative: textEl.children } : {}),
    entries: elements(s, 'entry').flatMap(readEntry),
    sections: elements(s, 'component').flatMap((c) => elements(c, 'section')).map(readSection),
  };
}

export function readBody(root: XElement): Section[] {
  return elements(at(root, 'component/structuredBody'), 'component')
    .flatMap((c) => elements(c, 'section'))
    .map(readSection);
}

const DE_CODE_SYSTEM_NAME = '卫生信息数据元目录';

function codeEl(c: Code) {
  return el('code', { code: c.code || undefined, codeSystem: c.codeSystem, codeSystemName: c.codeSystem === '2.16.156.10011.2.2.1' ? DE_CODE_SYSTEM_NAME : c.codeSystemName, displayName: c.displayName });
}

function partEl(p: Part) {
  return el('entryRelationship', { typeCode: 'COMP' }, [
    el('observation', { classCode: 'OBS', moodCode: 'EVN' }, [codeEl(p.code), p.time ? el('effectiveTime', { value: p.time }) : undefined, p.value ? valueElement('value', p.value) : undefined]),
  ]);
}

function observationEl(e: Entry) {
  return el('observation', { classCode: 'OBS', moodCode: 'EVN' }, [
    e.code ? codeEl(e.code) : undefined,
    e.time ? el('effectiveTime', { value: e.time }) : undefined,
    e.value ? valueElement('value', e.value) : undefined,
    e.interpretationCode ? valueElement('interpretationCode', e.interpretationCode, false) : undefined,
    ...e.parts.map(partEl),
    e.referenceRange ? el('referenceRange', {}, [el('observationRange', {}, [el('text', {}, [e.referenceRange])])]) : undefined,
  ]);
}

export function writeEntry(e: Entry) {
  switch (e.shape) {
    case 'observation':
      return el('entry', {}, [observationEl(e)]);
    case 'organizer':
      return el('entry', {}, [el('organizer', { classCode: 'CLUSTER', moodCode: 'EVN' }, [el('statusCode', { code: 'completed' }), el('component', {}, [observationEl(e)])])]);
    case 'observationMedia':
      return el('entry', {}, [el('observationMedia', { classCode: 'OBS', moodCode: 'EVN' }, [e.value ? valueElement('value', e.value, false) : undefined])]);
    case 'procedure':
      return el('entry', {}, [
        el('procedure', { classCode: 'PROC', moodCode: 'EVN' }, [e.code ? valueElement('code', e.code, false) : undefined, e.time ? el('effectiveTime', { value: e.time }) : undefined, ...e.parts.map(partEl)]),
      ]);
    case 'substanceAdministration': {
      const drug = e.drug?.type === 'CD' ? valueElement('code', e.drug, false) : undefined;
      const name = e.drug?.type === 'ST' ? el('name', {}, [e.drug.text]) : undefined;
      const coded = e.parts.map(codedElementOf);
      return el('entry', {}, [
        el('substanceAdministration', { classCode: 'SBADM', moodCode: 'EVN' }, [
          e.time ? el('effectiveTime', { 'xsi:type': 'IVL_TS' }, [el('low', { value: e.time })]) : undefined,
          e.routeCode ? valueElement('routeCode', e.routeCode, false) : undefined,
          e.doseQuantity?.type === 'PQ' ? el('doseQuantity', { value: String(e.doseQuantity.value), unit: e.doseQuantity.unit }) : undefined,
          ...coded,
          el('consumable', {}, [el('manufacturedProduct', {}, [el('manufacturedLabeledDrug', {}, [drug, name])])]),
          ...e.parts.filter((_, k) => !coded[k]).map(partEl),
        ]),
      ]);
    }
  }
}

export function writeSection(s: Section): ReturnType<typeof el> {
  return el('section', {}, [
    s.code ? codeEl(s.code) : undefined,
    s.title ? el('title', {}, [s.title]) : undefined,
    el('text', {}, s.narrative ?? (s.text ? [s.text] : [])),
    ...s.entries.map(writeEntry),
    ...s.sections.map((sub) => el('component', {}, [writeSection(sub)])),
  ]);
}

export function writeBody(sections: Section[]) {
  return el('component', {}, [el('structuredBody', {}, sections.map((s) => el('component', {}, [writeSection(s)])))]);
}
