import { concretePath } from '../../src/validation/structure.js';
import { describeStructureIssue } from '../../src/validation/structure-messages.js';

describe('describeStructureIssue', () => {
  it('rewrites each known medplum message in English and Chinese', () => {
    expect(describeStructureIssue('Invalid additional property "foo"')).toEqual({ en: 'Unknown element "foo"', zh: '未知元素 "foo"' });
    expect(describeStructureIssue('Missing required property')).toEqual({ en: 'Required element is missing', zh: '缺少必填元素', code: 'required' });
    expect(describeStructureIssue('Invalid number of values: expected 1..*, but found 0')).toEqual({
      en: 'Wrong number of values: expected 1..*, found 0',
      zh: '值的个数不符：应为 1..*，实际为 0',
    });
    expect(describeStructureIssue('Invalid date format')).toEqual({ en: 'Not a valid FHIR date', zh: '不是有效的 FHIR date 值', code: 'value' });
    expect(describeStructureIssue('Invalid JSON type: expected boolean, but got string')).toEqual({
      en: 'Wrong JSON type: expected boolean, got string',
      zh: 'JSON 类型错误：应为布尔值，实际为字符串',
    });
    expect(describeStructureIssue('Constraint pat-1 not met: SHALL at least contain a contact\'s details')).toEqual({
      en: "Constraint pat-1 failed: SHALL at least contain a contact's details",
      zh: "不满足约束 pat-1：SHALL at least contain a contact's details",
      code: 'invariant',
    });
    expect(describeStructureIssue('Expected number to be positive').zh).toBe('必须是正整数');
  });

  it('keeps an unknown message in English and says in Chinese that the structure check failed', () => {
    expect(describeStructureIssue('Something new')).toEqual({ en: 'Something new', zh: '结构校验未通过：Something new' });
  });
});

describe('concretePath', () => {
  const observation = {
    resourceType: 'Observation',
    component: [{ valueString: 'a' }, { valueQuantity: { value: '1' } }],
    effectivePeriod: { start: 'x' },
    _valueBoolean: { id: 'b' },
  };
  it('replaces each [x] with the property present at that place', () => {
    expect(concretePath('Observation.component[1].value[x].value', observation)).toBe('Observation.component[1].valueQuantity.value');
    expect(concretePath('Observation.component[0].value[x]', observation)).toBe('Observation.component[0].valueString');
    expect(concretePath('Observation.effective[x].start', observation)).toBe('Observation.effectivePeriod.start');
    expect(concretePath('Observation.value[x]', observation)).toBe('Observation.valueBoolean');
  });
  it('leaves paths without choices, or choices it cannot find, as they are', () => {
    expect(concretePath('Observation.component[0].code', observation)).toBe('Observation.component[0].code');
    expect(concretePath('Observation.component[5].value[x]', observation)).toBe('Observation.component[5].value[x]');
  });
});
