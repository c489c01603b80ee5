import { HELP, actionFor } from '../src/study/shortcuts.js';

const key = (k: string, extra: Partial<KeyboardEvent> = {}) => ({ key: k, code: '', shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...extra });

describe('keyboard shortcuts', () => {
  it('maps keys to actions', () => {
    expect(actionFor(key('ArrowDown'))).toEqual({ kind: 'scroll', delta: 1 });
    expect(actionFor(key('PageUp'))).toEqual({ kind: 'scroll', delta: -10 });
    expect(actionFor(key('2'))).toEqual({ kind: 'preset', index: 1 });
    expect(actionFor(key('L'))).toEqual({ kind: 'tool', tool: 'length' });
    expect(actionFor(key(' '))).toEqual({ kind: 'reset' });
    expect(actionFor(key('@', { shiftKey: true, code: 'Digit2' }))).toEqual({ kind: 'layout', layout: '1x2' });
    expect(actionFor(key('"', { shiftKey: true, code: 'Digit2' }))).toEqual({ kind: 'layout', layout: '1x2' });
  });

  it('leaves browser shortcuts and unbound keys alone', () => {
    expect(actionFor(key('r', { ctrlKey: true }))).toBeUndefined();
    expect(actionFor(key('q'))).toBeUndefined();
  });

  it('documents every binding class in the help panel', () => {
    expect(HELP.map((row) => row.message)).toEqual(expect.arrayContaining(['key_scroll', 'key_presets', 'key_tools', 'key_cine', 'key_layout', 'key_help']));
  });
});
