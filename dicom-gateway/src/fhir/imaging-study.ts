import type { PersonName } from '../charset/index.js';
import { isDicomDate, parseDicomTime } from '../dicom/datetime.js';
import { firstPersonName, firstString, type DicomJson } from '../dicom/json.js';
import type { FhirJson } from '../ports.js';

/** Identifier systems the gateway writes (the resident ID is GB 11643's national OID). */
export const SYSTEMS = {
  dicomUid: 'urn:dicom:uid',
  residentId: 'urn:oid:2.16.156.10011.1.3',
  /** Patient ID with no Issuer of Patient ID: local to the sending department. */
  localPatientId: 'urn:qiao:dicom:patient-id',
  endpoint: 'urn:qiao:dicomweb-endpoint',
  dcm: 'http://dicom.nema.org/resources/ontology/DCM',
  v2_0203: 'http://terminology.hl7.org/CodeSystem/v2-0203',
} as const;

const RESIDENT_ID_OID = '2.16.156.10011.1.3';

/** What ImagingStudy is built from: the study row and its series and instances, read from the index. */
export interface StudySnapshot {
  studyUid: string;
  attrs: DicomJson;
  studyDate: string | null;
  studyTime: string | null;
  accession: string | null;
  modalities: string[];
  series: { uid: string; attrs: DicomJson; modality: string | null; number: number | null; instances: { uid: string; sopClass: string; number: number | null }[] }[];
}

export interface PatientKey {
  system: string;
  value: string;
}

/** Patient identifiers to match on, most specific first: the resident ID, then Patient ID + issuer. */
export function patientKeys(attrs: DicomJson): PatientKey[] {
  const keys: PatientKey[] = [];
  const id = firstString(attrs, '00100020');
  const issuer = firstString(attrs, '00100021');
  const others = (attrs['00101002']?.Value ?? []) as DicomJson[];
  for (const item of others) {
    const otherId = firstString(item, '00100020');
    if (otherId && firstString(item, '00100021') === RESIDENT_ID_OID) keys.push({ system: SYSTEMS.residentId, value: otherId });
  }
  if (id) keys.push({ system: issuerSystem(issuer), value: id });
  return keys;
}

/** An OID issuer names its own namespace; any other issuer text becomes a Qiao URN; none, the local one. */
export function issuerSystem(issuer: string | undefined): string {
  if (!issuer) return SYSTEMS.localPatientId;
  if (/^[0-2](\.(0|[1-9]\d*))+$/.test(issuer)) return `urn:oid:${issuer}`;
  return `urn:qiao:dicom:issuer:${encodeURIComponent(issuer)}`;
}

export function patientResource(attrs: DicomJson, keys: PatientKey[]): FhirJson {
  const names = humanNames(firstPersonName(attrs, '00100010'));
  const birth = firstString(attrs, '00100030');
  const sex = firstString(attrs, '00100040');
  return {
    resourceType: 'Patient',
    ...(keys.length ? { identifier: keys.map((k) => ({ system: k.system, value: k.value })) } : {}),
    ...(names.length ? { name: names } : {}),
    ...(birth && /^\d{8}$/.test(birth) ? { birthDate: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}` } : {}),
    ...(sex ? { gender: sex === 'M' ? 'male' : sex === 'F' ? 'female' : sex === 'O' ? 'other' : 'unknown' } : {}),
  };
}

/** Ideographic (Chinese characters) first when present, as a Chinese record shows it; then the alphabetic form. */
function humanNames(pn: PersonName | undefined): FhirJson[] {
  if (!pn) return [];
  const out: Record<string, unknown>[] = [];
  for (const group of [pn.Ideographic, pn.Alphabetic]) {
    if (!group) continue;
    const [family, given, middle] = group.split('^');
    const givens = [given, middle].filter((g): g is string => !!g);
    if (!family && givens.length === 0) continue;
    // Han names are written family first without spaces, in whichever group a device put them.
    const han = group === pn.Ideographic || /\p{Script=Han}/u.test(group);
    out.push({
      use: 'official',
      text: han ? `${family ?? ''}${givens.join('')}` : [givens.join(' '), family].filter(Boolean).join(' '),
      ...(family ? { family } : {}),
      ...(givens.length ? { given: givens } : {}),
    });
  }
  return out as FhirJson[];
}

/** DA + TM (+ the instance's or the site's UTC offset) → FHIR dateTime. */
export function startedOf(date: string | null, time: string | null, attrs: DicomJson, siteOffset: string): string | undefined {
  if (!date || !isDicomDate(date)) return undefined;
  const day = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
  if (!time) return day;
  // A time that names no time of day makes the whole instant unknown, as a bad date does.
  const t = parseDicomTime(time);
  if (!t) return undefined;
  const offsetAttr = firstString(attrs, '00080201');
  const offset = offsetAttr && /^[+-]\d{4}$/.test(offsetAttr) ? `${offsetAttr.slice(0, 3)}:${offsetAttr.slice(3)}` : siteOffset;
  return `${day}T${t.hour}:${t.minute ?? '00'}:${t.second ?? '00'}${offset}`;
}

export function imagingStudy(snapshot: StudySnapshot, refs: { patient: string; endpoint: string; serviceRequest?: string }, siteOffset: string): FhirJson {
  const { attrs } = snapshot;
  const started = startedOf(snapshot.studyDate, snapshot.studyTime, attrs, siteOffset);
  const description = firstString(attrs, '00081030');
  const instanceCount = snapshot.series.reduce((n, s) => n + s.instances.length, 0);
  return {
    resourceType: 'ImagingStudy',
    identifier: [
      { system: SYSTEMS.dicomUid, value: `urn:oid:${snapshot.studyUid}` },
      ...(snapshot.accession ? [{ type: { coding: [{ system: SYSTEMS.v2_0203, code: 'ACSN' }] }, value: snapshot.accession }] : []),
    ],
    status: 'available',
    ...(snapshot.modalities.length ? { modality: snapshot.modalities.map((code) => ({ system: SYSTEMS.dcm, code })) } : {}),
    subject: { reference: refs.patient },
    ...(started ? { started } : {}),
    ...(refs.serviceRequest ? { basedOn: [{ reference: refs.serviceRequest }] } : {}),
    endpoint: [{ reference: refs.endpoint }],
    numberOfSeries: snapshot.series.length,
    numberOfInstances: instanceCount,
    ...(description ? { description } : {}),
    series: snapshot.series.map((s) => {
      const seriesDescription = firstString(s.attrs, '0008103E');
      return {
        uid: s.uid,
        ...(s.number !== null ? { number: s.number } : {}),
        modality: { system: SYSTEMS.dcm, code: s.modality ?? 'OT' },
        ...(seriesDescription ? { description: seriesDescription } : {}),
        numberOfInstances: s.instances.length,
        instance: s.instances.map((i) => ({
          uid: i.uid,
          sopClass: { system: 'urn:ietf:rfc:3986', code: `urn:oid:${i.sopClass}` },
          ...(i.number !== null ? { number: i.number } : {}),
        })),
      };
    }),
  };
}

export function endpointResource(address: string): FhirJson {
  return {
    resourceType: 'Endpoint',
    identifier: [{ system: SYSTEMS.endpoint, value: address }],
    status: 'active',
    name: 'Qiao DICOMweb',
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'dicom-wado-rs' },
    payloadType: [{ text: 'DICOM' }],
    payloadMimeType: ['application/dicom'],
    address,
  };
}
