import { firstString, type DicomJson } from '../dicom/json.js';
import type { FhirJson, FhirPort, LogPort, SqlQueryable } from '../ports.js';
import { endpointResource, imagingStudy, patientKeys, patientResource, SYSTEMS, type PatientKey, type StudySnapshot } from './imaging-study.js';

/** Stores into one study within this window make one ImagingStudy update (DIMSE sends a study instance by instance). */
const DEBOUNCE_MS = 300;

/**
 * Keeps each study's ImagingStudy in step with the index, through the host's FHIR interactions:
 * Patient matched (resident ID, then Patient ID + issuer) or created, the Endpoint created once,
 * the ServiceRequest with the study's accession number linked, all in one transaction Bundle.
 */
export class StudySync {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** One update at a time per study, so conditional writes never race each other. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly sql: SqlQueryable,
    private readonly fhir: FhirPort,
    private readonly defaultBase: () => string | undefined,
    private readonly log: LogPort | undefined,
    private readonly siteOffset = '+08:00',
  ) {}

  schedule(studyUid: string): void {
    clearTimeout(this.pending.get(studyUid));
    const timer = setTimeout(() => {
      this.pending.delete(studyUid);
      this.syncNow(studyUid).catch((error) => this.log?.log('error', 'ImagingStudy sync failed', { study: studyUid, error: String(error) }));
    }, DEBOUNCE_MS);
    timer.unref();
    this.pending.set(studyUid, timer);
  }

  syncNow(studyUid: string, dicomwebBase?: string): Promise<void> {
    const previous = this.running.get(studyUid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.update(studyUid, dicomwebBase));
    // The caller gets `next` (and its failure); the chain keeps a settled copy so nothing goes unhandled.
    const tracked: Promise<void> = next
      .catch(() => undefined)
      .finally(() => {
        if (this.running.get(studyUid) === tracked) this.running.delete(studyUid);
      });
    this.running.set(studyUid, tracked);
    return next;
  }

  async flush(): Promise<void> {
    const due = [...this.pending.keys()];
    for (const uid of due) clearTimeout(this.pending.get(uid));
    this.pending.clear();
    await Promise.allSettled([...due.map((uid) => this.syncNow(uid)), ...this.running.values()]);
  }

  private async update(studyUid: string, dicomwebBase: string | undefined): Promise<void> {
    const snapshot = await this.snapshot(studyUid);
    if (!snapshot) return;
    const base = dicomwebBase ?? this.defaultBase() ?? 'http://localhost:8080/dicomweb';
    const keys = patientKeys(snapshot.attrs);
    const entries: Record<string, unknown>[] = [];
    let patientRef: string | undefined;
    for (const key of keys) {
      const [match] = await this.fhir.search('Patient', [['identifier', `${key.system}|${key.value}`]]);
      if (match?.id) {
        patientRef = `Patient/${match.id}`;
        const update = await this.withStudyKeys(match, keys);
        if (update) entries.push(update);
        break;
      }
    }
    if (!patientRef) {
      // A study without any patient identifier keeps the Patient it was given the first time.
      const [existing] = await this.fhir.search('ImagingStudy', [['identifier', `${SYSTEMS.dicomUid}|urn:oid:${studyUid}`]]);
      const subject = (existing?.subject as { reference?: string } | undefined)?.reference;
      if (keys.length === 0 && subject) patientRef = subject;
    }
    if (!patientRef) {
      patientRef = 'urn:uuid:7a1c9e52-0000-4000-8000-000000000001';
      const first = keys[0];
      entries.push({
        fullUrl: patientRef,
        resource: patientResource(snapshot.attrs, keys),
        request: { method: 'POST', url: 'Patient', ...(first ? { ifNoneExist: `identifier=${first.system}|${first.value}` } : {}) },
      });
    }
    const endpointRef = 'urn:uuid:7a1c9e52-0000-4000-8000-000000000002';
    entries.push({
      fullUrl: endpointRef,
      resource: endpointResource(base),
      request: { method: 'POST', url: 'Endpoint', ifNoneExist: `identifier=${SYSTEMS.endpoint}|${base}` },
    });
    let serviceRequest: string | undefined;
    if (snapshot.accession) {
      const [order] = await this.fhir.search('ServiceRequest', [['identifier', snapshot.accession]]);
      if (order?.id) serviceRequest = `ServiceRequest/${order.id}`;
    }
    const study = imagingStudy(snapshot, { patient: patientRef, endpoint: endpointRef, ...(serviceRequest ? { serviceRequest } : {}) }, this.siteOffset);
    entries.push({
      fullUrl: 'urn:uuid:7a1c9e52-0000-4000-8000-000000000003',
      resource: study,
      request: { method: 'PUT', url: `ImagingStudy?identifier=${SYSTEMS.dicomUid}|urn:oid:${studyUid}` },
    });
    await this.fhir.transaction({ resourceType: 'Bundle', type: 'transaction', entry: entries });
  }

  /**
   * The entry that adds to a matched Patient the study's identifiers it lacks (a Patient found by
   * resident ID learns the department's Patient ID + issuer), so that a later study carrying only
   * one of them finds the same Patient. An identifier another Patient already holds is not copied:
   * two Patients are not merged here.
   */
  private async withStudyKeys(patient: FhirJson, keys: PatientKey[]): Promise<Record<string, unknown> | undefined> {
    const identifiers = (patient.identifier ?? []) as { system?: string; value?: string }[];
    const added: PatientKey[] = [];
    for (const key of keys) {
      if (identifiers.some((i) => i.system === key.system && i.value === key.value)) continue;
      if ((await this.fhir.search('Patient', [['identifier', `${key.system}|${key.value}`]])).length === 0) added.push(key);
    }
    if (added.length === 0) return undefined;
    const version = (patient.meta as { versionId?: string } | undefined)?.versionId;
    return {
      resource: { ...patient, identifier: [...identifiers, ...added.map((k) => ({ system: k.system, value: k.value }))] },
      // Only over the version read: a change made meanwhile fails the transaction, and the next sync tries again.
      request: { method: 'PUT', url: `Patient/${patient.id as string}`, ...(version ? { ifMatch: `W/"${version}"` } : {}) },
    };
  }

  private async snapshot(studyUid: string): Promise<StudySnapshot | undefined> {
    const [study] = await this.sql.query<{ attrs: string; accession: string | null; modalities: string[] }>(
      'SELECT attrs, accession, modalities FROM dicom_study WHERE study_uid = $1',
      [studyUid],
    );
    if (!study) return undefined;
    const series = await this.sql.query<{ series_uid: string; attrs: string; modality: string | null; series_number: number | null }>(
      'SELECT series_uid, attrs, modality, series_number FROM dicom_series WHERE study_uid = $1 ORDER BY series_number NULLS LAST, series_uid',
      [studyUid],
    );
    const instances = await this.sql.query<{ series_uid: string; sop_instance_uid: string; sop_class_uid: string; instance_number: number | null }>(
      'SELECT series_uid, sop_instance_uid, sop_class_uid, instance_number FROM dicom_instance WHERE study_uid = $1 ORDER BY instance_number NULLS LAST, sop_instance_uid',
      [studyUid],
    );
    const attrs = JSON.parse(study.attrs) as DicomJson;
    // As the file wrote them: the index's time column holds only times it can compare.
    return {
      studyUid,
      attrs,
      studyDate: firstString(attrs, '00080020') ?? null,
      studyTime: firstString(attrs, '00080030') ?? null,
      accession: study.accession,
      modalities: study.modalities,
      series: series.map((s) => ({
        uid: s.series_uid,
        attrs: JSON.parse(s.attrs) as DicomJson,
        modality: s.modality,
        number: s.series_number,
        instances: instances.filter((i) => i.series_uid === s.series_uid).map((i) => ({ uid: i.sop_instance_uid, sopClass: i.sop_class_uid, number: i.instance_number })),
      })),
    };
  }
}
