import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAecg } from '../../src/ecg/aecg/parse.js';
import { parseDicomEcg } from '../../src/ecg/dicom.js';
import { detectRPeaks, heartRate, measurements } from '../../src/ecg/measure.js';
import { syntheticAecg, syntheticDicomEcg, syntheticEcg } from '../../src/ecg/synthetic.js';
import { FhirError } from '../../src/errors/fhir-error.js';

const DATA = new URL('./data/', import.meta.url);
const FDA = readFileSync(new URL('FDA_ectd_example_subject1_0.xml', DATA));
const MINIMUM = readFileSync(new URL('FDA_minimum_aecg.xml', DATA));
const DICOM = readFileSync(new URL('../../../dicom-gateway/test/data/anonymous_ecg_12lead_waveform.dcm', import.meta.url));

/** Facts of the XML read with regular expressions, not with the parser under test. */
function xmlFacts(xml: string) {
  const rhythm = xml.slice(0, xml.indexOf('<derivation>'));
  const leads = [...rhythm.matchAll(/<code code="(MDC_ECG_LEAD_\w+)"[^>]*\/>\s*(?:<!--[^>]*-->\s*)?<value xsi:type="SLIST_PQ">[\s\S]*?<digits>([^<]*)<\/digits>/g)].map((m) => ({ code: m[1], count: (m[2] as string).trim().split(/\s+/).length, first: Number((m[2] as string).trim().split(/\s+/)[0]) }));
  const increment = Number(/<increment value="([^"]+)" unit="s"\/>/.exec(rhythm)?.[1]);
  return { leads, increment };
}

function refusal(run: () => unknown): { status: number; text: string; expression?: string } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof FhirError)) throw error;
    const issue = error.issues[0];
    return { status: error.status, text: `${String(issue?.params?.zh)} | ${String(issue?.params?.en)}`, ...(issue?.expression ? { expression: issue.expression } : {}) };
  }
  throw new Error('accepted');
}

