import { createTerminology, NATIONAL, shippedContent } from '@qiao/terminology';
import { ETHNICITIES, MARITAL_STATUSES } from '../../src/seed/demographics.js';
import { DIAGNOSES } from '../../src/seed/diagnoses.js';
import { DIVISIONS } from '../../src/seed/divisions.js';
import { LAB_TESTS, PANELS } from '../../src/seed/labs.js';
import { CS } from '../../src/seed/systems.js';

// The curated subsets of the licensed systems must hold every code the demo data writes.
describe('codes of the demo data in the shipped terminology', () => {
  const t = createTerminology({ resources: shippedContent() });
  const valid = (system: string, code: string, display?: string) => {
    const r = t.validateCode({ system, code, ...(display ? { display } : {}) });
    return `${code} ${r.result ? 'ok' : r.issues.map((i) => i.en).join()}${r.issues.some((i) => i.id === 'TX-WRONG-DISPLAY') ? ' (display)' : ''}`;
  };

  it('diagnoses: ICD-10 national clinical edition and WHO ICD-10, with the map between them', () => {
    for (const d of DIAGNOSES) {
      expect(valid(NATIONAL.icd10cn, d.code, d.zh)).toBe(`${d.code} ok`);
      expect(valid(CS.icd10, d.who)).toBe(`${d.who} ok`);
      expect(t.translate({ system: NATIONAL.icd10cn, code: d.code, target: CS.icd10 }).matches.map((m) => m.code)).toEqual([d.who]);
    }
  });

  it('labs and panels: LOINC with their Chinese names', () => {
    for (const l of [...LAB_TESTS, ...PANELS]) {
      expect(valid(CS.loinc, l.loinc, l.display)).toBe(`${l.loinc} ok`);
      expect(valid(CS.loinc, l.loinc, l.zh)).toBe(`${l.loinc} ok`);
    }
  });

  it('ethnicities, marital statuses and divisions', () => {
    for (const e of ETHNICITIES) expect(valid(CS.ethnicity, e.code, e.name)).toBe(`${e.code} ok`);
    for (const m of Object.values(MARITAL_STATUSES)) expect(valid(CS.maritalStatus, m.code, m.display)).toBe(`${m.code} ok`);
    for (const d of DIVISIONS) expect(valid(NATIONAL.division, d.code, d.county)).toBe(`${d.code} ok`);
  });
});
