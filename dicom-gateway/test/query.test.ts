import { findSeries, findStudies, QueryError, resolveKeys } from '../src/store/query.js';
import type { SqlQueryable } from '../src/ports.js';

/** Captures the SQL and parameters a query builds, answering with no rows. */
function capture(): { q: SqlQueryable; calls: { sql: string; params: readonly unknown[] }[] } {
  const calls: { sql: string; params: readonly unknown[] }[] = [];
  return {
    calls,
    q: {
      async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
        calls.push({ sql, params });
        return [];
      },
    },
  };
}

describe('QIDO matching', () => {
  it('turns DICOM wildcards into LIKE patterns with LIKE metacharacters escaped', async () => {
    const { q, calls } = capture();
    await findStudies(q, { match: { AccessionNumber: 'A_1*', PatientID: '10%?' } });
    expect(calls[0]?.params).toEqual(expect.arrayContaining(['A\\_1%', '10\\%_']));
  });

  it('matches a date range with open ends and rejects junk dates', async () => {
    const { q, calls } = capture();
    await findStudies(q, { match: { StudyDate: '20240101-' } });
    expect(calls[0]?.sql).toContain('st.study_date >= $1');
    expect(calls[0]?.sql).not.toContain('<=');
    for (const bad of ['2024-01-01', '20241301x', '20240102-20240101', '-', 'DROP TABLE']) {
      await expect(findStudies(q, { match: { StudyDate: bad } })).rejects.toBeInstanceOf(QueryError);
    }
  });

  it('refuses impossible dates and times as it refuses malformed ones', async () => {
    const { q, calls } = capture();
    for (const [key, bad] of [['StudyDate', '20241301'], ['StudyDate', '20240230'], ['StudyDate', '20230229-'], ['StudyTime', '256000'], ['StudyTime', '1060'], ['StudyTime', '-0960'], ['StudyTime', '14:45']] as const) {
      await expect(findStudies(q, { match: { [key]: bad } })).rejects.toMatchObject({ key });
    }
    expect(calls).toEqual([]);
    await findStudies(q, { match: { StudyDate: '20240229', StudyTime: '235960-' } });
    expect(calls[0]?.params.slice(0, 2)).toEqual(['20240229', '235960']);
  });

  it('refuses a control character in any matching value, naming the key, before any SQL', async () => {
    const { q, calls } = capture();
    for (const [key, value] of [['PatientName', '\0'], ['PatientID', 'a\0b'], ['AccessionNumber', '\0'], ['Modality', 'CT\0'], ['ModalitiesInStudy', 'CT\0']] as const) {
      await expect(findSeries(q, { match: { [key]: value } })).rejects.toMatchObject({ key, reason: { en: expect.stringMatching(/control character/) } });
    }
    await expect(findStudies(q, { match: { PatientName: 'wang\0' }, fuzzy: true })).rejects.toBeInstanceOf(QueryError);
    expect(calls).toEqual([]);
  });

  it('takes UID lists with backslash or comma and refuses anything but digits and dots', async () => {
    const { q, calls } = capture();
    await findStudies(q, { match: { StudyInstanceUID: '1.2.3\\1.2.4,1.2.5' } });
    expect(calls[0]?.params[0]).toEqual(['1.2.3', '1.2.4', '1.2.5']);
    await expect(findStudies(q, { match: { StudyInstanceUID: "1.2'; --" } })).rejects.toThrow(/UID/);
  });

  it('matches person names by groups, or by word prefixes when fuzzy', async () => {
    const { q, calls } = capture();
    await findStudies(q, { match: { PatientName: 'wang^xiao*' } });
    expect(calls[0]?.sql).toContain('unnest(p.name_groups)');
    expect(calls[0]?.params[0]).toBe('WANG^XIAO%');
    await findStudies(q, { match: { PatientName: 'Xiao Wa' }, fuzzy: true });
    expect(calls[1]?.sql.match(/unnest\(p.name_words\)/g)).toHaveLength(2);
    expect(calls[1]?.params.slice(0, 2)).toEqual(['XIAO%', 'WA%']);
  });

  it('reports keys that the level does not match on instead of failing', () => {
    const { used, ignored } = resolveKeys({ match: { Modality: 'CT', PatientName: 'A*', PatientAge: '040Y', StudyDate: '' } }, 'study');
    expect(used.map((u) => u.keyword)).toEqual(['PatientName', 'StudyDate']);
    expect(ignored).toEqual(['Modality', 'PatientAge']);
  });
});
