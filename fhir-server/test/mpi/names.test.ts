import { compareNames } from '../../src/mpi/names.js';

const n = (text: string, family?: string, given?: string) => [{ text, ...(family ? { family } : {}), ...(given ? { given: [given] } : {}) }];

describe('Chinese name comparison', () => {
  it.each([
    ['张伟', '张伟', 'agree'],
    ['张 伟', '张伟', 'agree'],
    ['章伟', '张伟', 'pinyin'],
    ['单雄信', '善雄信', 'pinyin'], // 单 read as the surname shàn
    ['张伟明', '张伟', 'similar'],
    ['张伟', '张玮玮', 'family'],
    ['王芳', '李娜', 'disagree'],
    ['阿依古丽·买买提', '阿依古丽买买提', 'agree'],
    ['欧阳娜娜', '欧阳菲菲', 'family'],
    ['欧阳娜娜', '欧丽丽', 'disagree'], // 欧阳 and 欧 are different families
  ])('%s vs %s: %s', (a, b, outcome) => {
    expect(compareNames(n(a), n(b))).toBe(outcome);
  });

  it('reads Latin letters as pinyin, in either order, and takes the best of several names', () => {
    expect(compareNames([{ family: 'Zhang', given: ['Wei'] }], n('张伟'))).toBe('pinyin');
    expect(compareNames([{ text: 'Wei Zhang', family: 'Zhang', given: ['Wei'] }], n('张伟'))).toBe('pinyin');
    expect(compareNames([...n('李娜'), ...n('张伟')], n('张伟'))).toBe('agree');
    expect(compareNames(undefined, n('张伟'))).toBeUndefined();
  });
});
