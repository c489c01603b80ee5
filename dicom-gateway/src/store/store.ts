import { createHash, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DicomParseError, HEAD_BYTES, parseInstanceFile, type FrameIndex, type ParsedInstance, type PositionalReader } from '../dicom/parse.js';
import { dataSetStart } from '../dicom/part10-meta.js';
import { firstNumber, firstPersonName, firstString, type BulkRange, type DicomJson } from '../dicom/json.js';
import { isPathSafeUid } from '../dicom/uid.js';
import { normalizedTime } from '../dicom/datetime.js';
import type { Bilingual, FhirPort, LogPort, SqlPort } from '../ports.js';
import { FileBlobStore, type BlobStore } from './blob.js';
import { TextCache } from './text-cache.js';
import { INSTANCE_TAGS, nameKeys, PATIENT_TAGS, pick, SERIES_TAGS, STUDY_TAGS } from './levels.js';
import { findInstances, findSeries, findStudies, type QidoQuery, type QueryOptions } from './query.js';
import { StudySync } from '../fhir/sync.js';
import { IndexJournal, IndexQueue, type QueuedInstance } from './index-behind.js';
import { KnownUids } from './known-uids.js';
import { Incoming, TooLarge, type Received } from './incoming.js';

export interface DicomStoreOptions {
  sql: SqlPort;
  /** Files go under `<dataDir>/dicom` unless `blobs` is given. */
  dataDir: string;
  blobs?: BlobStore;
  /** Keeps ImagingStudy in step; without it nothing is written to FHIR. */
  fhir?: FhirPort;
  /** Public DICOMweb base (`https://host/dicomweb`) for the ImagingStudy Endpoint when no request gives one. */
  dicomwebBase?: () => string | undefined;
  log?: LogPort;
  /** Largest instance accepted, in bytes. */
  maxInstanceBytes?: number;
  /** UTC offset of the site (`+08:00`, the default) for study dates and times that carry none. */
  siteUtcOffset?: string;
  /**
   * Acknowledge a new instance once its file is in place and journalled, and write its index row
   * behind (default true); false waits for the row, as every instance the filter is unsure of does.
   */
  indexBehind?: boolean;
}

export interface StoreOptions {
  /** STOW-RS to `/studies/{uid}`: instances of any other study fail. */
  studyInstanceUID?: string;
  /**
   * When ImagingStudy is brought up to date: `background` (default; coalesced, for DIMSE) or
   * `defer` (the caller calls `syncStudies` itself, as STOW-RS does before it answers).
   */
  sync?: 'background' | 'defer';
}

/** DIMSE-style failure reasons (PS3.4 Annex B, PS3.18 Table 10.5.3-1), reported in FailedSOPSequence. */
export const FailureReason = {
  outOfResources: 0xa700,
  doesNotMatch: 0xa900,
  cannotUnderstand: 0xc000,
  duplicate: 0x0111,
  processingFailure: 0x0110,
} as const;

/** An instance handed to the store chunk by chunk (a C-STORE's data set as its fragments arrive). */
export interface InstanceSink {
  /** Never waits. False once the store takes no more of this instance (refused as too large, or ended). */
  write(chunk: Buffer): boolean;
  end(): void;
  /** The sender gave up (association closed, a new command came first): nothing is stored. */
  abort(reason: Error): void;
  readonly result: Promise<StoreResult>;
}

export interface StoreResult {
  status: 'stored' | 'duplicate' | 'failed';
  sopClassUID?: string;
  sopInstanceUID?: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  /** For `failed`: the DICOM failure reason code. */
  failureReason?: number;
  reason?: Bilingual;
}

export interface InstanceRecord {
  sopInstanceUID: string;
  seriesInstanceUID: string;
  studyInstanceUID: string;
  sopClassUID: string;
  transferSyntax: string;
  storageKey: string;
  size: number;
  frames: FrameIndex | null;
  bulk: Record<string, BulkRange>;
}

const UID_KEYWORDS = { sopClassUID: 'SOPClassUID', sopInstanceUID: 'SOPInstanceUID', studyInstanceUID: 'StudyInstanceUID', seriesInstanceUID: 'SeriesInstanceUID' } as const;
const DEFAULT_MAX = 2 * 1024 * 1024 * 1024;
const RECORD_CACHE = 10_000;
/** A series up to this size comes into the record cache whole when one of its instances is first read. */
const SERIES_PRELOAD = 2_000;
const INSTANCE_COLUMNS = 'sop_instance_uid, series_uid, study_uid, sop_class_uid, transfer_syntax, storage_key, size, frames, bulk';
const METADATA_CACHE_BYTES = 64 * 1024 * 1024;

