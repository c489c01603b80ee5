import { CdaError, decodeDocument, parseXml, type XElement } from '@qiao/cda-adapters';
import { leadByReferenceId } from '@qiao/dicom-gateway';
import { ecgError } from '../errors.js';
import { MEASURES, median, RR_SOURCES, type EcgRecording, type Identifier, type LeadTrace, type MeasureKey } from '../model.js';

/**
 * HL7 v3 Annotated ECG (aECG, the FDA format) → EcgRecording. The XML is read with the CDA
 * workspace's strict parser (same HL7 v3 family; a DOCTYPE and any entity but the five predefined
 * ones are refused), so aECG adds only its own vocabulary here: the rhythm series, its sequence set
 * (a GLIST time sequence and one SLIST_PQ per lead) and its annotation sets.
 */
export function parseAecg(bytes: Uint8Array, siteOffset = '+08:00'): EcgRecording {
  let root: XElement;
  try {
    root = parseXml(decodeDocument(bytes));
  } catch (error) {
    if (error instanceof CdaError) {
      const first = error.issues[0];
      throw ecgError(400, first?.id ?? 'ECG-XML-001', `XML 格式错误：${first?.zh ?? ''}`, `malformed XML: ${first?.en ?? ''}`, first?.expression ?? '/');
    }
    throw error;
  }
  if (root.name !== 'AnnotatedECG') throw ecgError(422, 'ECG-XML-002', `根元素是 ${root.name}，不是 AnnotatedECG`, `the root element is ${root.name}, not AnnotatedECG`, '/*');
  const id = child(root, 'id');
  const idRoot = id?.attrs.root;
  if (!idRoot) throw ecgError(422, 'ECG-XML-003', 'AnnotatedECG 缺少 id/@root', 'AnnotatedECG has no id/@root', '/AnnotatedECG/id');
  const seriesList = elements(root, 'component').map((c) => child(c, 'series')).filter((s): s is XElement => !!s);
  const series = seriesList.find((s) => child(s, 'code')?.attrs.code === 'RHYTHM') ?? seriesList[0];
  if (!series) throw ecgError(422, 'ECG-XML-004', 'AnnotatedECG 没有波形系列（component/series）', 'AnnotatedECG has no waveform series (component/series)', '/AnnotatedECG/component/series');
  const { leads, samplingHz, sampleCount } = sequenceSet(series);
  const subject = at(root, ['componentOf', 'timepointEvent', 'componentOf', 'subjectAssignment', 'subject', 'trialSubject']);
  const person = child(subject, 'subjectDemographicPerson');
  const subjectId = child(subject, 'id');
  const name = text(child(person, 'name'));
  const gender = child(person, 'administrativeGenderCode')?.attrs.code;
  const birth = child(person, 'birthTime')?.attrs.value;
  const effective = child(child(root, 'effectiveTime'), 'center')?.attrs.value ?? child(child(root, 'effectiveTime'), 'low')?.attrs.value;
  const { read, statements } = annotations(series);
  return {
    format: 'aecg',
    uid: identifierOf(idRoot, id?.attrs.extension),
    ...(effective ? { effective: hl7Time(effective, siteOffset) } : {}),
    patient: {
      identifiers: subjectId?.attrs.root ? [identifierOf(subjectId.attrs.root, subjectId.attrs.extension)] : [],
      ...(name ? { text: name } : {}),
      ...(birth && /^\d{8}/.test(birth) ? { birthDate: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}` } : {}),
      ...(gender ? { gender: gender === 'M' ? 'male' : gender === 'F' ? 'female' : 'unknown' } : {}),
    },
    samplingHz,
    sampleCount,
    leads,
    read,
    statements,
  };
}

/** An II: an OID or UUID root, with an extension when it names one of many. */
function identifierOf(root: string, extension: string | undefined): Identifier {
  const scheme = /^[0-2](\.\d+)+$/.test(root) ? `urn:oid:${root}` : `urn:uuid:${root.toLowerCase()}`;
  return extension ? { system: scheme, value: extension } : { system: 'urn:ietf:rfc:3986', value: scheme };
}

function sequenceSet(series: XElement): { leads: LeadTrace[]; samplingHz: number; sampleCount: number } {
  const where = '/AnnotatedECG/component/series/component/sequenceSet';
  const set = child(child(series, 'component'), 'sequenceSet');
  if (!set) throw ecgError(422, 'ECG-XML-004', '波形系列没有 sequenceSet', 'the waveform series has no sequenceSet', where);
  const sequences = elements(set, 'component').map((c) => child(c, 'sequence')).filter((s): s is XElement => !!s);
  let periodSeconds: number | undefined;
  const leads: LeadTrace[] = [];
  sequences.forEach((sequence, i) => {
    const code = child(sequence, 'code')?.attrs.code ?? '';
    const value = child(sequence, 'value');
    const expression = `${where}/component[${i + 1}]/sequence`;
    if (code === 'TIME_ABSOLUTE' || code === 'TIME_RELATIVE') {
      const increment = child(value, 'increment');
      const v = Number(increment?.attrs.value);
      const unit = increment?.attrs.unit ?? 's';
      const scale = unit === 's' ? 1 : unit === 'ms' ? 0.001 : NaN;
      if (!(v > 0) || !Number.isFinite(scale)) throw ecgError(422, 'ECG-XML-005', `时间序列的 increment 无效（${increment?.attrs.value ?? '缺失'} ${unit}）`, `the time sequence's increment is invalid (${increment?.attrs.value ?? 'missing'} ${unit})`, `${expression}/value/increment`);
      periodSeconds = v * scale;
      return;
    }
    const lead = leadByReferenceId(code);
    if (!lead) return; // another kind of sequence (e.g. a respiration channel): not a lead
    const origin = quantity(child(value, 'origin'), `${expression}/value/origin`, 0);
    const factor = quantity(child(value, 'scale'), `${expression}/value/scale`, undefined);
    const digits = text(child(value, 'digits'));
    const tokens = digits.split(/\s+/).filter(Boolean);
    if (tokens.length === 0) throw ecgError(422, 'ECG-XML-006', `导联 ${lead.name} 没有采样值（digits）`, `lead ${lead.name} has no samples (digits)`, `${expression}/value/digits`);
    // Decimal integers only (INT lists): Number() alone would take 1e3, 0x10 or 2.0.
    if (tokens.some((t) => !/^[-+]?\d{1,9}$/.test(t))) throw ecgError(400, 'ECG-XML-007', `导联 ${lead.name} 的 digits 含非整数`, `lead ${lead.name} has non-integer digits`, `${expression}/value/digits`);
    leads.push({ lead, origin, factor, samples: Int32Array.from(tokens, Number) });
  });
  if (leads.length === 0) throw ecgError(422, 'ECG-XML-008', '没有任何导联（MDC_ECG_LEAD_*）序列', 'no lead sequence (MDC_ECG_LEAD_*) at all', where);
  if (periodSeconds === undefined) throw ecgError(422, 'ECG-XML-005', '没有时间序列（TIME_ABSOLUTE 或 TIME_RELATIVE）', 'no time sequence (TIME_ABSOLUTE or TIME_RELATIVE)', where);
  const sampleCount = Math.max(...leads.map((l) => l.samples.length));
  return { leads, samplingHz: Math.round((1 / periodSeconds) * 1000) / 1000, sampleCount };
}

