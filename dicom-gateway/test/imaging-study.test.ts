import { imagingStudy, issuerSystem, patientKeys, patientResource, startedOf, SYSTEMS } from '../src/fhir/imaging-study.js';
import type { DicomJson } from '../src/dicom/json.js';

const attrs: DicomJson = {
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' }] },
  '00100020': { vr: 'LO', Value: ['MRN-1'] },
  '00100021': { vr: 'LO', Value: ['1.2.156.112604.1.2.3'] },
  '00100030': { vr: 'DA', Value: ['19800214'] },
  '00100040': { vr: 'CS', Value: ['M'] },
  '00101002': { vr: 'SQ', Value: [{ '00100020': { vr: 'LO', Value: ['11010519491231002X'] }, '00100021': { vr: 'LO', Value: ['2.16.156.10011.1.3'] } }] },
};

describe('ImagingStudy sync', () => {
  it('matches on the resident ID first, then Patient ID in its issuer namespace', () => {
    expect(patientKeys(attrs)).toEqual([
      { system: SYSTEMS.residentId, value: '11010519491231002X' },
      { system: 'urn:oid:1.2.156.112604.1.2.3', value: 'MRN-1' },
    ]);
    expect(issuerSystem(undefined)).toBe(SYSTEMS.localPatientId);
    expect(issuerSystem('HOSP A')).toBe('urn:qiao:dicom:issuer:HOSP%20A');
  });

  it('creates a Patient with the Chinese name first, birth date and gender', () => {
    const patient = patientResource(attrs, patientKeys(attrs));
    expect(patient.name).toEqual([
      { use: 'official', text: '王小東', family: '王', given: ['小東'] },
      { use: 'official', text: 'XiaoDong Wang', family: 'Wang', given: ['XiaoDong'] },
    ]);
    expect(patient).toMatchObject({ birthDate: '1980-02-14', gender: 'male' });
  });

  it('writes a Han name family first without spaces also when it came in the Alphabetic group', () => {
    const named = (pn: object) => patientResource({ '00100010': { vr: 'PN', Value: [pn] } }, []).name;
    expect(named({ Alphabetic: '欧阳^娜娜' })).toEqual([{ use: 'official', text: '欧阳娜娜', family: '欧阳', given: ['娜娜'] }]);
    expect(named({ Alphabetic: '孙^七' })).toEqual([{ use: 'official', text: '孙七', family: '孙', given: ['七'] }]);
    expect(named({ Alphabetic: 'Sun^Qi' })).toEqual([{ use: 'official', text: 'Qi Sun', family: 'Sun', given: ['Qi'] }]);
  });

  it('dates the study in its own UTC offset when given, else in the site zone', () => {
    expect(startedOf('20240105', '101500.123', {}, '+08:00')).toBe('2024-01-05T10:15:00+08:00');
    expect(startedOf('20240105', '1015', { '00080201': { vr: 'SH', Value: ['-0500'] } }, '+08:00')).toBe('2024-01-05T10:15:00-05:00');
    expect(startedOf('20240105', null, {}, '+08:00')).toBe('2024-01-05');
    expect(startedOf('2024', '1015', {}, '+08:00')).toBeUndefined();
  });

  it('leaves started out for an impossible date or a time of no day, and reads ACR-NEMA hh:mm:ss', () => {
    expect(startedOf('20250230', '093000', {}, '+08:00')).toBeUndefined();
    expect(startedOf('20230229', null, {}, '+08:00')).toBeUndefined();
    expect(startedOf('20240229', '235960', {}, '+08:00')).toBe('2024-02-29T23:59:60+08:00');
    for (const time of ['2500', '096000', '24', '1261', '12:60:00']) expect([time, startedOf('20240105', time, {}, '+08:00')]).toEqual([time, undefined]);
    expect(startedOf('20240105', '14:45:30', {}, '+08:00')).toBe('2024-01-05T14:45:30+08:00');
    expect(startedOf('20240105', '09:30:15.25', {}, '+08:00')).toBe('2024-01-05T09:30:15+08:00');
  });

  it('lists series and instances with counts, SOP classes as URNs and the accession identifier', () => {
    const study = imagingStudy(
      {
        studyUid: '1.2.3',
        attrs,
        studyDate: '20240105',
        studyTime: '101500',
        accession: 'ACC9',
        modalities: ['CT'],
        series: [{ uid: '1.2.3.4', attrs: {}, modality: 'CT', number: 2, instances: [{ uid: '1.2.3.4.5', sopClass: '1.2.840.10008.5.1.4.1.1.2', number: 1 }] }],
      },
      { patient: 'Patient/p', endpoint: 'Endpoint/e', serviceRequest: 'ServiceRequest/s' },
      '+08:00',
    );
    expect(study).toMatchObject({
      identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.3' }, { type: { coding: [{ code: 'ACSN' }] }, value: 'ACC9' }],
      numberOfSeries: 1,
      numberOfInstances: 1,
      basedOn: [{ reference: 'ServiceRequest/s' }],
      series: [{ uid: '1.2.3.4', number: 2, numberOfInstances: 1, instance: [{ sopClass: { system: 'urn:ietf:rfc:3986', code: 'urn:oid:1.2.840.10008.5.1.4.1.1.2' } }] }],
    });
  });
});