/** Stores DICOM instances (file + index) and answers queries on them; shared by DICOMweb and DIMSE. */
export class DicomStore {
  readonly blobs: BlobStore;
  readonly sql: SqlPort;
  private readonly sync: StudySync | undefined;
  private readonly log: LogPort | undefined;
  private readonly maxBytes: number;
  private readonly records = new Map<string, InstanceRecord>();
  private readonly metadataCache = new TextCache(METADATA_CACHE_BYTES);
  private readonly behind: { known: KnownUids; queue: IndexQueue<QueuedRow> } | undefined;
  /** Instances a previous process acknowledged and did not index, indexed again before anything else. */
  private readonly recovered: Promise<void>;

  constructor(options: DicomStoreOptions) {
    this.sql = options.sql;
    const dir = path.resolve(options.dataDir, 'dicom');
    this.blobs = options.blobs ?? new FileBlobStore(dir);
    this.log = options.log;
    this.maxBytes = options.maxInstanceBytes ?? DEFAULT_MAX;
    this.sync = options.fhir ? new StudySync(options.sql, options.fhir, options.dicomwebBase ?? (() => undefined), options.log, options.siteUtcOffset) : undefined;
    mkdirSync(dir, { recursive: true });
    const journal = new IndexJournal(path.join(dir, '.index-journal'));
    this.recovered = this.recover(journal).catch((error: unknown) => this.log?.log('error', 'DICOM journal recovery failed', { error: String(error) }));
    if (options.indexBehind !== false) {
      const known = new KnownUids();
      void this.recovered.then(() => known.load(this.sql)).catch((error: unknown) => this.log?.log('error', 'DICOM UID filter not loaded; every instance waits for its index row', { error: String(error) }));
      this.behind = { known, queue: new IndexQueue<QueuedRow>(journal, this.log, (batch) => this.persistQueued(batch)) };
    }
  }

  /** Indexes again, from their files, the journalled instances that have no index row; then empties the journal. */
  private async recover(journal: IndexJournal): Promise<void> {
    const keys = journal.entries();
    if (keys.length === 0) return;
    for (const key of keys) {
      const sop = /([^/]+)\.[0-9a-f]{16}\.dcm$/.exec(key)?.[1];
      if (!sop || (await this.sql.query('SELECT 1 FROM dicom_instance WHERE sop_instance_uid = $1', [sop])).length) continue;
      const result = await this.feed(this.blobs.stream(key), this.receiver({}, Promise.resolve()));
      this.log?.log(result.status === 'failed' ? 'error' : 'info', 'DICOM instance from the journal indexed again', { key, status: result.status });
    }
    journal.reset();
  }

  /** Waits until every acknowledged instance is in the index (reads see what was stored before them). */
  private async indexed(): Promise<void> {
    await this.recovered;
    await this.behind?.queue.settled();
  }

  /**
   * Receives one Part 10 instance, indexes it and puts its file in place. Never throws for bad
   * input: a truncated or foreign file, a bad UID or a conflicting duplicate is a `failed` result.
   */
  async storeInstance(source: NodeJS.ReadableStream | Buffer, options: StoreOptions = {}): Promise<StoreResult> {
    return this.feed(source, this.receiveInstance(options));
  }

  private async feed(source: NodeJS.ReadableStream | Buffer, sink: InstanceSink): Promise<StoreResult> {
    try {
      for await (const chunk of Buffer.isBuffer(source) ? [source] : (source as AsyncIterable<Buffer>)) {
        if (!sink.write(chunk)) break;
      }
      sink.end();
    } catch (error) {
      sink.abort(error as Error);
    }
    return sink.result;
  }

  /** `storeInstance` for a sender that pushes the instance's bytes as they come (the C-STORE path). */
  receiveInstance(options: StoreOptions = {}): InstanceSink {
    return this.receiver(options, this.recovered);
  }

  /** A sink whose instance is indexed once `after` has settled (journal recovery, for everyone but itself). */
  private receiver(options: StoreOptions, after: Promise<void>): InstanceSink {
    const incoming = new Incoming(this.blobs.incomingPath(`${randomUUID()}.part`), this.maxBytes);
    let settle: (how: 'end' | Error) => void = () => undefined;
    const arrived = new Promise<'end' | Error>((resolve) => (settle = resolve));
    let open = true;
    const close = (how: 'end' | Error) => {
      if (!open) return;
      open = false;
      settle(how);
    };
    const result = after.then(() => arrived).then((how) => this.storeArrived(incoming, how, options));
    return {
      write: (chunk) => {
        if (!open) return false;
        try {
          incoming.write(chunk);
        } catch (error) {
          close(error as Error);
        }
        return open;
      },
      end: () => close('end'),
      abort: (reason) => close(reason),
      result,
    };
  }

