import type { ImagingStudy } from '@medplum/fhirtypes';
import { buildReport, CN_IMAGING_REPORT_PROFILE, findingsOf, isAbout, isCritical, isSigned, reportCode } from '../src/report/resource.js';

const study: ImagingStudy = {
  resourceType: 'ImagingStudy',
  id: 'is1',
  status: 'available',
  subject: { reference: 'Patient/p1' },
  started: '2026-12-05T09:30:00+08:00',
  description: '胸部CT平扫',
  modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
  basedOn: [{ reference: 'ServiceRequest/sr1' }, { reference: 'CarePlan/cp1' }],
};

describe('the DiagnosticReport the report panel writes', () => {
  it('takes its code from the procedure code, else from the modality', () => {
    expect(reportCode(study).coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '18747-6' });
    expect(reportCode(study).text).toBe('胸部CT平扫');
    expect(reportCode({ ...study, modality: [{ code: 'CR' }] }).coding?.[0]?.code).toBe('18748-4');
    const procedure = { coding: [{ system: 'urn:qiao:test:procedure', code: 'CT-CHEST' }] };
    expect(reportCode({ ...study, procedureCode: [procedure] })).toEqual({ ...procedure, text: '胸部CT平扫' });
  });

  it('links the study, its order and the reading physician, and keeps Chinese findings intact', () => {
    const report = buildReport({ status: 'final', imagingStudy: study, findings: '右肺上叶结节 8mm。', impression: '肺结节', critical: true, interpreter: 'Practitioner/d1', lang: 'zh-CN', now: new Date('2026-12-05T03:00:00Z') });
    expect(report.meta?.profile).toEqual([CN_IMAGING_REPORT_PROFILE]);
    expect(report.basedOn).toEqual([{ reference: 'ServiceRequest/sr1' }]);
    expect(report.imagingStudy).toEqual([{ reference: 'ImagingStudy/is1' }]);
    expect(report.resultsInterpreter).toEqual([{ reference: 'Practitioner/d1' }]);
    expect(report.effectiveDateTime).toBe(study.started);
    expect(report.issued).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(findingsOf(report)).toBe('右肺上叶结节 8mm。');
    expect(isCritical(report)).toBe(true);
    expect(isSigned(report)).toBe(true);
    expect(isAbout(report, 'is1')).toBe(true);
    expect(isAbout(report, 'is2')).toBe(false);
  });

  it('leaves out what was not written', () => {
    const report = buildReport({ status: 'preliminary', imagingStudy: { ...study, basedOn: [] }, findings: ' ', impression: '', critical: false, lang: 'en', now: new Date() });
    expect(report).not.toHaveProperty('presentedForm');
    expect(report).not.toHaveProperty('conclusion');
    expect(report).not.toHaveProperty('conclusionCode');
    expect(report).not.toHaveProperty('basedOn');
    expect(report).not.toHaveProperty('resultsInterpreter');
    expect(isSigned(report)).toBe(false);
  });
});
