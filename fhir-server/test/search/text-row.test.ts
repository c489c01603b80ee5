import { extractIndex } from '../../src/search/index/extract.js';

/** The `_content` text of a resource: the one row of its text table. */
function contentOf(resource: Record<string, unknown>): string {
  const [row] = extractIndex(resource).text;
  return String(row?.[1]);
}

const count = (text: string, word: string) => text.split(word).length - 1;

describe('the _content text of a resource', () => {
  const entity = (id: string) => ({
    what: { reference: `Patient/${id}` },
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
    role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
  });
  const record = { resourceType: 'AuditEvent', id: 'a1', entity: ['p1', 'p2', 'p3'].map(entity), source: { site: 'Qiao 桥 Ｑｉａｏ' } };

  it('holds every distinct string once, folded, in the order first met', () => {
    const text = contentOf(record);
    expect(count(text, 'audit-entity-type')).toBe(1);
    expect(count(text, 'person')).toBe(1);
    for (const id of ['p1', 'p2', 'p3']) expect(count(text, `patient/${id}`)).toBe(1);
    expect(text.indexOf('patient/p1')).toBeLessThan(text.indexOf('patient/p2'));
    expect(text).toContain('qiao 桥 qiao');
  });

  it('is the text of the resource with the repeats left out, so a word found before is found now', () => {
    const once = contentOf({ ...record, entity: [entity('p1')] });
    for (const word of once.split(' ')) expect(contentOf(record)).toContain(word);
  });
});