  private async storeArrived(incoming: Incoming, how: 'end' | Error, options: StoreOptions): Promise<StoreResult> {
    let received: Received | undefined;
    try {
      if (how !== 'end') throw how;
      received = await incoming.finish();
      return await this.index(received, options);
    } catch (error) {
      if (error instanceof TooLarge) return failed(FailureReason.outOfResources, { zh: `实例超过 ${this.maxBytes} 字节上限`, en: `instance exceeds the ${this.maxBytes}-byte limit` });
      this.log?.log('error', 'dicom store failed', { error: String((error as Error)?.stack ?? error) });
      return failed(FailureReason.processingFailure, { zh: '存储实例时出错', en: 'error while storing the instance' });
    } finally {
      incoming.abandon();
      const temp = received?.temp ?? incoming.path;
      if (temp && !received?.placed) await rm(temp, { force: true });
    }
  }

  private async index(received: Received | undefined, options: StoreOptions): Promise<StoreResult> {
    if (!received) return failed(FailureReason.cannotUnderstand, { zh: '不是可读的 DICOM Part 10 文件（无内容）', en: 'not a readable DICOM Part 10 file (empty)' });
    const { size, head, temp } = received;
    let parsed: ParsedInstance;
    // The header is nearly always within `head`: the temp file is read only for a longer one or for
    // the item headers of encapsulated pixel data.
    let fd: number | undefined;
    const file: PositionalReader = { read: async (buffer, offset, length, position) => ({ bytesRead: readSync((fd ??= openSync(temp, 'r')), buffer, offset, length, position) }) };
    try {
      parsed = await parseInstanceFile(file, size, ({ study, series, sop }) => `studies/${study}/series/${series}/instances/${sop}`, head);
    } catch (error) {
      if (!(error instanceof DicomParseError)) throw error;
      return failed(FailureReason.cannotUnderstand, { zh: `不是可读的 DICOM Part 10 文件（${error.message}）`, en: `not a readable DICOM Part 10 file (${error.message})` });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const { sopInstanceUID: sop, seriesInstanceUID: series, studyInstanceUID: study, sopClassUID: sopClass } = parsed;
    const { dataSet: sha256, file: fileSha256 } = received.hashes(parsed.paddingStart ?? size);
    const ids = { sopClassUID: sopClass, sopInstanceUID: sop, studyInstanceUID: study, seriesInstanceUID: series };
    for (const [name, value] of Object.entries(ids)) {
      if (!isPathSafeUid(value)) {
        const keyword = UID_KEYWORDS[name as keyof typeof ids];
        const reason = value === undefined ? { zh: `${keyword} 缺失`, en: `${keyword} missing` } : { zh: `${keyword} 不是有效的 UID`, en: `${keyword} is not a valid UID` };
        return { ...failed(FailureReason.cannotUnderstand, reason), ...defined(ids) };
      }
    }
    if (options.studyInstanceUID && options.studyInstanceUID !== study) {
      return { ...failed(FailureReason.doesNotMatch, { zh: `实例属于检查 ${study}，不属于请求路径中的检查 ${options.studyInstanceUID}`, en: `instance belongs to study ${study}, not to study ${options.studyInstanceUID} of the request path` }), ...defined(ids) };
    }
    const record: InstanceRecord = {
      sopInstanceUID: sop as string,
      seriesInstanceUID: series as string,
      studyInstanceUID: study as string,
      sopClassUID: sopClass as string,
      transferSyntax: parsed.transferSyntaxUID,
      // The file's hash in the name: a different file under a stored UID never overwrites the stored one.
      storageKey: `${study}/${series}/${sop}.${fileSha256.slice(0, 16)}.dcm`,
      size,
      frames: parsed.frames ?? null,
      bulk: parsed.bulk,
    };
    await this.blobs.put(record.storageKey, temp);
    received.placed = true;
    let outcome = this.admit(record, parsed, sha256, options);
    if (!outcome) {
      outcome = await this.write(record, parsed, sha256);
      if (!outcome.inserted && !outcome.existingSha) outcome = await this.recheck(record);
      if (outcome.inserted) this.behind?.known.add(record.sopInstanceUID, record.seriesInstanceUID, record.studyInstanceUID);
    }
    if (outcome.inserted) {
      if (options.sync !== 'defer' && !outcome.queued) this.sync?.schedule(record.studyInstanceUID);
      return { status: 'stored', ...defined(ids) };
    }
    // The file just put goes, unless it is the stored one (the same bytes again); the same data set in
    // another file meta (another calling AE, or C-STORE after STOW) is still a duplicate.
    if (outcome.existingKey !== record.storageKey) await this.blobs.remove(record.storageKey);
    if (outcome.existingSha === sha256 || (outcome.existingSha && outcome.existingKey && (await this.sameLegacyDataSet(sop as string, outcome.existingKey, outcome.existingSha, sha256)))) {
      return { status: 'duplicate', ...defined(ids) };
    }
    if (outcome.existingSha) {
      return { ...failed(FailureReason.duplicate, { zh: `SOP 实例 ${sop} 已存在且内容不同；未覆盖`, en: `SOP instance ${sop} already exists with different content; not overwritten` }), ...defined(ids) };
    }
    return { ...failed(FailureReason.doesNotMatch, { zh: `序列 ${series} 已属于另一个检查 ${outcome.seriesStudy ?? ''}`, en: `series ${series} already belongs to another study ${outcome.seriesStudy ?? ''}` }), ...defined(ids) };
  }

  /**
   * Decides in memory what the index statement would say, when that can be known for sure: a repeat
   * of an instance still queued, a series already in another study, or a SOP Instance UID the filter
   * has certainly never seen — then the row is queued and the instance acknowledged now. Undefined
   * sends the instance to the database (filter not loaded yet, or a "maybe").
   */
  private admit(record: InstanceRecord, parsed: ParsedInstance, sha256: string, options: StoreOptions): IndexOutcome | undefined {
    if (!this.behind) return undefined;
    const { known, queue } = this.behind;
    const queued = queue.get(record.sopInstanceUID);
    if (queued) return { inserted: false, existingSha: queued.sha256, existingKey: queued.storageKey, seriesStudy: null };
    const owner = known.studyOf(record.seriesInstanceUID);
    if (owner && owner !== record.studyInstanceUID) return { inserted: false, existingSha: null, existingKey: null, seriesStudy: owner };
    if (!known.ready || known.maybeHas(record.sopInstanceUID)) return undefined;
    known.add(record.sopInstanceUID, record.seriesInstanceUID, record.studyInstanceUID);
    queue.add({ sop: record.sopInstanceUID, storageKey: record.storageKey, record, parsed, sha256, sync: options.sync });
    // The caller answers `stored`; the ImagingStudy follows the row (`persistQueued` schedules it).
    return { inserted: true, existingSha: null, existingKey: null, seriesStudy: null, queued: true };
  }

  /**
   * Rows indexed before data-set hashes were kept hold the SHA-256 of the whole file: a resend of
   * such an instance compares its data set with the stored file's (after the file meta), and a match
   * is a duplicate whose row then takes the data-set hash, so the file is read once. A stored file
   * with Data Set Trailing Padding that the resend lacks still reads as different.
   */
  private async sameLegacyDataSet(sop: string, key: string, storedSha: string, dataSetHash: string): Promise<boolean> {
    // Such a row's key ends with its hash's start (both the whole file's); a newer row's key holds the file's hash and its column the data set's: a conflict with one reads no file.
    if (!key.endsWith(`.${storedSha.slice(0, 16)}.dcm`)) return false;
    const head = await this.blobs.read(key, 0, HEAD_BYTES).catch(() => undefined);
    if (!head) return false;
    const hash = createHash('sha256');
    for await (const chunk of this.blobs.stream(key, dataSetStart(head, head.length < HEAD_BYTES) ?? 0)) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== dataSetHash) return false;
    await this.sql.query('UPDATE dicom_instance SET sha256 = $1 WHERE sop_instance_uid = $2', [dataSetHash, sop]);
    return true;
  }

