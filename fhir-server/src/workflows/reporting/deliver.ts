/**
 * Sending a signed report to the ordering clinic's PACS (报告回传): the report as a DICOM Basic
 * Text SR (UTF-8, the study's UID and accession, findings 检查所见 and impression 诊断意见) by
 * C-STORE. Runs as a job of the persistent queue: a failure is recorded on the delivery Task and
 * thrown, so the queue retries with back-off; after the last attempt the Task is `failed`.
 */
import type { DiagnosticReport, ImagingStudy, Organization, Patient, Practitioner, Task } from '@medplum/fhirtypes';
import { reportToBasicTextSr, sendInstances, type FhirJson } from '@qiao/dicom-gateway';
import type { Logger } from '../../http/logger.js';
import type { Job } from '../../jobs/index.js';
import type { Context } from '../../router/types.js';
import { asServer, localReference, readResource, writeResource } from '../critical-values/fhir-calls.js';
import { parsePeer } from './pacs.js';

const DONE = ['completed', 'cancelled', 'failed', 'entered-in-error'];

function studyIdentity(study: ImagingStudy): { studyInstanceUid: string; accessionNumber?: string } | undefined {
  const uid = study.identifier?.find((i) => i.system === 'urn:dicom:uid')?.value?.replace(/^urn:oid:/, '');
  if (!uid) return undefined;
  const accession = study.identifier?.find((i) => i.type?.coding?.some((c) => c.code === 'ACSN'))?.value;
  return { studyInstanceUid: uid, ...(accession ? { accessionNumber: accession } : {}) };
}

const nameText = (names: { text?: string; family?: string; given?: string[] }[] | undefined): string | undefined => {
  const n = names?.[0];
  return n ? (n.text ?? ([n.family, ...(n.given ?? [])].filter(Boolean).join('') || undefined)) : undefined;
};

/** The report with the reader's and centre's names as displays (the SR's verifying observer and organisation). */
async function withDisplays(ctx: Context, report: DiagnosticReport): Promise<DiagnosticReport> {
  const outer = asServer(ctx.config.baseUrl ?? '');
  const reader = report.resultsInterpreter?.[0];
  const centre = report.performer?.find((p) => localReference(p.reference, 'Organization'));
  const practitioner = reader && !reader.display ? await readResource<Practitioner>(ctx, ctx.db, outer, localReference(reader.reference, 'Practitioner') ?? '') : undefined;
  const organisation = centre && !centre.display ? await readResource<Organization>(ctx, ctx.db, outer, localReference(centre.reference, 'Organization') as string) : undefined;
  const readerName = reader?.display ?? nameText(practitioner?.name);
  return {
    ...report,
    ...(reader && readerName ? { resultsInterpreter: [{ ...reader, display: readerName }] } : {}),
    ...(centre && (centre.display ?? organisation?.name) ? { performer: [{ ...centre, display: (centre.display ?? organisation?.name) as string }] } : {}),
  };
}

async function record(ctx: Context, id: string, change: (task: Task) => Task): Promise<void> {
  await ctx.db.transaction(async (q) => {
    const task = JSON.parse((await ctx.repo.read(q, 'Task', id, true)).json as string) as Task;
    await writeResource(ctx, q, asServer(ctx.config.baseUrl ?? ''), change(task));
  });
}

const note = (text: string, time: string) => ({ time, text });

export function deliveryHandler(ctx: Context, logger: Logger) {
  return async (job: Job<{ task: string }>): Promise<void> => {
    const outer = asServer(ctx.config.baseUrl ?? '');
    const taskId = job.payload.task;
    const task = await readResource<Task>(ctx, ctx.db, outer, `Task/${taskId}`);
    if (!task || DONE.includes(task.status)) return;
    const fail = async (zh: string, en: string, final: boolean): Promise<void> => {
      const time = new Date().toISOString();
      await record(ctx, taskId, (t) => ({
        ...t,
        status: final ? 'failed' : 'in-progress',
        businessStatus: { text: `第 ${job.attempt + 1} 次发送失败 | Attempt ${job.attempt + 1} failed` },
        ...(final ? { statusReason: { text: `${zh} | ${en}` } } : {}),
        lastModified: time,
        note: [...(t.note ?? []), note(`第 ${job.attempt + 1} 次：${zh} | Attempt ${job.attempt + 1}: ${en}`, time)],
      }));
    };
    const destination = task.input?.find((i) => i.type.text === 'destination')?.valueString;
    const peer = destination ? parsePeer(destination) : undefined;
    const report = await readResource<DiagnosticReport>(ctx, ctx.db, outer, localReference(task.focus?.reference, 'DiagnosticReport') ?? '');
    const study = report ? await readResource<ImagingStudy>(ctx, ctx.db, outer, localReference(report.imagingStudy?.[0]?.reference, 'ImagingStudy') ?? '') : undefined;
    const patient = report ? await readResource<Patient>(ctx, ctx.db, outer, localReference(report.subject?.reference, 'Patient') ?? '') : undefined;
    const identity = study ? studyIdentity(study) : undefined;
    if (!peer || !report || !patient || !identity) {
      // Nothing a retry could mend: the task says what is missing.
      await fail('报告、患者、检查实例 UID 或目标 PACS 缺失，无法发送', 'the report, patient, study instance UID or destination PACS is missing: nothing to send', true);
      return;
    }
    const sr = reportToBasicTextSr((await withDisplays(ctx, report)) as unknown as FhirJson, patient as unknown as FhirJson, identity);
    const outcome = await sendInstances(peer, ctx.config.dimseAeTitle, [sr]);
    if (outcome.completed + outcome.warnings === 1) {
      const time = new Date().toISOString();
      await record(ctx, taskId, (t) => ({
        ...t,
        status: 'completed',
        businessStatus: { text: outcome.warnings ? '已送达（有警告）| Delivered with a warning' : '已送达 | Delivered' },
        lastModified: time,
        executionPeriod: { ...(t.authoredOn ? { start: t.authoredOn } : {}), end: time },
        output: [
          { type: { text: 'sop-instance-uid' }, valueString: sr.sopInstanceUid },
          { type: { text: 'report-version' }, valueString: report.meta?.versionId ?? '' },
        ],
        note: [...(t.note ?? []), note(`第 ${job.attempt + 1} 次：已发送至 ${destination as string} | Attempt ${job.attempt + 1}: stored at ${destination as string}`, time)],
      }));
      logger.log('info', 'report delivered', { task: taskId, destination, sopInstanceUid: sr.sopInstanceUid });
      return;
    }
    await fail(`PACS ${destination as string} 未接收（C-STORE 失败或无法连接）`, `PACS ${destination as string} did not store it (C-STORE failed or no connection)`, job.final);
    if (!job.final) throw new Error(`report delivery to ${destination as string} failed (attempt ${job.attempt + 1})`);
  };
}
