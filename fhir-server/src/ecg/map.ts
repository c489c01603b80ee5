import { createHash } from 'node:crypto';
import { escapeToken } from '@qiao/cda-adapters';
import { mdcPotentialCode } from '@qiao/dicom-gateway';
import { sm3 } from '../crypto/sm3.js';
import { uploadTask } from '../workflows/ecg/task.js';
import { ECG_REPORT_CATEGORY, EKG_STUDY, EXT_MD5, EXT_SM3, MDC, OBSERVATION_CATEGORY, UCUM } from '../workflows/ecg/vocabulary.js';
import { measurements, type MeasureSource } from './measure.js';
import type { EcgRecording, Identifier } from './model.js';

type Json = Record<string, unknown>;

export const ECG_MEDIA = { dicom: 'application/dicom', aecg: 'application/xml' } as const;

const METHOD: Record<MeasureSource, string> = {
  read: '读自心电文件 | read from the ECG file',
  'from-rr': '由文件中的 RR 间期计算（60000/RR） | computed from the file\'s RR interval (60000/RR)',
  'r-peaks': '由 II 导联 R 波检测计算 | computed by R-peak detection on lead II',
  bazett: 'Bazett 公式校正（QT/√RR） | corrected by Bazett\'s formula (QT/√RR)',
};

export interface Digests {
  md5: string;
  sm3: string;
  sha1Base64: string;
}

export function digestsOf(bytes: Uint8Array): Digests {
  return {
    md5: createHash('md5').update(bytes).digest('hex'),
    sm3: sm3(bytes).toString('hex'),
    sha1Base64: createHash('sha1').update(bytes).digest('base64'),
  };
}

/** A stable resource id from the recording's identity: a re-import addresses the same Binary. */
export function binaryId(uid: Identifier): string {
  return `ecg-${createHash('sha256').update(`${uid.system}|${uid.value}`).digest('hex').slice(0, 40)}`;
}

export interface MapContext {
  /** `Patient/…` when matched, else a urn:uuid create entry is added. */
  patient?: string;
  /** `ServiceRequest/…` the ECG was ordered by, when found. */
  order?: string;
  requester?: string;
  owner?: string;
  actor?: string;
  urgent?: boolean;
  now: string;
  /** The original file is stored already (a re-import): no Binary entry. */
  binaryStored: boolean;
}

const ifNoneExist = (type: string, id: Identifier) => ({ method: 'POST', url: type, ifNoneExist: `identifier=${encodeURIComponent(escapeToken(id.system))}|${encodeURIComponent(escapeToken(id.value))}` });

/**
 * The transaction that stores one ECG: the original file (Binary, addressed by a stable id) and
 * its DocumentReference with MD5 and SM3, the waveform Observation (one component per lead), the
 * measurement Observations, the DiagnosticReport awaiting the reader, the order and the reading
 * Task. Every create is conditional on the recording's identifier, so importing the same file again
 * answers with what is stored.
 */