  /**
   * A statement that inserted nothing ran on a snapshot from before a concurrent store of the same UID
   * committed: look again, with a fresh snapshot, at what is there now.
   */
  private async recheck(record: InstanceRecord): Promise<IndexOutcome> {
    const [row] = await this.sql.query<{ existing_sha: string | null; existing_key: string | null; series_study: string | null }>(
      `SELECT i.sha256 AS existing_sha, i.storage_key AS existing_key,
              (SELECT study_uid FROM dicom_series WHERE series_uid = $2) AS series_study
       FROM (SELECT 1) AS one LEFT JOIN dicom_instance i ON i.sop_instance_uid = $1`,
      [record.sopInstanceUID, record.seriesInstanceUID],
    );
    return { inserted: false, existingSha: row?.existing_sha ?? null, existingKey: row?.existing_key ?? null, seriesStudy: row?.series_study ?? null };
  }

  /** Writes the rows of acknowledged instances, then brings their ImagingStudies up to date. */
  private async persistQueued(batch: readonly QueuedRow[]): Promise<void> {
    const outcomes = await this.writeRows(batch);
    for (const [i, outcome] of outcomes.entries()) {
      const { record, sync } = batch[i] as QueuedRow;
      if (outcome.inserted) {
        if (sync !== 'defer') this.sync?.schedule(record.studyInstanceUID);
        continue;
      }
      // Only another process writing the same index gets here: what it stored stays.
      this.log?.log('error', 'DICOM instance acknowledged, but another store of it was indexed first; that one is kept', { sop: record.sopInstanceUID, existingSha: outcome.existingSha, seriesStudy: outcome.seriesStudy });
      if (outcome.existingKey !== record.storageKey) await this.blobs.remove(record.storageKey);
    }
  }

