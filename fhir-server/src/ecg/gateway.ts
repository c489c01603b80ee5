import { ECG_SOP_CLASSES, type DicomStore } from '@qiao/dicom-gateway';
import { SYSTEM_PRINCIPAL } from '../auth/principal.js';
import type { Logger } from '../http/logger.js';
import type { ChangeListener } from '../repository/changes.js';
import { handle } from '../router/router.js';
import type { Context, FhirRequest } from '../router/types.js';
import { importEcg } from './import.js';

type Json = Record<string, unknown>;

const CLASS_CODES = Object.keys(ECG_SOP_CLASSES).map((uid) => `urn:oid:${uid}`);

/**
 * ECG waveforms that arrive through the DICOM gateway (STOW-RS, C-STORE) are imported like a
 * `$ecg-import`: when an ImagingStudy is written that lists an ECG waveform instance, the file is
 * read from the store and imported, one at a time in the background. After the study's sync, so
 * the Patient it created is the one matched; skipped when the instance's DocumentReference exists
 * (a re-sent instance, a later sync of the same study), so the same SOP Instance UID never makes
 * a second set of resources.
 */
export function ecgWaveformImport(ctx: Context, store: DicomStore, logger: Logger): ChangeListener {
  let chain: Promise<void> = Promise.resolve();
  const queued = new Set<string>();
  const outer = (): FhirRequest => ({ method: 'POST', path: '$ecg-import', query: [], prefer: {}, baseUrl: `${ctx.config.baseUrl ?? `http://localhost:${ctx.config.port}`}/fhir`, principal: SYSTEM_PRINCIPAL });
  const importOne = async (study: string, sop: string): Promise<void> => {
    const existing = await handle(ctx, { ...outer(), method: 'GET', path: 'DocumentReference', query: [['identifier', `urn:dicom:uid|urn:oid:${sop}`], ['_summary', 'count']] });
    if (((existing.body as { total?: number } | undefined)?.total ?? 0) > 0) return;
    const [record] = await store.instances({ study, sop });
    if (!record) return;
    const bytes = await store.blobs.read(record.storageKey, 0, record.size);
    const res = await importEcg(ctx, ctx.db, outer(), bytes, 'dicom');
    logger.log('info', 'ECG waveform imported from the DICOM gateway', { study, sop, status: res.status });
  };
  return (change) => {
    if (change.resourceType !== 'ImagingStudy' || !change.json || !CLASS_CODES.some((c) => change.json?.includes(c))) return;
    const study = JSON.parse(change.json) as Json;
    const studyUid = ((study.identifier as { system?: string; value?: string }[] | undefined) ?? []).find((i) => i.system === 'urn:dicom:uid')?.value?.replace(/^urn:oid:/, '');
    if (!studyUid) return;
    for (const series of (study.series as Json[] | undefined) ?? []) {
      for (const instance of (series.instance as Json[] | undefined) ?? []) {
        const sop = instance.uid as string;
        if (!CLASS_CODES.includes(((instance.sopClass as Json | undefined)?.code as string) ?? '') || queued.has(sop)) continue;
        queued.add(sop);
        chain = chain
          .then(() => importOne(studyUid, sop))
          .catch((error: unknown) => logger.log('error', 'ECG waveform import from the DICOM gateway failed', { study: studyUid, sop, error: String((error as Error)?.message ?? error) }))
          .finally(() => queued.delete(sop));
      }
    }
  };
}