export function ecgTransaction(rec: EcgRecording, bytes: Uint8Array, digests: Digests, c: MapContext): Json {
  const uid = rec.uid;
  const sub = (suffix: string): Identifier => ({ system: uid.system, value: `${uid.value}#${suffix}` });
  const url = (name: string) => `urn:uuid:${uuidFrom(`${uid.system}|${uid.value}|${name}`)}`;
  const patient = c.patient ?? url('patient');
  const order = c.order ?? url('order');
  const media = ECG_MEDIA[rec.format];
  const entries: Json[] = [];
  const effective = rec.effective ? { effectiveDateTime: rec.effective } : {};
  if (!c.patient) {
    const name = rec.patient.family || rec.patient.given ? { family: rec.patient.family, given: rec.patient.given ? [rec.patient.given] : undefined, text: rec.patient.text } : rec.patient.text ? { text: rec.patient.text } : undefined;
    const resource = {
      resourceType: 'Patient',
      ...(rec.patient.identifiers.length ? { identifier: rec.patient.identifiers } : {}),
      ...(name ? { name: [JSON.parse(JSON.stringify(name)) as Json] } : {}),
      ...(rec.patient.gender ? { gender: rec.patient.gender } : {}),
      ...(rec.patient.birthDate ? { birthDate: rec.patient.birthDate } : {}),
    };
    const first = rec.patient.identifiers[0];
    entries.push({ fullUrl: patient, resource, request: first ? ifNoneExist('Patient', first) : { method: 'POST', url: 'Patient' } });
  }
  if (!c.order) {
    entries.push({
      fullUrl: order,
      resource: {
        resourceType: 'ServiceRequest',
        identifier: [uid],
        status: 'active',
        intent: 'order',
        priority: c.urgent ? 'stat' : 'routine',
        category: [{ coding: [ECG_REPORT_CATEGORY] }],
        code: { coding: [EKG_STUDY], text: '静息 12 导联心电图 | Resting 12-lead ECG' },
        subject: { reference: patient },
        authoredOn: c.now,
        ...(c.requester ? { requester: { reference: c.requester } } : {}),
        ...(c.owner ? { performer: [{ reference: c.owner }] } : {}),
      },
      request: ifNoneExist('ServiceRequest', uid),
    });
  }
  const binary = `Binary/${binaryId(uid)}`;
  if (!c.binaryStored) {
    entries.push({
      fullUrl: binary,
      resource: { resourceType: 'Binary', id: binaryId(uid), contentType: media, securityContext: { reference: patient }, data: Buffer.from(bytes).toString('base64') },
      request: { method: 'PUT', url: binary },
    });
  }
  const document = url('document');
  entries.push({
    fullUrl: document,
    resource: {
      resourceType: 'DocumentReference',
      identifier: [uid],
      status: 'current',
      type: { coding: [EKG_STUDY] },
      subject: { reference: patient },
      date: c.now,
      description: rec.format === 'dicom' ? 'DICOM 心电波形原始文件 | original DICOM ECG waveform' : 'HL7 aECG 原始文件 | original HL7 aECG file',
      content: [
        {
          attachment: {
            extension: [
              { url: EXT_MD5, valueString: digests.md5 },
              { url: EXT_SM3, valueString: digests.sm3 },
            ],
            contentType: media,
            url: binary,
            size: bytes.length,
            hash: digests.sha1Base64,
          },
        },
      ],
    },
    request: ifNoneExist('DocumentReference', uid),
  });
  const waveform = url('waveform');
  const period = Math.round((1000 / rec.samplingHz) * 1e6) / 1e6;
  entries.push({
    fullUrl: waveform,
    resource: {
      resourceType: 'Observation',
      identifier: [uid],
      status: 'final',
      category: [{ coding: [OBSERVATION_CATEGORY] }],
      code: { coding: [EKG_STUDY, { system: MDC, code: '131328', display: 'MDC_ECG_ELEC_POTL' }], text: '12 导联心电图波形 | 12-lead ECG waveform' },
      subject: { reference: patient },
      ...effective,
      basedOn: [{ reference: order }],
      derivedFrom: [{ reference: document }],
      ...(rec.statements.length ? { note: [{ text: `设备判读 | device statements: ${rec.statements.join('; ')}` }] } : {}),
      component: rec.leads.map((l) => ({
        code: { coding: [{ system: MDC, ...mdcPotentialCode(l.lead) }], text: l.lead.name },
        valueSampledData: {
          origin: { value: l.origin, unit: 'uV', system: UCUM, code: 'uV' },
          period,
          factor: l.factor,
          dimensions: 1,
          data: Array.prototype.join.call(l.samples, ' '),
        },
      })),
    },
    request: ifNoneExist('Observation', uid),
  });
  const results = measurements(rec).map((m) => {
    const fullUrl = url(m.definition.key);
    entries.push({
      fullUrl,
      resource: {
        resourceType: 'Observation',
        identifier: [sub(m.definition.key)],
        status: 'final',
        category: [{ coding: [OBSERVATION_CATEGORY] }],
        code: { coding: [{ system: 'http://loinc.org', code: m.definition.loinc, display: m.definition.display }, { system: MDC, code: m.definition.mdc }], text: `${m.definition.zh} | ${m.definition.display}` },
        subject: { reference: patient },
        ...effective,
        valueQuantity: { value: m.value, unit: m.definition.unit, system: UCUM, code: m.definition.unit },
        method: { text: METHOD[m.source] },
        derivedFrom: [{ reference: waveform }],
      },
      request: ifNoneExist('Observation', sub(m.definition.key)),
    });
    return fullUrl;
  });
  const report = url('report');
  entries.push({
    fullUrl: report,
    resource: {
      resourceType: 'DiagnosticReport',
      identifier: [uid],
      basedOn: [{ reference: order }],
      status: 'registered',
      category: [{ coding: [ECG_REPORT_CATEGORY] }],
      code: { coding: [EKG_STUDY], text: '心电图报告 | ECG report' },
      subject: { reference: patient },
      ...effective,
      result: [{ reference: waveform }, ...results.map((r) => ({ reference: r }))],
    },
    request: ifNoneExist('DiagnosticReport', uid),
  });
  entries.push({
    fullUrl: url('task'),
    resource: uploadTask({ identifier: uid, patient, report, order, time: c.now, ...(c.requester ? { requester: c.requester } : {}), ...(c.owner ? { owner: c.owner } : {}), ...(c.actor ? { actor: c.actor } : {}), ...(c.urgent ? { urgent: true } : {}) }),
    request: ifNoneExist('Task', uid),
  });
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** A name-based UUID (version 8 layout from SHA-256): the same recording, the same fullUrls. */
function uuidFrom(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16] as string, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