  private async write(record: InstanceRecord, parsed: ParsedInstance, sha256: string): Promise<IndexOutcome> {
    return (await this.writeRows([{ record, parsed, sha256 }]))[0] as IndexOutcome;
  }

  /**
   * Indexes instances in one statement (one round trip, atomic): the instance rows first, then the
   * patients, series and studies of those that went in, once each, their counters incremented by
   * the number that went in. Two stores into one study serialise on its row; a SOP Instance UID
   * already there inserts nothing, and an instance whose series belongs to another study neither.
   * Where a series or study occurs more than once, its last instance's attributes are written, as
   * one statement per instance in arrival order would have left them. The rows name each SOP
   * Instance UID once and each series in one study (the queue admits nothing else).
   */
  private async writeRows(rows: readonly IndexRow[]): Promise<IndexOutcome[]> {
    // Series and studies are written with their last instance's attributes: built once each, from it.
    const lastOfSeries = new Map<string, number>();
    const lastOfStudy = new Map<string, number>();
    const instances = rows.map(({ record, parsed: { json }, sha256 }, ord) => {
      lastOfSeries.set(record.seriesInstanceUID, ord);
      lastOfStudy.set(record.studyInstanceUID, ord);
      const syntax = { vr: 'UI', Value: [record.transferSyntax] };
      return {
        ord,
        sop: record.sopInstanceUID,
        series: record.seriesInstanceUID,
        study: record.studyInstanceUID,
        sop_class: record.sopClassUID,
        number: intOrNull(firstNumber(json, '00200013')),
        modality: firstString(json, '00080060') ?? null,
        syntax: record.transferSyntax,
        key: record.storageKey,
        size: record.size,
        sha: sha256,
        frames: record.frames,
        bulk: record.bulk,
        attrs: { ...pick(json, INSTANCE_TAGS), '00083002': syntax },
        metadata: { ...json, '00083002': syntax },
      };
    });
    const series = [...lastOfSeries.values()].map((ord) => {
      const { record, parsed: { json } } = rows[ord] as IndexRow;
      return {
        series: record.seriesInstanceUID,
        study: record.studyInstanceUID,
        modality: firstString(json, '00080060') ?? null,
        number: intOrNull(firstNumber(json, '00200011')),
        pps_date: firstString(json, '00400244') ?? null,
        pps_time: indexedTime(firstString(json, '00400245')),
        attrs: pick(json, SERIES_TAGS),
      };
    });
    const studies = [...lastOfStudy.values()].map((ord) => {
      const { record, parsed: { json } } = rows[ord] as IndexRow;
      const patientName = nameKeys(firstPersonName(json, '00100010'));
      const referring = nameKeys(firstPersonName(json, '00080090'));
      const patientAttrs = pick(json, PATIENT_TAGS);
      return {
        ord,
        study: record.studyInstanceUID,
        patient_id: firstString(json, '00100020') ?? '',
        issuer: firstString(json, '00100021') ?? '',
        p_groups: patientName.groups,
        p_words: patientName.words,
        p_attrs: patientAttrs,
        date: firstString(json, '00080020') ?? null,
        time: indexedTime(firstString(json, '00080030')),
        accession: firstString(json, '00080050') ?? null,
        study_id: firstString(json, '00200010') ?? null,
        r_groups: referring.groups,
        r_words: referring.words,
        attrs: { ...patientAttrs, ...pick(json, STUDY_TAGS) },
      };
    });
    const result = await this.sql.query<{ inserted: boolean; existing_sha: string | null; existing_key: string | null; series_study: string | null }>(
      `WITH v AS (
         SELECT * FROM json_to_recordset($1::json) AS v(ord int, sop text, series text, study text, sop_class text, number int, modality text, syntax text, key text, size bigint, sha text, frames jsonb, bulk jsonb, attrs json, metadata json)
       ), ins AS (
         INSERT INTO dicom_instance (sop_instance_uid, series_uid, study_uid, sop_class_uid, instance_number, transfer_syntax, storage_key, size, sha256, frames, bulk, attrs, metadata)
         SELECT sop, series, study, sop_class, number, syntax, key, size, sha, frames, bulk, attrs::text, metadata::text FROM v
         WHERE NOT EXISTS (SELECT 1 FROM dicom_series s WHERE s.series_uid = v.series AND s.study_uid <> v.study)
         ORDER BY ord
         ON CONFLICT (sop_instance_uid) DO NOTHING
         RETURNING sop_instance_uid, series_uid, study_uid
       ), sv AS (
         SELECT x.*, (SELECT count(*) FROM ins WHERE ins.series_uid = x.series)::int AS n
         FROM json_to_recordset($2::json) AS x(series text, study text, modality text, number int, pps_date text, pps_time text, attrs json)
       ), se AS (
         INSERT INTO dicom_series AS s (series_uid, study_uid, modality, series_number, pps_start_date, pps_start_time, attrs, instance_count)
         SELECT series, study, modality, number, pps_date, pps_time, attrs::text, n FROM sv WHERE n > 0
         ON CONFLICT (series_uid) DO UPDATE SET modality = EXCLUDED.modality, series_number = EXCLUDED.series_number,
           pps_start_date = EXCLUDED.pps_start_date, pps_start_time = EXCLUDED.pps_start_time, attrs = EXCLUDED.attrs,
           instance_count = s.instance_count + EXCLUDED.instance_count
         RETURNING study_uid, (xmax = 0) AS inserted
       ), tv AS (
         SELECT x.*, (SELECT count(*) FROM ins WHERE ins.study_uid = x.study)::int AS n,
           -- Every stored instance's modality, not only its series' last one: the same whatever order a batch arrived in.
           ARRAY(SELECT DISTINCT v.modality FROM v JOIN ins ON ins.sop_instance_uid = v.sop WHERE v.study = x.study AND v.modality IS NOT NULL) AS modalities
         FROM json_to_recordset($3::json) AS x(ord int, study text, patient_id text, issuer text, p_groups text[], p_words text[], p_attrs json,
           date text, time text, accession text, study_id text, r_groups text[], r_words text[], attrs json)
       ), p AS (
         INSERT INTO dicom_patient (patient_id, issuer, name_groups, name_words, attrs)
         SELECT DISTINCT ON (patient_id, issuer) patient_id, issuer, p_groups, p_words, p_attrs::text FROM tv WHERE n > 0 ORDER BY patient_id, issuer, ord DESC
         ON CONFLICT (patient_id, issuer) DO UPDATE SET name_groups = EXCLUDED.name_groups, name_words = EXCLUDED.name_words, attrs = EXCLUDED.attrs
         RETURNING patient_key, patient_id, issuer
       ), st AS (
         INSERT INTO dicom_study AS t (study_uid, patient_key, study_date, study_time, accession, study_id, referring_groups, referring_words, attrs, series_count, instance_count, modalities)
         SELECT tv.study, p.patient_key, tv.date, tv.time, tv.accession, tv.study_id, tv.r_groups, tv.r_words, tv.attrs::text,
           (SELECT count(*) FROM se WHERE se.study_uid = tv.study AND se.inserted)::int, tv.n, tv.modalities
         FROM tv JOIN p ON p.patient_id = tv.patient_id AND p.issuer = tv.issuer WHERE tv.n > 0
         ON CONFLICT (study_uid) DO UPDATE SET patient_key = EXCLUDED.patient_key, study_date = EXCLUDED.study_date, study_time = EXCLUDED.study_time,
           accession = EXCLUDED.accession, study_id = EXCLUDED.study_id, referring_groups = EXCLUDED.referring_groups,
           referring_words = EXCLUDED.referring_words, attrs = EXCLUDED.attrs, updated_at = now(),
           instance_count = t.instance_count + EXCLUDED.instance_count,
           series_count = t.series_count + EXCLUDED.series_count,
           modalities = t.modalities || ARRAY(SELECT m FROM unnest(EXCLUDED.modalities) AS m WHERE m <> ALL(t.modalities))
         RETURNING 1
       )
       SELECT ins.sop_instance_uid IS NOT NULL AS inserted, d.sha256 AS existing_sha, d.storage_key AS existing_key,
              (SELECT study_uid FROM dicom_series s WHERE s.series_uid = v.series) AS series_study
       FROM v LEFT JOIN ins ON ins.sop_instance_uid = v.sop LEFT JOIN dicom_instance d ON d.sop_instance_uid = v.sop
       ORDER BY v.ord`,
      [JSON.stringify(instances), JSON.stringify(series), JSON.stringify(studies)],
      { prepare: 'qiao_dicom_index_instances' },
    );
    return result.map((row) => ({ inserted: row.inserted === true, existingSha: row.existing_sha, existingKey: row.existing_key, seriesStudy: row.series_study }));
  }

