import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodeWaveform, ECG_LEADS, leadByDicomCode, leadByReferenceId, mdcLeadCode, rewritePart10, WaveformError } from '../../src/index.js';

const ECG = new URL('../data/anonymous_ecg_12lead_waveform.dcm', import.meta.url);
const bytes = readFileSync(ECG);

/** What dcmdump (dcmtk) reads in the file, independent of our parser. */
function dcmdump(...args: string[]): string {
  return execFileSync('dcmdump', [...args, ECG.pathname], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function refused(input: Uint8Array): WaveformError {
  try {
    decodeWaveform(input);
  } catch (error) {
    if (error instanceof WaveformError) return error;
    throw error;
  }
  throw new Error('decoded');
}

describe('DICOM ECG waveform decoding', () => {
  const decoded = decodeWaveform(bytes);

  it('reads every multiplex group as dcmdump lists it (channels, samples, frequency, label)', () => {
    const dump = dcmdump('+P', '003a,0005', '+P', '003a,0010', '+P', '003a,001a', '+P', '003a,0020');
    const values = (tag: string) => [...dump.matchAll(new RegExp(`\\(${tag}\\) \\w\\w (?:\\[([^\\]]*)\\]|(\\d+))`, 'g'))].map((m) => m[1] ?? m[2]);
    expect(decoded.groups.map((g) => g.channels.length)).toEqual(values('003a,0005').map(Number));
    expect(decoded.groups.map((g) => g.sampleCount)).toEqual(values('003a,0010').map(Number));
    expect(decoded.groups.map((g) => g.samplingFrequency)).toEqual(values('003a,001a').map(Number));
    expect(decoded.groups.map((g) => g.label)).toEqual(values('003a,0020'));
    expect(decoded.groups[0]?.channels.every((c) => c.samples.length === 10000)).toBe(true);
  });

  it('de-interleaves Waveform Data: the first frame of every group equals dcmdump\'s words, sign-extended', () => {
    const lines = dcmdump('+L', '+P', '5400,1010').split('\n').filter((l) => l.includes('(5400,1010)'));
    expect(lines).toHaveLength(decoded.groups.length);
    lines.forEach((line, g) => {
      const words = (/OW ([0-9a-f\\]+)/.exec(line)?.[1] ?? '').split('\\').map((h) => ((parseInt(h, 16) << 16) >> 16));
      const group = decoded.groups[g]!;
      const n = group.channels.length;
      // Second and last frames too: interleaving errors show up past the first frame.
      for (const s of [0, 1, group.sampleCount - 1]) {
        expect(group.channels.map((c) => c.samples[s])).toEqual(words.slice(s * n, s * n + n));
      }
    });
  });

  it('names the leads from the channel source codes (SCPECG) and keeps sensitivity, unit, baseline', () => {
    const dump = dcmdump('+P', '003a,0210');
    const sensitivity = Number(/\(003a,0210\) DS \[([^\]]+)\]/.exec(dump)?.[1]);
    const rhythm = decoded.groups[0]!;
    expect(rhythm.channels.map((c) => c.lead?.name)).toEqual(['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
    expect(rhythm.channels[0]).toMatchObject({ sensitivity, unit: 'uV', correction: 1, baseline: 0 });
    expect(rhythm.interpretation).toBe('SS');
  });

  it('reads the annotations: statements as text, measurements with their SCPECG concept and unit', () => {
    expect(decoded.annotations.filter((a) => a.text).map((a) => a.text)).toEqual(['RITMO SINUSALE', 'ECG NORMALE']);
    const qrs = decoded.annotations.find((a) => a.concept?.meaning === 'QRS Duration');
    expect(qrs).toMatchObject({ numeric: 75, unit: 'ms', concept: { code: '5.13.5-9', scheme: 'SCPECG' } });
  });

  it('reads the identifiers: patient, study, instance', () => {
    expect(decoded.patient.id).toBe('642341');
    expect(decoded.sopInstanceUID).toBe('1.3.6.1.4.1.20029.40.20130125105919.5407.1.1');
    expect(decoded.acquired).toBe('20130125105919');
  });

  it('reads the General ECG SOP class the same way', () => {
    const general = decodeWaveform(rewritePart10(bytes, { SOPClassUID: '1.2.840.10008.5.1.4.1.1.9.1.2' }));
    expect(general.sopClassUID).toBe('1.2.840.10008.5.1.4.1.1.9.1.2');
    expect(general.groups[0]?.channels[1]?.samples).toEqual(decoded.groups[0]?.channels[1]?.samples);
  });

  it('refuses another SOP class (415), a truncated file (400) and Waveform Data shorter than declared (400)', () => {
    const ct = readFileSync(new URL('../data/CT_small.dcm', import.meta.url));
    expect(refused(ct).issue).toMatchObject({ status: 415, id: 'ECG-DCM-002', expression: 'SOPClassUID' });
    expect(refused(bytes.subarray(0, 3000)).issue).toMatchObject({ status: 400, id: 'ECG-DCM-001' });
    // Number of Waveform Samples (003A,0010) UL 10000 → 10001: the data no longer holds what is declared.
    const longer = Buffer.from(bytes);
    const at = longer.indexOf(Buffer.from([0x3a, 0x00, 0x10, 0x00, 0x55, 0x4c, 0x04, 0x00, 0x10, 0x27, 0x00, 0x00]));
    expect(at).toBeGreaterThan(0);
    longer.writeUInt32LE(10001, at + 8);
    const issue = refused(longer).issue;
    expect(issue).toMatchObject({ status: 400, id: 'ECG-DCM-007', expression: 'WaveformSequence[0].WaveformData' });
    expect(issue.zh).toContain('截断');
  });
});

describe('MDC lead table', () => {
  it('maps SCPECG, DICOM MDC and aECG names to the same lead and MDC code', () => {
    expect(leadByDicomCode('SCPECG', '5.6.3-9-61')?.name).toBe('III');
    expect(leadByDicomCode('MDC', '2:61')?.name).toBe('III');
    expect(leadByReferenceId('MDC_ECG_LEAD_AVR')?.name).toBe('aVR');
    // MDC_ECG_LEAD_I = 131073, MDC_ECG_LEAD_III = 131133 (ISO/IEEE 11073-10101 lead partition).
    expect(mdcLeadCode(leadByReferenceId('MDC_ECG_LEAD_I')!).code).toBe('131073');
    expect(mdcLeadCode(leadByReferenceId('MDC_ECG_LEAD_III')!).code).toBe('131133');
    expect(new Set(ECG_LEADS.map((l) => l.n)).size).toBe(ECG_LEADS.length);
  });
});
