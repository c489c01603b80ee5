import { attr, textOf, type XElement } from '../xml/dom.js';
import { el } from '../xml/write.js';
import { fhirSystem, systemOid } from '../tables/identifiers.js';
import type { FieldAs } from '../tables/entry-rules.js';

/** A CDA data value as read from an element with `xsi:type` (or a coded element such as `code`). */
export type CdaValue =
  | { type: 'PQ'; value: number; unit?: string }
  | { type: 'CD'; code: string; codeSystem?: string; displayName?: string; codeSystemName?: string }
  | { type: 'ST'; text: string }
  | { type: 'INT'; value: number }
  | { type: 'REAL'; value: number }
  | { type: 'BL'; value: boolean }
  | { type: 'TS'; value: string }
  | { type: 'IVL_TS'; low?: string; high?: string }
  /** Encapsulated data in base64 (an image, a PDF); ED given as plain text is read as ST. */
  | { type: 'ED'; mediaType?: string; data: string };

type Json = Record<string, unknown>;

const CODED = new Set(['CD', 'CE', 'CV', 'CS', 'CO']);
const TEXT = new Set(['ST', 'ED', 'SC']);

export function readValue(e: XElement | undefined): CdaValue | undefined {
  if (!e || attr(e, 'nullFlavor')) return undefined;
  const written = attr(e, 'xsi:type') ?? '';
  const type = written.slice(written.lastIndexOf(':') + 1);
  if (type === 'PQ') {
    const value = Number(attr(e, 'value'));
    if (!Number.isFinite(value)) return undefined;
    const unit = attr(e, 'unit');
    return unit ? { type: 'PQ', value, unit } : { type: 'PQ', value };
  }
  if (type === 'INT' || type === 'REAL') {
    const value = Number(attr(e, 'value'));
    return Number.isFinite(value) ? { type, value } : undefined;
  }
  if (type === 'BL') return { type: 'BL', value: attr(e, 'value') === 'true' };
  if (type === 'TS') return attr(e, 'value') ? { type: 'TS', value: attr(e, 'value') as string } : undefined;
  if (type === 'IVL_TS') return readPeriod(e);
  if (type === 'ED' && attr(e, 'representation') === 'B64') {
    // Embedded images can be megabytes: one copy without the line breaks, from the element's own
    // text (not a thumbnail's), rather than textOf's normalised join and then another pass.
    const own = e.children.filter((c): c is string => typeof c === 'string');
    const joined = own.length === 1 ? (own[0] as string) : own.join('');
    const data = /\s/.test(joined) ? joined.replace(/\s+/g, '') : joined;
    return data ? { type: 'ED', data, ...opt('mediaType', attr(e, 'mediaType')) } : undefined;
  }
  if (CODED.has(type) || (type === '' && attr(e, 'code'))) return readCode(e);
  const text = textOf(e);
  return text ? { type: 'ST', text } : undefined;
}

export function readCode(e: XElement | undefined): CdaValue | undefined {
  const code = attr(e, 'code');
  if (!e || !code) return undefined;
  const cd: Extract<CdaValue, { type: 'CD' }> = { type: 'CD', code };
  const codeSystem = attr(e, 'codeSystem');
  if (codeSystem !== undefined) cd.codeSystem = codeSystem;
  const displayName = attr(e, 'displayName');
  if (displayName !== undefined) cd.displayName = displayName;
  const codeSystemName = attr(e, 'codeSystemName');
  if (codeSystemName !== undefined) cd.codeSystemName = codeSystemName;
  return cd;
}

/**
 * A code element that may name its concept by displayName only (`<code displayName="检验章节"/>`):
 * such a concept is kept as a CD with an empty code, written back without a code attribute.
 */
export function readConcept(e: XElement | undefined): Extract<CdaValue, { type: 'CD' }> | undefined {
  const display = attr(e, 'displayName');
  return (readCode(e) as Extract<CdaValue, { type: 'CD' }> | undefined) ?? (display ? { type: 'CD', code: '', displayName: display } : undefined);
}

export function readPeriod(e: XElement): CdaValue | undefined {
  const low = attr(e.children.find((c): c is XElement => typeof c !== 'string' && c.name === 'low'), 'value');
  const high = attr(e.children.find((c): c is XElement => typeof c !== 'string' && c.name === 'high'), 'value');
  const single = attr(e, 'value');
  if (!low && !high) return single ? { type: 'TS', value: single } : undefined;
  return { type: 'IVL_TS', ...opt('low', low), ...opt('high', high) };
}

function opt<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

