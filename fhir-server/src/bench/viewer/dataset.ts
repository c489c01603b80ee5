import { randomBytes } from 'node:crypto';
import { syntheticSeries } from '@qiao/dicom-gateway';

/** STOW-RS of Part 10 files in one multipart request (PS3.18 §10.5). */
export async function stow(origin: string, files: Buffer[], headers: Record<string, string> = {}): Promise<void> {
  const boundary = `qiao-${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const file of files) parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), file, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const reply = await fetch(`${origin}/dicomweb/studies`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`, Accept: 'application/dicom+json' },
    body: Buffer.concat(parts),
  });
  if (!reply.ok) throw new Error(`STOW: HTTP ${reply.status} ${await reply.text()}`);
}

export interface CtStudy {
  studyUid: string;
  seriesUid: string;
  slices: number;
}

/** A synthetic axial CT (body phantom, HU with rescale) stored through STOW in batches of 20 slices. */
export async function storeCtStudy(origin: string, o: { slices: number; rows: number; columns: number; patientName?: string; patientId?: string; studyDate?: string; description?: string }): Promise<CtStudy> {
  const root = `2.25.${BigInt(`0x${randomBytes(12).toString('hex')}`).toString()}`;
  const studyUid = `${root}.1`;
  const seriesUid = `${root}.1.1`;
  let batch: Buffer[] = [];
  for (const slice of syntheticSeries({
    modality: 'CT',
    studyInstanceUid: studyUid,
    seriesInstanceUid: seriesUid,
    sopInstanceUid: (i) => `${seriesUid}.${i + 1}`,
    slices: o.slices,
    rows: o.rows,
    columns: o.columns,
    attributes: {
      PatientName: o.patientName ?? 'Zhang^San=张^三',
      PatientID: o.patientId ?? 'CT-0001',
      PatientSex: 'M',
      PatientBirthDate: '19650312',
      StudyDate: o.studyDate ?? '20261205',
      StudyTime: '093000',
      StudyDescription: o.description ?? '胸部 CT 平扫',
      SeriesDescription: 'Axial 5mm',
      AccessionNumber: `A${root.slice(-8)}`,
    },
  })) {
    batch.push(slice.data);
    if (batch.length === 20) {
      await stow(origin, batch);
      batch = [];
    }
  }
  if (batch.length) await stow(origin, batch);
  return { studyUid, seriesUid, slices: o.slices };
}

/** Waits until the gateway's ImagingStudy for a study is searchable (its sync may trail the STOW reply). */
export async function waitForImagingStudy(fhirBase: string, studyUid: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await fetch(`${fhirBase}/ImagingStudy?identifier=${encodeURIComponent(`urn:dicom:uid|urn:oid:${studyUid}`)}&_summary=count`);
    const bundle = (await reply.json()) as { total?: number };
    if ((bundle.total ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error(`no ImagingStudy for ${studyUid} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
