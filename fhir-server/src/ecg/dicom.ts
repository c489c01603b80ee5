import { decodeWaveform, WaveformError, type DecodedWaveform, type WaveformGroup } from '@qiao/dicom-gateway';
import { hl7Time } from './aecg/parse.js';
import { ecgError } from './errors.js';
import { MEASURES, median, RR_SOURCES, type EcgRecording, type LeadTrace, type MeasureKey } from './model.js';

/** DICOM 12-lead / General ECG (Part 10 bytes) → EcgRecording; the gateway decodes, this maps. */
export function parseDicomEcg(bytes: Uint8Array, siteOffset = '+08:00'): EcgRecording {
  let decoded: DecodedWaveform;
  try {
    decoded = decodeWaveform(bytes);
  } catch (error) {
    if (error instanceof WaveformError) throw ecgError(error.issue.status, error.issue.id, error.issue.zh, error.issue.en, error.issue.expression);
    throw error;
  }
  return fromWaveform(decoded, siteOffset);
}

/** The rhythm strip: the ORIGINAL group with most samples (a median beat is DERIVED). */
function rhythmGroup(decoded: DecodedWaveform): WaveformGroup {
  const original = decoded.groups.filter((g) => g.originality !== 'DERIVED');
  const candidates = original.length ? original : decoded.groups;
  return candidates.reduce((a, b) => (b.sampleCount > a.sampleCount ? b : a));
}

export function fromWaveform(decoded: DecodedWaveform, siteOffset: string): EcgRecording {
  const group = rhythmGroup(decoded);
  const leads: LeadTrace[] = [];
  group.channels.forEach((c) => {
    if (!c.lead) return;
    // Channel Baseline is the offset of sample 0 in the sensitivity's units (PS3.3 C.10.9.1.4.3).
    const toMicro = c.unit === 'mV' ? 1000 : c.unit === 'V' ? 1e6 : 1;
    const factor = (c.sensitivity ?? 1) * c.correction * toMicro;
    leads.push({ lead: c.lead, origin: c.baseline * toMicro, factor, samples: c.samples });
  });
  if (leads.length === 0) {
    throw ecgError(422, 'ECG-DCM-009', '波形中没有可识别的导联（通道来源代码不是 SCPECG/MDC 导联）', 'no recognisable lead in the waveform (channel source codes are not SCPECG/MDC leads)', 'WaveformSequence.ChannelDefinitionSequence.ChannelSourceSequence');
  }
  const values = new Map<string, number[]>();
  const statements: string[] = [];
  for (const a of decoded.annotations) {
    if (a.text && !statements.includes(a.text)) statements.push(a.text);
    if (a.value?.meaning && !statements.includes(a.value.meaning)) statements.push(a.value.meaning);
    if (a.concept && a.numeric !== undefined) values.set(a.concept.code, [...(values.get(a.concept.code) ?? []), a.numeric]);
  }
  const read: Partial<Record<MeasureKey, number>> = {};
  for (const m of MEASURES) {
    const v = median(m.scpecg.flatMap((code) => values.get(code) ?? []));
    if (v !== undefined) read[m.key] = v;
  }
  const rr = median(RR_SOURCES.scpecg.flatMap((code) => values.get(code) ?? []).filter((v) => v > 0));
  if (rr !== undefined) read.rr = rr;
  const p = decoded.patient;
  const name = p.names[0];
  const alphabetic = name?.Alphabetic ?? name?.Ideographic;
  const [family, given] = (name?.Ideographic ?? alphabetic ?? '').split('^');
  return {
    format: 'dicom',
    uid: { system: 'urn:dicom:uid', value: `urn:oid:${decoded.sopInstanceUID}` },
    ...(decoded.acquired ? { effective: hl7Time(decoded.acquired, siteOffset) } : {}),
    patient: {
      identifiers: p.identifiers,
      ...(family ? { family } : {}),
      ...(given ? { given } : {}),
      ...(p.birthDate && /^\d{8}$/.test(p.birthDate) ? { birthDate: `${p.birthDate.slice(0, 4)}-${p.birthDate.slice(4, 6)}-${p.birthDate.slice(6, 8)}` } : {}),
      ...(p.sex ? { gender: p.sex === 'M' ? 'male' : p.sex === 'F' ? 'female' : p.sex === 'O' ? 'other' : 'unknown' } : {}),
    },
    ...(decoded.accessionNumber ? { accession: decoded.accessionNumber } : {}),
    samplingHz: group.samplingFrequency,
    sampleCount: group.sampleCount,
    leads,
    read,
    statements,
  };
}
