import { ageAtStudy, displayName, formatDate, overlayLines } from '../src/study/overlay.js';

describe('viewport overlay', () => {
  it('shows the ideographic (Chinese) name when the person name has one', () => {
    expect(displayName(undefined, { Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' })).toBe('王小東');
    expect(displayName('Zhang^San=张^三')).toBe('张三');
    expect(displayName(undefined, { Alphabetic: '李^雷' })).toBe('李雷');
    expect(displayName(undefined, { Alphabetic: 'Doe^John' })).toBe('Doe John');
  });

  it('computes the age at the study date, preferring the stated Patient Age', () => {
    expect(ageAtStudy({ patientAge: '045Y', patientBirthDate: '19000101', studyDate: '20261205' })).toBe(45);
    expect(ageAtStudy({ patientBirthDate: '19651206', studyDate: '20261205' })).toBe(60);
    expect(ageAtStudy({ patientBirthDate: '19651205', studyDate: '20261205' })).toBe(61);
    expect(ageAtStudy({ patientBirthDate: '19651205' })).toBeUndefined();
  });

  it('lays out the four corners in either language', () => {
    const input = { patientName: '张三', patientSex: 'M', patientBirthDate: '19650312', studyDate: '20261205', modality: 'CT', seriesNumber: '3', seriesDescription: 'Axial 5mm' };
    const state = { index: 7, total: 100, position: -15, window: { width: 1500, center: -600 } };
    expect(overlayLines(input, state, 'zh-CN')).toEqual({
      topLeft: ['张三', '61 岁 / 男'],
      topRight: ['2026-12-05', 'CT 序列 3 Axial 5mm'],
      bottomLeft: ['层 7/100', '位置 -15.0 mm'],
      bottomRight: ['窗宽/窗位 1500/-600'],
    });
    expect(overlayLines(input, state, 'en').bottomLeft).toEqual(['Image 7/100', 'Position -15.0 mm']);
    expect(overlayLines({ patientSex: 'F' }, { index: 1, total: 1 }, 'en')).toEqual({ topLeft: ['F'], topRight: [], bottomLeft: ['Image 1/1'], bottomRight: [] });
  });

  it('formats DICOM and FHIR dates alike', () => {
    expect(formatDate('20261205')).toBe('2026-12-05');
    expect(formatDate('2026-12-05T09:30:00+08:00')).toBe('2026-12-05');
    expect(formatDate('garbage')).toBe('');
  });
});
