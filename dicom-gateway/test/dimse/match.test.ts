import { matchesIdentifier } from '../../src/dimse/match.js';
import { project } from '../../src/dimse/identifier.js';

const item = {
  PatientName: { Alphabetic: 'Li^Si', Ideographic: '李^四' },
  PatientID: 'MWL-42',
  StudyInstanceUID: '1.2.3',
  ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledProcedureStepStartDate: '20261206', ScheduledProcedureStepStartTime: '093000' }],
};

describe('C-FIND matching (PS3.4 C.2.2.2)', () => {
  it.each([
    [{ PatientID: 'MWL-42' }, true],
    [{ PatientID: 'MWL-4' }, false],
    [{ PatientID: 'MWL-*' }, true],
    [{ PatientID: 'MWL-4?' }, true],
    [{ PatientID: '' }, true],
    [{ PatientName: [{ Ideographic: '李*' }] }, true],
    [{ PatientName: [{ Alphabetic: 'li^si' }] }, true],
    [{ PatientName: [{ Alphabetic: 'Wang*' }] }, false],
    [{ StudyInstanceUID: ['9.9', '1.2.3'] }, true],
    [{ StudyInstanceUID: '1.2' }, false],
    [{ ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledProcedureStepStartDate: '20261201-20261231' }] }, true],
    [{ ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartDate: '20261207-' }] }, false],
    [{ ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartDate: '-20261206' }] }, true],
    [{ ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartTime: '0900-0959' }] }, true],
    [{ ScheduledProcedureStepSequence: [{ Modality: 'MR' }] }, false],
  ])('%j → %s', (identifier, expected) => {
    expect(matchesIdentifier(identifier, item)).toBe(expected);
  });

  it('a response carries exactly the keys asked for, empty when the match has none', () => {
    const answer = project({ PatientID: '', AccessionNumber: '', ScheduledProcedureStepSequence: [{ Modality: '' }] }, item);
    expect(answer).toEqual({ PatientID: 'MWL-42', AccessionNumber: '', ScheduledProcedureStepSequence: [{ Modality: 'CT' }] });
  });
});