const TS_PARTS = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d+)?)?)?)?)?)?([+-]\d{4})?$/;

/**
 * Whether a CDA TS is a real point in time: the format, and a calendar date (no 31 February,
 * month 13 or hour 25), year 1 or later and a zone within ±14:00, as FHIR's dateTime requires.
 */
export function isValidTs(ts: string): boolean {
  const m = TS_PARTS.exec(ts);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => (x === undefined ? undefined : Number(x)));
  const zone = m[7];
  if ((y as number) < 1) return false;
  if (mo !== undefined && (mo < 1 || mo > 12)) return false;
  if (d !== undefined && mo !== undefined && (d < 1 || d > daysIn(y as number, mo))) return false;
  if ((h ?? 0) > 23 || (mi ?? 0) > 59 || (s ?? 0) > 60) return false;
  if (zone) {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(3));
    if (zm > 59 || zh > 14 || (zh === 14 && zm > 0)) return false;
  }
  return true;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `20240105093000+0800` → `2024-01-05T09:30:00+08:00`; a time without zone is China Standard Time. */
export function tsToFhir(ts: string): string {
  const m = TS_PARTS.exec(ts);
  if (!m) return ts;
  const [, y, mo, d, h, mi, s, zone] = m;
  if (!mo) return y as string;
  if (!d) return `${y}-${mo}`;
  if (!h) return `${y}-${mo}-${d}`;
  const z = zone ? `${zone.slice(0, 3)}:${zone.slice(3)}` : '+08:00';
  return `${y}-${mo}-${d}T${h}:${mi ?? '00'}:${s ?? '00'}${z}`;
}

export function tsFromFhir(dateTime: string): string {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(dateTime);
  if (!m) return dateTime.replace(/\D/g, '');
  const [, y, mo = '', d = '', h, mi, s = '00', zone] = m;
  if (!h) return `${y}${mo}${d}`;
  const z = !zone || zone === '+08:00' ? '' : zone === 'Z' ? '+0000' : zone.replace(':', '');
  return `${y}${mo}${d}${h}${mi}${s}${z}`;
}

export function codingOf(v: Extract<CdaValue, { type: 'CD' }>, display = v.displayName): Json {
  const system = fhirSystem(v.codeSystem);
  const coding: Json = system ? { system, code: v.code } : { code: v.code };
  if (display) coding.display = display;
  return coding;
}

/** The FHIR form of a CDA value for a field; `path` picks value[x]'s type suffix. */
export function toFhir(v: CdaValue, as: FieldAs): { suffix: string; value: unknown } | undefined {
  switch (as) {
    case 'concept':
      if (v.type === 'CD') return { suffix: '', value: { coding: [codingOf(v)] } };
      return { suffix: '', value: { text: plain(v) } };
    case 'coding':
      if (v.type === 'CD') return { suffix: '', value: { coding: [codingOf(v)] } };
      return { suffix: '', value: { coding: [{ code: plain(v) }] } };
    case 'text':
      return { suffix: '', value: { text: plain(v) } };
    case 'string':
      return { suffix: '', value: plain(v) };
    case 'dateTime':
      return v.type === 'TS' ? { suffix: '', value: tsToFhir(v.value) } : undefined;
    case 'quantity':
      return v.type === 'PQ' ? { suffix: '', value: quantity(v) } : undefined;
    case 'attachment':
      return v.type === 'ED' ? { suffix: '', value: { ...(v.mediaType ? { contentType: v.mediaType } : {}), data: v.data } } : undefined;
    case 'value':
      return valueX(v);
  }
}

function plain(v: CdaValue): string {
  switch (v.type) {
    case 'ST':
      return v.text;
    case 'CD':
      return v.displayName ?? v.code;
    case 'PQ':
      return `${v.value}${v.unit ? ` ${v.unit}` : ''}`;
    case 'IVL_TS':
      return `${v.low ?? ''}-${v.high ?? ''}`;
    case 'ED':
      return v.data;
    default:
      return String(v.value);
  }
}

function quantity(v: Extract<CdaValue, { type: 'PQ' }>): Json {
  return { value: v.value, ...(v.unit ? { unit: v.unit } : {}) };
}

