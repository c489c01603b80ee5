import type { Resource } from '@medplum/fhirtypes';
import { escapeToken } from '@qiao/cda-adapters';
import { SYSTEM_PRINCIPAL } from '../auth/principal.js';
import { get } from '../operations/cda/fhir-io.js';
import type { Queryable } from '../repository/db.js';
import { handle } from '../router/router.js';
import type { Context, FhirRequest, FhirResponse } from '../router/types.js';
import { actorReference } from '../workflows/ecg/task.js';
import { parseAecg } from './aecg/parse.js';
import { parseDicomEcg } from './dicom.js';
import { ecgError } from './errors.js';
import { digestsOf, ecgTransaction } from './map.js';
import type { EcgRecording, Identifier } from './model.js';

type Json = Record<string, unknown>;

export type EcgFormat = 'dicom' | 'aecg';

export interface ImportOptions {
  /** The MD5 the sender computed (hex or base64): a different file is refused. */
  md5?: string;
  /** `Organization/…` that uploads (the clinic); default the caller's organisation. */
  requester?: string;
  /** `Organization/…` of the reading centre, when known at upload. */
  owner?: string;
  urgent?: boolean;
}

/** Which format the bytes are: by the declared media type, else by their first bytes. */
export function formatOf(contentType: string | undefined, bytes: Uint8Array): EcgFormat {
  if (contentType === 'application/dicom') return 'dicom';
  if (contentType && ['application/xml', 'text/xml', 'application/hl7-v3+xml'].includes(contentType)) return 'aecg';
  if (contentType && contentType !== 'application/octet-stream') {
    throw ecgError(415, 'ECG-MEDIA-001', `不支持的媒体类型 ${contentType}：请发送 application/dicom 或 application/xml`, `unsupported media type ${contentType}: send application/dicom or application/xml`, 'Content-Type');
  }
  if (bytes.length > 132 && Buffer.from(bytes.subarray(128, 132)).toString('latin1') === 'DICM') return 'dicom';
  return 'aecg';
}

/** MD5 as hex (32) or base64 (24, as Content-MD5 carries it) → lower-case hex. */
function md5Hex(value: string): string | undefined {
  if (/^[0-9a-fA-F]{32}$/.test(value)) return value.toLowerCase();
  if (/^[A-Za-z0-9+/]{22}==$/.test(value)) return Buffer.from(value, 'base64').toString('hex');
  return undefined;
}

export function parseEcg(format: EcgFormat, bytes: Uint8Array, siteOffset: string): EcgRecording {
  return format === 'dicom' ? parseDicomEcg(bytes, siteOffset) : parseAecg(bytes, siteOffset);
}

const token = (id: Identifier) => `${escapeToken(id.system)}|${escapeToken(id.value)}`;

async function first(ctx: Context, q: Queryable, outer: FhirRequest, type: string, query: [string, string][]): Promise<Json | undefined> {
  const bundle = await get(ctx, q, outer, type, [...query, ['_count', '1']]);
  return ((bundle.entry as Json[] | undefined) ?? [])[0]?.resource as Json | undefined;
}

/**
 * Stores one ECG file (both formats, from `$ecg-import` and from the DICOM gateway): integrity
 * checked, parsed, the patient matched by the file's identifiers (else created), the order
 * matched by accession number (else created), all in one transaction; the transaction-response
 * Bundle is the answer.
 */
export async function importEcg(ctx: Context, q: Queryable, outer: FhirRequest, bytes: Uint8Array, format: EcgFormat, o: ImportOptions = {}): Promise<FhirResponse> {
  const digests = digestsOf(bytes);
  if (o.md5 !== undefined) {
    const expected = md5Hex(o.md5);
    if (!expected) throw ecgError(400, 'ECG-MD5-001', `md5 参数不是 MD5 值（32 位十六进制或 Base64）：${o.md5.slice(0, 40)}`, `the md5 parameter is not an MD5 value (32 hex digits or base64): ${o.md5.slice(0, 40)}`, 'md5');
    if (expected !== digests.md5) {
      throw ecgError(400, 'ECG-MD5-002', `MD5 一致性校验失败：收到的文件 MD5 为 ${digests.md5}，发送方声明 ${expected}（传输中损坏或不是同一文件）`, `MD5 check failed: the received file's MD5 is ${digests.md5}, the sender declared ${expected} (damaged in transit or another file)`, 'md5', 'invalid');
    }
  }
  const recording = parseEcg(format, bytes, ctx.config.siteUtcOffset);
  const stored = await first(ctx, q, outer, 'DocumentReference', [['identifier', token(recording.uid)]]);
  let patient = (stored?.subject as { reference?: string } | undefined)?.reference;
  for (const id of patient ? [] : recording.patient.identifiers) {
    const match = await first(ctx, q, outer, 'Patient', [['identifier', token(id)]]);
    if (match) {
      patient = `Patient/${String(match.id)}`;
      break;
    }
  }
  const matchedOrder =
    (await first(ctx, q, outer, 'ServiceRequest', [['identifier', token(recording.uid)]])) ??
    (recording.accession ? await first(ctx, q, outer, 'ServiceRequest', [['identifier', escapeToken(recording.accession)]]) : undefined);
  const order = matchedOrder ? `ServiceRequest/${String(matchedOrder.id)}` : undefined;
  // The clinic: as the caller says, else the caller's organisation, else the organisation that placed the matched order.
  const ordered = (matchedOrder?.requester as { reference?: string } | undefined)?.reference;
  const requester = o.requester ?? outer.principal.organisation ?? (ordered?.startsWith('Organization/') ? ordered : undefined);
  const actor = actorReference(outer.principal);
  const bundle = ecgTransaction(recording, bytes, digests, {
    ...(patient ? { patient } : {}),
    ...(order ? { order } : {}),
    ...(requester ? { requester } : {}),
    ...(o.owner ? { owner: o.owner } : {}),
    ...(actor ? { actor } : {}),
    ...(o.urgent ? { urgent: true } : {}),
    now: new Date().toISOString(),
    binaryStored: !!stored,
  });
  const res = await handle(ctx, { method: 'POST', path: '', query: [], body: bundle as unknown as Resource, prefer: {}, baseUrl: outer.baseUrl, principal: outer.principal });
  // A centre named at upload: the platform dispatches the new reading to it at once (step 3).
  const task = ((res.body as Json | undefined)?.entry as Json[] | undefined)?.map((e) => e.response as Json | undefined).find((r) => String(r?.location ?? '').startsWith('Task/'));
  if (o.owner && task && String(task.status).startsWith('201')) {
    const id = String(task.location).split('/')[1] as string;
    await handle(ctx, { method: 'POST', path: `Task/${id}/$ecg-transition`, query: [], body: { resourceType: 'Parameters', parameter: [{ name: 'action', valueCode: 'dispatch' }] } as Resource, prefer: {}, baseUrl: outer.baseUrl, principal: SYSTEM_PRINCIPAL });
  }
  return res;
}
