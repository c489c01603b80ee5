import { ECG_LEADS, uidFromName, writePart10 } from '@qiao/dicom-gateway';

/**
 * Synthetic 12-lead resting ECGs at a known heart rate, for tests and the benchmark: each beat
 * is a sum of Gaussian P, Q, R, S and T waves, scaled per lead (aVR inverted, V1 mostly
 * negative), over a slow baseline wander and deterministic noise. Written as HL7 aECG XML and
 * as DICOM 12-lead ECG (through dcmjs, an independent writer).
 */
export interface SyntheticEcgOptions {
  bpm: number;
  seconds?: number;
  samplingHz?: number;
  /** Distinguishes recordings (ids, UIDs, noise). */
  seed: string;
  patientId?: string;
  patientName?: string;
}

export interface SyntheticEcg {
  samplingHz: number;
  /** µV per sample unit. */
  scale: number;
  leads: { name: string; samples: Int16Array }[];
}

const WAVES = [
  { at: -0.2, amp: 150, width: 0.025 },
  { at: -0.03, amp: -100, width: 0.008 },
  { at: 0, amp: 1200, width: 0.01 },
  { at: 0.03, amp: -250, width: 0.008 },
  { at: 0.28, amp: 300, width: 0.05 },
];
const TWELVE = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
const GAIN: Record<string, number> = { I: 0.6, II: 1, III: 0.4, aVR: -0.8, aVL: 0.1, aVF: 0.7, V1: -0.5, V2: -0.2, V3: 0.5, V4: 1.1, V5: 1, V6: 0.8 };

function prng(seed: string): () => number {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^= h >>> 16) >>> 0) / 4294967296;
  };
}

export function syntheticEcg(o: SyntheticEcgOptions): SyntheticEcg {
  const samplingHz = o.samplingHz ?? 500;
  const n = Math.round((o.seconds ?? 10) * samplingHz);
  const rr = 60 / o.bpm;
  const scale = 2.5;
  const random = prng(o.seed);
  const first = 0.35; // the first R peak, so the first P wave is inside the strip
  const leads = TWELVE.map((name) => {
    const samples = new Int16Array(n);
    const gain = GAIN[name] as number;
    for (let i = 0; i < n; i++) {
      const t = i / samplingHz;
      const k = Math.round((t - first) / rr);
      let v = 0;
      for (const beat of [k - 1, k, k + 1]) {
        if (beat < 0) continue;
        const dt = t - (first + beat * rr);
        for (const w of WAVES) v += w.amp * Math.exp(-((dt - w.at) ** 2) / (2 * w.width ** 2));
      }
      const wander = 100 * Math.sin(2 * Math.PI * 0.3 * t);
      samples[i] = Math.round((gain * v + wander + (random() - 0.5) * 40) / scale);
    }
    return { name, samples };
  });
  return { samplingHz, scale, leads };
}

/** HL7 aECG XML of a synthetic ECG (a rhythm series; no annotations, so measurements are computed). */
export function syntheticAecg(o: SyntheticEcgOptions): string {
  const ecg = syntheticEcg(o);
  const uid = uidFromName(`aecg:${o.seed}`).slice(5);
  const sequences = ecg.leads
    .map(
      (l) => `
        <component><sequence>
          <code code="MDC_ECG_LEAD_${l.name.toUpperCase()}" codeSystem="2.16.840.1.113883.6.24"/>
          <value xsi:type="SLIST_PQ"><origin value="0" unit="uV"/><scale value="${ecg.scale}" unit="uV"/>
            <digits>${Array.from(l.samples).join(' ')}</digits></value>
        </sequence></component>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<AnnotatedECG xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <id root="2.25.${uid}"/>
  <code code="93000" codeSystem="2.16.840.1.113883.6.12"/>
  <effectiveTime><center value="20261206083000"/></effectiveTime>
  <componentOf><timepointEvent><componentOf><subjectAssignment><subject><trialSubject>
    <id root="2.16.156.10011.1.3" extension="${o.patientId ?? '110101199003071234'}"/>
    <subjectDemographicPerson><name>${o.patientName ?? '张三'}</name><administrativeGenderCode code="M" codeSystem="2.16.840.1.113883.5.1"/></subjectDemographicPerson>
  </trialSubject></subject></subjectAssignment></componentOf></timepointEvent></componentOf>
  <component><series>
    <code code="RHYTHM" codeSystem="2.16.840.1.113883.5.4"/>
    <component><sequenceSet>
      <component><sequence>
        <code code="TIME_ABSOLUTE" codeSystem="2.16.840.1.113883.5.4"/>
        <value xsi:type="GLIST_TS"><head value="20261206083000"/><increment value="${1 / ecg.samplingHz}" unit="s"/></value>
      </sequence></component>${sequences}
    </sequenceSet></component>
  </series></component>
</AnnotatedECG>
`;
}

const SCPECG_LEAD: Record<string, string> = Object.fromEntries(ECG_LEADS.map((l) => [l.name, `5.6.3-9-${l.n}`]));

/** A DICOM 12-lead ECG (explicit VR little endian) of a synthetic ECG. */
export function syntheticDicomEcg(o: SyntheticEcgOptions): Buffer {
  const ecg = syntheticEcg(o);
  const n = ecg.leads[0]?.samples.length ?? 0;
  const interleaved = new Int16Array(n * ecg.leads.length);
  ecg.leads.forEach((l, c) => {
    for (let s = 0; s < n; s++) interleaved[s * ecg.leads.length + c] = l.samples[s] as number;
  });
  const study = uidFromName(`ecg-study:${o.seed}`);
  return writePart10({
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.9.1.1',
    SOPInstanceUID: uidFromName(`ecg-instance:${o.seed}`),
    StudyInstanceUID: study,
    SeriesInstanceUID: uidFromName(`ecg-series:${o.seed}`),
    Modality: 'ECG',
    SpecificCharacterSet: 'ISO_IR 192',
    PatientID: o.patientId ?? '110101199003071234',
    IssuerOfPatientID: '2.16.156.10011.1.3',
    PatientName: o.patientName ?? '张^三',
    StudyDate: '20261206',
    StudyTime: '083000',
    AcquisitionDateTime: '20261206083000',
    InstanceNumber: '1',
    WaveformSequence: [
      {
        WaveformOriginality: 'ORIGINAL',
        NumberOfWaveformChannels: ecg.leads.length,
        NumberOfWaveformSamples: n,
        SamplingFrequency: String(ecg.samplingHz),
        MultiplexGroupLabel: 'RHYTHM',
        ChannelDefinitionSequence: ecg.leads.map((l) => ({
          ChannelSourceSequence: [{ CodeValue: SCPECG_LEAD[l.name], CodingSchemeDesignator: 'SCPECG', CodeMeaning: `Lead ${l.name}` }],
          ChannelSensitivity: String(ecg.scale),
          ChannelSensitivityUnitsSequence: [{ CodeValue: 'uV', CodingSchemeDesignator: 'UCUM', CodeMeaning: 'microvolt' }],
          ChannelSensitivityCorrectionFactor: '1',
          ChannelBaseline: '0',
          WaveformBitsStored: 16,
        })),
        WaveformBitsAllocated: 16,
        WaveformSampleInterpretation: 'SS',
        WaveformData: [interleaved.buffer],
        // dcmjs' dictionary has OB-or-OW for Waveform Data; 16-bit samples are OW.
        _vrMap: { WaveformData: 'OW' },
      },
    ],
  });
}