function valueX(v: CdaValue): { suffix: string; value: unknown } {
  switch (v.type) {
    case 'PQ':
      return { suffix: 'Quantity', value: quantity(v) };
    case 'REAL':
      return { suffix: 'Quantity', value: { value: v.value } };
    case 'CD':
      return { suffix: 'CodeableConcept', value: { coding: [codingOf(v)] } };
    case 'ST':
      return { suffix: 'String', value: v.text };
    case 'INT':
      return { suffix: 'Integer', value: v.value };
    case 'BL':
      return { suffix: 'Boolean', value: v.value };
    case 'TS':
      return { suffix: 'DateTime', value: tsToFhir(v.value) };
    case 'IVL_TS':
      return { suffix: 'Period', value: { ...(v.low ? { start: tsToFhir(v.low) } : {}), ...(v.high ? { end: tsToFhir(v.high) } : {}) } };
    case 'ED':
      // R4 Observation.value[x] has no Attachment: the base64 text is kept, its media type is not.
      return { suffix: 'String', value: v.data };
  }
}

/** The CDA value back from a FHIR value read at a field's path. */
export function fromFhir(value: unknown, as: FieldAs, suffix = ''): CdaValue | undefined {
  if (value === undefined || value === null) return undefined;
  const obj = value as Json;
  switch (as) {
    case 'concept': {
      const coding = (obj.coding as Json[] | undefined)?.[0];
      if (coding) return cdFromCoding(coding);
      return typeof obj.text === 'string' ? { type: 'ST', text: obj.text } : undefined;
    }
    case 'coding': {
      const coding = (obj.coding as Json[] | undefined)?.[0];
      if (!coding) return undefined;
      return coding.system ? cdFromCoding(coding) : { type: 'ST', text: String(coding.code ?? '') };
    }
    case 'text':
      return typeof obj.text === 'string' ? { type: 'ST', text: obj.text } : undefined;
    case 'string':
      return typeof value === 'string' ? { type: 'ST', text: value } : undefined;
    case 'dateTime':
      return typeof value === 'string' ? { type: 'TS', value: tsFromFhir(value) } : undefined;
    case 'quantity':
      return typeof obj.value === 'number' ? { type: 'PQ', value: obj.value, ...(typeof obj.unit === 'string' ? { unit: obj.unit } : {}) } : undefined;
    case 'attachment':
      return typeof obj.data === 'string' ? { type: 'ED', data: obj.data, ...opt('mediaType', obj.contentType as string | undefined) } : undefined;
    case 'value':
      switch (suffix) {
        case 'Quantity':
          if (typeof obj.value !== 'number') return undefined;
          return typeof obj.unit === 'string' ? { type: 'PQ', value: obj.value, unit: obj.unit } : { type: 'REAL', value: obj.value };
        case 'CodeableConcept':
          return fromFhir(value, 'concept');
        case 'String':
          return { type: 'ST', text: String(value) };
        case 'Integer':
          return { type: 'INT', value: Number(value) };
        case 'Boolean':
          return { type: 'BL', value: value === true };
        case 'DateTime':
          return { type: 'TS', value: tsFromFhir(String(value)) };
        case 'Period':
          return { type: 'IVL_TS', ...opt('low', obj.start ? tsFromFhir(String(obj.start)) : undefined), ...opt('high', obj.end ? tsFromFhir(String(obj.end)) : undefined) };
      }
      return undefined;
  }
}

export function cdFromCoding(coding: Json): CdaValue {
  return {
    type: 'CD',
    code: String(coding.code ?? ''),
    ...opt('codeSystem', systemOid(coding.system as string | undefined)),
    ...opt('displayName', coding.display as string | undefined),
  };
}

/** A `<value xsi:type=…>` (or any element name) for a CDA value. */
export function valueElement(name: string, v: CdaValue, typed = true): XElement {
  const t = (type: string) => (typed ? { 'xsi:type': type } : {});
  switch (v.type) {
    case 'PQ':
      return el(name, { ...t('PQ'), value: String(v.value), unit: v.unit });
    case 'INT':
    case 'REAL':
      return el(name, { ...t(v.type), value: String(v.value) });
    case 'BL':
      return el(name, { ...t('BL'), value: String(v.value) });
    case 'TS':
      return el(name, { ...t('TS'), value: v.value });
    case 'IVL_TS':
      return el(name, t('IVL_TS'), [v.low ? el('low', { value: v.low }) : undefined, v.high ? el('high', { value: v.high }) : undefined]);
    case 'CD':
      return el(name, { ...t('CD'), code: v.code || undefined, codeSystem: v.codeSystem, codeSystemName: v.codeSystemName, displayName: v.displayName });
    case 'ST':
      return el(name, t('ST'), [v.text]);
    case 'ED':
      return el(name, { ...t('ED'), mediaType: v.mediaType, representation: 'B64' }, [v.data]);
  }
}