describe('HL7 aECG', () => {
  it('reads the FDA example: every rhythm lead with its sample count, scale and first sample as the XML has them', () => {
    const facts = xmlFacts(FDA.toString('utf8'));
    const rec = parseAecg(FDA);
    expect(rec.leads).toHaveLength(facts.leads.length);
    expect(rec.leads.map((l) => `MDC_ECG_LEAD_${l.lead.name.toUpperCase()}`)).toEqual(facts.leads.map((l) => l.code));
    expect(rec.leads.map((l) => l.samples.length)).toEqual(facts.leads.map((l) => l.count));
    expect(rec.leads.map((l) => l.samples[0])).toEqual(facts.leads.map((l) => l.first));
    expect(rec.samplingHz).toBeCloseTo(1 / facts.increment, 6);
    expect(rec.leads[0]).toMatchObject({ origin: 0, factor: 2.5 });
    expect(rec.uid).toEqual({ system: 'urn:uuid:61d1a24f-b47e-41aa-ae95-f8ac302f4eeb', value: 'subject1_0' });
    expect(rec.patient.identifiers).toEqual([{ system: 'urn:oid:2.16.840.1.113883.3.400', value: 'subject1' }]);
    expect(rec.effective).toBe('2002-11-22T09:10:00+08:00');
  });

  it('takes the measurements from the annotations (median over beats) and computes only what is missing', () => {
    const rec = parseAecg(FDA);
    // The device's annotation set: PR 148, QRS 120, QT 420, QTc 443 ms, QRS axis -61°, P 44°, T 86° on every beat.
    expect(rec.read).toMatchObject({ pr: 148, qrs: 120, qt: 420, qtc: 443, qrsAxis: -61, pAxis: 44, tAxis: 86 });
    expect(rec.statements).toContain('Sinus Rhythm');
    const m = measurements(rec);
    const hr = m.find((x) => x.definition.key === 'hr');
    // No HR annotation: detected. The file marks 12 beats (MDC_ECG_BEAT) in its 10 s strip.
    const beats = (FDA.toString('utf8').slice(0, FDA.indexOf('<derivation>')).match(/code="MDC_ECG_BEAT_NORMAL"/g) ?? []).length;
    expect(hr?.source).toBe('r-peaks');
    expect(detectRPeaks(rec.leads.find((l) => l.lead.name === 'II')!, rec.samplingHz).length).toBe(beats);
    expect(m.filter((x) => x.source === 'read').map((x) => x.definition.key).sort()).toEqual(['pAxis', 'pr', 'qrs', 'qrsAxis', 'qt', 'qtc', 'tAxis']);
  });

  it('reads the minimal example (one lead, 13 samples) and reports no heart rate from 26 ms of signal', () => {
    const rec = parseAecg(MINIMUM);
    expect(rec.leads.map((l) => [l.lead.name, l.samples.length])).toEqual([['II', 13]]);
    expect(measurements(rec)).toEqual([]);
  });

  it('refuses malformed XML, a DOCTYPE, a document without leads and non-integer digits, saying where', () => {
    expect(refusal(() => parseAecg(Buffer.from('<AnnotatedECG><id root="1.2"/>'))).status).toBe(400);
    const doctype = refusal(() => parseAecg(Buffer.from('<!DOCTYPE x [<!ENTITY e "x">]><AnnotatedECG/>')));
    expect(doctype.status).toBe(400);
    expect(doctype.text).toMatch(/DOCTYPE/);
    const noLeads = MINIMUM.toString('utf8').replace(/<component>\s*<sequence classCode="OBS">[\s\S]*?<\/sequence>\s*<\/component>/, '');
    expect(refusal(() => parseAecg(Buffer.from(noLeads)))).toMatchObject({ status: 422, expression: '/AnnotatedECG/component/series/component/sequenceSet' });
    const fractional = MINIMUM.toString('utf8').replace('-2 -2 -2', '-2 -2.5 -2');
    expect(refusal(() => parseAecg(Buffer.from(fractional)))).toMatchObject({ status: 400 });
    expect(refusal(() => parseAecg(Buffer.from(MINIMUM.toString('utf8').replace('-2 -2 -2', '-2 0x10 -2'))))).toMatchObject({ status: 400, expression: expect.stringMatching(/digits$/) });
    expect(refusal(() => parseAecg(Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"/>'))).status).toBe(422);
  });
});

describe('DICOM ECG', () => {
  it('maps the rhythm group (12 leads × 10000 samples at 1000 Hz) and the annotations', () => {
    const rec = parseDicomEcg(DICOM);
    expect(rec.leads).toHaveLength(12);
    expect(rec.samplingHz).toBe(1000);
    expect(rec.leads.every((l) => l.samples.length === 10000)).toBe(true);
    expect(rec.leads[0]).toMatchObject({ origin: 0, factor: 1.25 });
    expect(rec.read).toMatchObject({ rr: 982, pr: 161, qrs: 75, qt: 368, qtc: 370, pAxis: 74, qrsAxis: 52, tAxis: 57 });
    expect(rec.statements).toEqual(['RITMO SINUSALE', 'ECG NORMALE']);
    expect(rec.patient.identifiers).toEqual([{ system: 'urn:qiao:dicom:patient-id', value: '642341' }]);
    const hr = measurements(rec).find((m) => m.definition.key === 'hr');
    expect(hr).toMatchObject({ source: 'from-rr', value: Math.round((60000 / 982) * 10) / 10 });
    // The detector agrees with the device's RR within 2 bpm.
    expect(Math.abs(heartRate(rec.leads[1]!, rec.samplingHz)! - 60000 / 982)).toBeLessThan(2);
  });
});

describe('synthetic ECGs (known rate)', () => {
  it.each([45, 60, 75, 100, 150])('detects %i bpm within ±2 bpm from aECG and from DICOM', (bpm) => {
    const fromXml = measurements(parseAecg(Buffer.from(syntheticAecg({ bpm, seed: `hr-${bpm}` })))).find((m) => m.definition.key === 'hr');
    expect(fromXml?.source).toBe('r-peaks');
    expect(Math.abs((fromXml?.value ?? 0) - bpm)).toBeLessThanOrEqual(2);
    const fromDicom = measurements(parseDicomEcg(syntheticDicomEcg({ bpm, seed: `hr-${bpm}` }))).find((m) => m.definition.key === 'hr');
    expect(Math.abs((fromDicom?.value ?? 0) - bpm)).toBeLessThanOrEqual(2);
  });

  it('writes DICOM that dcmtk reads as a 12-lead ECG of 12 channels × 5000 samples at 500 Hz', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qiao-ecg-'));
    try {
      const file = path.join(dir, 'ecg.dcm');
      writeFileSync(file, syntheticDicomEcg({ bpm: 60, seed: 'dcmtk' }));
      const dump = execFileSync('dcmdump', ['+P', '0008,0016', '+P', '003a,0005', '+P', '003a,0010', '+P', '003a,001a', '+P', '5400,1006', file], { encoding: 'utf8' });
      expect(dump).toMatch(/TwelveLeadECGWaveformStorage/);
      expect(dump).toMatch(/\(003a,0005\) US 12/);
      expect(dump).toMatch(/\(003a,0010\) UL 5000/);
      expect(dump).toMatch(/\(003a,001a\) DS \[500\]/);
      expect(dump).toMatch(/\(5400,1006\) CS \[SS\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says nothing about a flat line', () => {
    const flat = syntheticEcg({ bpm: 60, seed: 'flat' }).leads[1]!;
    expect(heartRate({ lead: { n: 2, name: 'II' }, origin: 0, factor: 2.5, samples: new Int16Array(flat.samples.length) }, 500)).toBeUndefined();
  });
});