  /** Brings the ImagingStudy of each study up to date now (STOW-RS does this before answering). */
  async syncStudies(studyUids: Iterable<string>, dicomwebBase?: string): Promise<void> {
    if (!this.sync) return;
    await this.indexed();
    for (const uid of new Set(studyUids)) {
      // The images are stored whatever FHIR says (a profile may refuse the Patient): logged, not thrown.
      await this.sync.syncNow(uid, dicomwebBase).catch((error: unknown) => this.log?.log('error', 'ImagingStudy sync failed', { study: uid, error: String((error as Error)?.message ?? error) }));
    }
  }

  async findStudies(query: QidoQuery, options: QueryOptions = {}): Promise<DicomJson[]> {
    await this.indexed();
    return findStudies(this.sql, query, options);
  }

  async findSeries(query: QidoQuery, options: QueryOptions = {}): Promise<DicomJson[]> {
    await this.indexed();
    return findSeries(this.sql, query, options);
  }

  async findInstances(query: QidoQuery, options: QueryOptions = {}): Promise<DicomJson[]> {
    await this.indexed();
    return findInstances(this.sql, query, options);
  }

  /** Instances of a study, series or one instance, in series and instance order. */
  async instances(scope: { study: string; series?: string; sop?: string }): Promise<InstanceRecord[]> {
    if (scope.series && scope.sop) return this.instance(scope.study, scope.series, scope.sop);
    await this.indexed();
    const rows = await this.sql.query<InstanceRow>(
      `SELECT ${INSTANCE_COLUMNS} FROM dicom_instance i
       WHERE study_uid = $1 AND ($2::text IS NULL OR series_uid = $2) AND ($3::text IS NULL OR sop_instance_uid = $3)
       ORDER BY series_uid, instance_number NULLS LAST, sop_instance_uid`,
      [scope.study, scope.series ?? null, scope.sop ?? null],
      { prepare: 'qiao_dicom_instances' },
    );
    return rows.map(toRecord);
  }