/** A PQ in µV (mV and V converted). */
function quantity(el: XElement | undefined, expression: string, fallback: number | undefined): number {
  const value = Number(el?.attrs.value);
  const unit = el?.attrs.unit ?? 'uV';
  const scale = unit === 'uV' ? 1 : unit === 'mV' ? 1000 : unit === 'V' ? 1e6 : NaN;
  if (el && Number.isFinite(value) && Number.isFinite(scale)) return value * scale;
  if (!el && fallback !== undefined) return fallback;
  throw ecgError(422, 'ECG-XML-009', `电压量 ${el?.attrs.value ?? '缺失'} ${unit} 无效`, `the voltage quantity ${el?.attrs.value ?? 'missing'} ${unit} is invalid`, expression);
}

/** Numeric annotations by MDC code (median over beats and annotation sets), and rhythm/interpretation statements. */
function annotations(series: XElement): { read: EcgRecording['read']; statements: string[] } {
  const values = new Map<string, number[]>();
  const statements: string[] = [];
  const pending: XElement[] = elements(series, 'subjectOf').map((s) => child(s, 'annotationSet')).filter((s): s is XElement => !!s);
  while (pending.length) {
    const el = pending.pop() as XElement;
    if (el.name === 'annotation') {
      const code = child(el, 'code')?.attrs.code ?? '';
      const value = child(el, 'value');
      if (value?.attrs.value !== undefined && value.attrs.unit !== undefined) {
        const n = Number(value.attrs.value);
        if (Number.isFinite(n)) values.set(code, [...(values.get(code) ?? []), n]);
      } else if ((code === 'MDC_ECG_RHY' || code.startsWith('MDC_ECG_INTERPRETATION')) && value) {
        const statement = value.attrs.displayName ?? value.attrs.code ?? text(value);
        if (statement && !statements.includes(statement)) statements.push(statement);
      }
    }
    for (const c of el.children) if (typeof c !== 'string' && (c.name === 'component' || c.name === 'annotation')) pending.push(c);
  }
  const read: Partial<Record<MeasureKey, number>> = {};
  for (const m of MEASURES) {
    const v = median(values.get(m.mdc) ?? []);
    if (v !== undefined) read[m.key] = v;
  }
  const rr = median(values.get(RR_SOURCES.mdc) ?? []);
  if (rr !== undefined) read.rr = rr;
  return { read, statements };
}

/** HL7 TS or DICOM DT (YYYYMMDDHHMMSS[.fff][±ZZZZ]) → FHIR dateTime; a time without a zone is the site's local time. */
export function hl7Time(ts: string, siteOffset: string): string {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d+)?([+-]\d{4})?$/.exec(ts);
  if (!m) return ts;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (!mo) return y as string;
  if (!d) return `${y}-${mo}`;
  if (!h) return `${y}-${mo}-${d}`;
  const z = zone ? `${zone.slice(0, 3)}:${zone.slice(3)}` : siteOffset;
  return `${y}-${mo}-${d}T${h}:${mi ?? '00'}:${s ?? '00'}${frac ?? ''}${z}`;
}

function elements(el: XElement | undefined, name: string): XElement[] {
  return (el?.children ?? []).filter((c): c is XElement => typeof c !== 'string' && c.name === name);
}

function child(el: XElement | undefined, name: string): XElement | undefined {
  return elements(el, name)[0];
}

function at(el: XElement | undefined, path: string[]): XElement | undefined {
  return path.reduce<XElement | undefined>((e, step) => child(e, step), el);
}

function text(el: XElement | undefined): string {
  return (el?.children ?? []).filter((c): c is string => typeof c === 'string').join(' ').trim();
}
