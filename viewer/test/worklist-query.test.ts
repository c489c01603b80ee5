import type { Bundle } from '@medplum/fhirtypes';
import { finalReportsSearch, patientDisplayName, worklistRows, worklistSearch } from '../src/worklist/query.js';

const params = (path: string): [string, string][] => [...new URLSearchParams(path.slice(path.indexOf('?') + 1)).entries()];

describe('worklist queries', () => {
  it('asks for studies with their patients, newest received first', () => {
    expect(params(worklistSearch({}))).toEqual([
      ['_include', 'ImagingStudy:subject'],
      ['_sort', '-_lastUpdated'],
      ['_count', '50'],
    ]);
  });

  it('turns each filter into a chained or direct search parameter', () => {
    const path = worklistSearch({ patientName: ' 张 ', patientId: '110101196503120017', dateFrom: '2026-01-01', dateTo: '2026-12-31', modality: 'CT', unreportedOnly: true });
    expect(path.startsWith('ImagingStudy?')).toBe(true);
    expect(params(path).slice(3)).toEqual([
      ['subject:Patient.name', '张'],
      ['subject:Patient.identifier', '110101196503120017'],
      ['started', 'ge2026-01-01'],
      ['started', 'le2026-12-31'],
      ['modality', 'CT'],
    ]);
  });

  it('looks for final reports of the listed patients only', () => {
    expect(finalReportsSearch([])).toBeUndefined();
    expect(params(finalReportsSearch(['Patient/a', 'Patient/b', 'Patient/a'])!)).toEqual([
      ['subject', 'Patient/a,Patient/b'],
      ['status', 'final,amended,corrected'],
      ['_elements', 'imagingStudy,status,subject'],
      ['_count', '1000'],
    ]);
  });

  const studies: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [
      { resource: { resourceType: 'ImagingStudy', id: 's2', status: 'available', subject: { reference: 'Patient/p1' }, identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.3.2' }] }, search: { mode: 'match' } },
      { resource: { resourceType: 'ImagingStudy', id: 's1', status: 'available', subject: { reference: 'Patient/p1' }, identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.3.1' }] }, search: { mode: 'match' } },
      { resource: { resourceType: 'Patient', id: 'p1', name: [{ family: 'Zhang', given: ['San'] }, { family: '张', given: ['三'] }] }, search: { mode: 'include' } },
    ],
  };
  const reports: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [{ resource: { resourceType: 'DiagnosticReport', status: 'final', code: {}, imagingStudy: [{ reference: 'http://example.org/fhir/ImagingStudy/s1' }] } }],
  };

  it('joins studies with their patients and marks the reported ones, keeping the server order', () => {
    const rows = worklistRows(studies, reports, {});
    expect(rows.map((r) => [r.study.id, r.studyUid, patientDisplayName(r.patient), r.reported])).toEqual([
      ['s2', '1.2.3.2', '张三', false],
      ['s1', '1.2.3.1', '张三', true],
    ]);
    expect(worklistRows(studies, reports, { unreportedOnly: true }).map((r) => r.study.id)).toEqual(['s2']);
    expect(worklistRows(studies, undefined, { unreportedOnly: true }).map((r) => r.study.id)).toEqual(['s2', 's1']);
  });
});