  /**
   * One instance, from the record cache. One not yet known here brings its whole series (up to
   * SERIES_PRELOAD) into the cache: a viewer asks for a frame of every instance of the series it
   * opens, and one statement for the series replaces one per instance.
   */
  private async instance(study: string, series: string, sop: string): Promise<InstanceRecord[]> {
    const cached = this.records.get(recordKey(study, series, sop));
    if (cached) return [cached];
    await this.indexed();
    const rows = await this.sql.query<InstanceRow>(
      `SELECT ${INSTANCE_COLUMNS} FROM dicom_instance i
       WHERE study_uid = $1 AND series_uid = $2
         AND (sop_instance_uid = $3 OR (SELECT instance_count FROM dicom_series WHERE series_uid = $2) <= $4)`,
      [study, series, sop, SERIES_PRELOAD],
      { prepare: 'qiao_dicom_series_records' },
    );
    const records = rows.map(toRecord);
    for (const record of records) this.remember(record);
    return records.filter((r) => r.sopInstanceUID === sop);
  }

  /** Stored instances never change, so frame and bulk reads of a recently used one skip the database. */
  private remember(record: InstanceRecord): void {
    const key = recordKey(record.studyInstanceUID, record.seriesInstanceUID, record.sopInstanceUID);
    if (this.records.has(key)) return;
    if (this.records.size >= RECORD_CACHE) this.records.delete(this.records.keys().next().value as string);
    this.records.set(key, record);
  }

