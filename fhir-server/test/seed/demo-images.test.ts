import { jest } from '@jest/globals';
import { Client } from 'fhir-kit-client';
import { loadDemoData } from '../../src/demo.js';
import { loadDemoImages } from '../../src/demo-images.js';
import { call } from '../support/http.js';
import { useTestServer } from '../support/test-server.js';

// The demo dataset plus 100 CT slices of 512×512 on a fresh database.
jest.setTimeout(180_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const RESIDENT_ID = 'urn:oid:2.16.156.10011.1.3';

describe('demo images at start', () => {
  const server = useTestServer('postgres');
  let client: Client;
  let studies: Json[];

  beforeAll(async () => {
    await loadDemoData(server);
    client = new Client({ baseUrl: server.base });
    const bundle = (await client.search({ resourceType: 'ImagingStudy', searchParams: { _count: '50', _include: 'ImagingStudy:subject' } })) as Json;
    studies = bundle.entry.filter((e: Json) => e.resource.resourceType === 'ImagingStudy').map((e: Json) => e.resource);
  });

  it('stores a 100-slice CT, an MR and the re-identified samples as ImagingStudies of demo patients', async () => {
    expect(studies).toHaveLength(5);
    const ct = studies.find((s) => s.numberOfInstances === 100);
    expect(ct?.modality).toEqual([{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }]);
    expect(studies.filter((s) => s.modality?.[0]?.code === 'MR')).toHaveLength(2);
    expect(studies.some((s) => s.modality?.[0]?.code === 'CR')).toBe(true);
    for (const study of studies) {
      const patient = (await client.read({ resourceType: 'Patient', id: study.subject.reference.split('/')[1] })) as Json;
      // A demo patient from the seed (it has a health record number), not one the gateway made up.
      expect(patient.identifier.map((i: Json) => i.system)).toEqual(expect.arrayContaining([RESIDENT_ID, 'urn:oid:2.16.156.10011.1.2']));
    }
  });

  it('links the CT to its order by accession number, and the prior report to the older study of the same patient', async () => {
    const ct = studies.find((s) => s.numberOfInstances === 100);
    const order = (await client.read({ resourceType: 'ServiceRequest', id: ct.basedOn[0].reference.split('/')[1] })) as Json;
    expect(order.identifier[0].value).toBe('DEMO-CT-0001');
    expect(order.subject.reference).toBe(ct.subject.reference);
    const reports = (await client.search({ resourceType: 'DiagnosticReport', searchParams: { subject: ct.subject.reference, category: 'RAD' } })) as Json;
    expect(reports.entry).toHaveLength(1);
    const prior = studies.find((s) => s.id === reports.entry[0].resource.imagingStudy[0].reference.split('/')[1]);
    expect(prior?.subject.reference).toBe(ct.subject.reference);
    expect(prior?.started < ct.started).toBe(true);
  });

  it('serves the phantom through DICOMweb with Hounsfield values that differ by tissue', async () => {
    const ct = studies.find((s) => s.numberOfInstances === 100);
    const series = ct.series[0];
    const middle = series.instance.find((i: Json) => i.number === 40);
    const reply = await fetch(`${server.url}/dicomweb/studies/${ct.identifier[0].value.slice(8)}/series/${series.uid}/instances/${middle.uid}/frames/1`, {
      headers: { accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' },
    });
    expect(reply.status).toBe(200);
    const body = Buffer.from(await reply.arrayBuffer());
    // The frame is the last part: 512×512 16-bit values, then the closing boundary.
    const start = body.indexOf('\r\n\r\n') + 4;
    const pixels = new Uint16Array(body.buffer.slice(body.byteOffset + start, body.byteOffset + start + 512 * 512 * 2));
    // Mean Hounsfield units of the 9×9 square around (x, y).
    const hu = (x: number, y: number) => {
      let sum = 0;
      for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) sum += (pixels[(y + dy) * 512 + x + dx] ?? 0) - 1024;
      return sum / 81;
    };
    expect(hu(10, 10)).toBeLessThan(-950); // air
    expect(hu(256 + 87, 256)).toBeLessThan(-600); // lung
    expect(hu(256, 256)).toBeGreaterThan(20); // mediastinum
    expect(hu(256, 333)).toBeGreaterThan(150); // vertebral body
  });

  it('is not loaded again', async () => {
    await loadDemoImages(server);
    const reply = await call(server.base, 'GET', 'ImagingStudy?_summary=count');
    expect((reply.body as Json).total).toBe(5);
  });
});
