/**
 * Where an ordering organisation's PACS is: data first — an active `Organization.endpoint` of
 * connection type `dicom-dimse` with address `dicom://AE@host:port` — else the operator's
 * `QIAO_REPORT_PACS` entry for the organisation.
 */
import type { Endpoint, Organization } from '@medplum/fhirtypes';
import type { Peer } from '@qiao/dicom-gateway';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { localReference, readResource } from '../critical-values/fhir-calls.js';
import { DIMSE_CONNECTION } from './codes.js';

export interface PacsTarget {
  peer: Peer;
  /** `Endpoint/…`, or `QIAO_REPORT_PACS`. */
  source: string;
}

/** `AE@host:port` (IPv6 host in brackets), with or without a `dicom://` scheme. */
export function parsePeer(text: string): Peer | undefined {
  const m = /^(?:dicom:\/\/)?([\x20-\x3f\x41-\x5b\x5d-\x7e]{1,16})@(\[[^\]]+\]|[^:/@]+):(\d{1,5})\/?$/.exec(text.trim());
  if (!m || Number(m[3]) > 65535 || Number(m[3]) === 0) return undefined;
  return { aeTitle: (m[1] as string).trim(), host: (m[2] as string).replace(/^\[|\]$/g, ''), port: Number(m[3]) };
}

export const peerText = (peer: Peer): string => `${peer.aeTitle}@${peer.host.includes(':') ? `[${peer.host}]` : peer.host}:${peer.port}`;

export async function pacsFor(ctx: Context, q: Queryable, outer: FhirRequest, organisation: string): Promise<PacsTarget | undefined> {
  const org = await readResource<Organization>(ctx, q, outer, organisation);
  for (const ref of org?.endpoint ?? []) {
    const id = localReference(ref.reference, 'Endpoint');
    const endpoint = id ? await readResource<Endpoint>(ctx, q, outer, id) : undefined;
    const dimse = endpoint?.status === 'active' && endpoint.connectionType.system === DIMSE_CONNECTION.system && endpoint.connectionType.code === DIMSE_CONNECTION.code;
    const peer = dimse ? parsePeer(endpoint.address) : undefined;
    if (peer) return { peer, source: id as string };
  }
  const configured = ctx.config.reporting.pacs.find((p) => p.organisation === organisation);
  return configured ? { peer: { aeTitle: configured.aeTitle, host: configured.host, port: configured.port }, source: 'QIAO_REPORT_PACS' } : undefined;
}