  /**
   * Stored DICOM JSON of a study, series or instance as one JSON array text (base placeholder in it);
   * undefined if none. Study and series texts are kept in memory and reused while the instance count
   * is unchanged: instances are only ever added, never altered, so an equal count means equal content.
   */
  async metadataArray(scope: { study: string; series?: string; sop?: string }): Promise<string | undefined> {
    await this.indexed();
    if (scope.sop) return this.aggregateMetadata(scope);
    const key = `${scope.study}/${scope.series ?? ''}`;
    const [probe] = scope.series
      ? await this.sql.query<{ n: number }>('SELECT instance_count AS n FROM dicom_series WHERE series_uid = $1 AND study_uid = $2', [scope.series, scope.study])
      : await this.sql.query<{ n: number }>('SELECT instance_count AS n FROM dicom_study WHERE study_uid = $1', [scope.study]);
    if (!probe) return undefined;
    const cached = this.metadataCache.get(key);
    if (cached && cached.count === Number(probe.n)) return cached.text;
    const text = await this.aggregateMetadata(scope);
    if (text) this.metadataCache.set(key, Number(probe.n), text);
    return text;
  }

  private async aggregateMetadata(scope: { study: string; series?: string; sop?: string }): Promise<string | undefined> {
    // Joined in the database: one value crosses the wire instead of a row per instance.
    const [row] = await this.sql.query<{ metadata: string | null }>(
      `SELECT '[' || string_agg(metadata, ',' ORDER BY series_uid, instance_number NULLS LAST, sop_instance_uid) || ']' AS metadata
       FROM dicom_instance WHERE study_uid = $1 AND ($2::text IS NULL OR series_uid = $2) AND ($3::text IS NULL OR sop_instance_uid = $3)`,
      [scope.study, scope.series ?? null, scope.sop ?? null],
      { prepare: 'qiao_dicom_metadata' },
    );
    return row?.metadata ?? undefined;
  }

  /** Waits for the rows written behind and the background ImagingStudy updates; call before the database closes. */
  async close(): Promise<void> {
    await this.recovered;
    await this.behind?.queue.close();
    await this.sync?.flush();
  }
}

/** What an instance's index row is made of: computed after the acknowledgement, when the row is written. */
interface IndexRow {
  record: InstanceRecord;
  parsed: ParsedInstance;
  /** Of the data set without its trailing padding, not of the file (`Received.hashes`). */
  sha256: string;
}

interface QueuedRow extends QueuedInstance, IndexRow {
  sync: StoreOptions['sync'];
}

/** What indexing an instance came to; `queued` when its row is written behind the acknowledgement. */
interface IndexOutcome {
  inserted: boolean;
  /** The stored instance's data-set hash and file, when its SOP Instance UID was there already. */
  existingSha: string | null;
  existingKey: string | null;
  seriesStudy: string | null;
  queued?: boolean;
}

interface InstanceRow {
  sop_instance_uid: string;
  series_uid: string;
  study_uid: string;
  sop_class_uid: string;
  transfer_syntax: string;
  storage_key: string;
  size: string | number;
  frames: FrameIndex | string | null;
  bulk: Record<string, BulkRange> | string;
}

function toRecord(row: InstanceRow): InstanceRecord {
  return {
    sopInstanceUID: row.sop_instance_uid,
    seriesInstanceUID: row.series_uid,
    studyInstanceUID: row.study_uid,
    sopClassUID: row.sop_class_uid,
    transferSyntax: row.transfer_syntax,
    storageKey: row.storage_key,
    size: Number(row.size),
    frames: typeof row.frames === 'string' ? (JSON.parse(row.frames) as FrameIndex) : row.frames,
    bulk: typeof row.bulk === 'string' ? (JSON.parse(row.bulk) as Record<string, BulkRange>) : row.bulk,
  };
}

const recordKey = (study: string, series: string, sop: string) => `${study}/${series}/${sop}`;

function failed(code: number, reason: Bilingual): StoreResult {
  return { status: 'failed', failureReason: code, reason };
}

function defined<T extends object>(value: T): Partial<{ [K in keyof T]: NonNullable<T[K]> }> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<{ [K in keyof T]: NonNullable<T[K]> }>;
}

/** Times are matched as text in the current form; an ACR-NEMA `HH:MM:SS` is rewritten, a time of no day left out. */
function indexedTime(value: string | undefined): string | null {
  return (value && normalizedTime(value)) ?? null;
}

function intOrNull(n: number | undefined): number | null {
  return n !== undefined && Number.isSafeInteger(n) && Math.abs(n) < 2 ** 31 ? n : null;
}
