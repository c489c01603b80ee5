import type { MessageId } from '../i18n.js';

/** Everything the keyboard can do in the study view. */
export type Action =
  | { kind: 'scroll'; delta: number }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'preset'; index: number }
  | { kind: 'tool'; tool: ToolId }
  | { kind: 'rotate' }
  | { kind: 'flipH' }
  | { kind: 'flipV' }
  | { kind: 'invert' }
  | { kind: 'reset' }
  | { kind: 'cine' }
  | { kind: 'layout'; layout: LayoutId }
  | { kind: 'clearMeasurements' }
  | { kind: 'help' };

export type ToolId = 'windowLevel' | 'pan' | 'zoom' | 'length' | 'angle' | 'rectangleRoi' | 'ellipseRoi' | 'probe';
export type LayoutId = '1x1' | '1x2' | '2x2';

export const TOOL_KEYS: Record<ToolId, string> = { windowLevel: 'w', pan: 'p', zoom: 'z', length: 'l', angle: 'a', rectangleRoi: 'b', ellipseRoi: 'e', probe: 'o' };

interface Binding {
  /** KeyboardEvent.key values (case-insensitive for letters). */
  keys: readonly string[];
  shift?: boolean;
  action: Action;
}

const BINDINGS: readonly Binding[] = [
  { keys: ['ArrowUp', 'ArrowLeft'], action: { kind: 'scroll', delta: -1 } },
  { keys: ['ArrowDown', 'ArrowRight'], action: { kind: 'scroll', delta: 1 } },
  { keys: ['PageUp'], action: { kind: 'scroll', delta: -10 } },
  { keys: ['PageDown'], action: { kind: 'scroll', delta: 10 } },
  { keys: ['Home'], action: { kind: 'first' } },
  { keys: ['End'], action: { kind: 'last' } },
  ...[1, 2, 3, 4, 5].map((n): Binding => ({ keys: [String(n)], action: { kind: 'preset', index: n - 1 } })),
  ...(Object.entries(TOOL_KEYS) as [ToolId, string][]).map(([tool, key]): Binding => ({ keys: [key], action: { kind: 'tool', tool } })),
  { keys: ['r'], action: { kind: 'rotate' } },
  { keys: ['h'], action: { kind: 'flipH' } },
  { keys: ['v'], action: { kind: 'flipV' } },
  { keys: ['i'], action: { kind: 'invert' } },
  { keys: [' '], action: { kind: 'reset' } },
  { keys: ['c'], action: { kind: 'cine' } },
  { keys: ['!'], shift: true, action: { kind: 'layout', layout: '1x1' } },
  { keys: ['@'], shift: true, action: { kind: 'layout', layout: '1x2' } },
  { keys: ['#'], shift: true, action: { kind: 'layout', layout: '2x2' } },
  { keys: ['Delete', 'Backspace'], action: { kind: 'clearMeasurements' } },
  { keys: ['?', 'F1'], action: { kind: 'help' } },
];

/** The action bound to a key press, if any (Shift+1/2/3 arrive as !, @, # on a US layout; `code` covers the others). */
export function actionFor(event: Pick<KeyboardEvent, 'key' | 'code' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'>): Action | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  if (event.shiftKey && /^Digit[123]$/.test(event.code)) {
    const layouts: LayoutId[] = ['1x1', '1x2', '2x2'];
    return { kind: 'layout', layout: layouts[Number(event.code.slice(5)) - 1]! };
  }
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  return BINDINGS.find((b) => b.keys.includes(key) && (b.shift === undefined || b.shift === event.shiftKey))?.action;
}

/** The help panel's rows: keys as printed, and what they do. */
export const HELP: readonly { keys: string; message: MessageId }[] = [
  { keys: '↑ ↓ ← →', message: 'key_scroll' },
  { keys: 'PgUp PgDn', message: 'key_scroll_page' },
  { keys: 'Home End', message: 'key_first_last' },
  { keys: '1 – 5', message: 'key_presets' },
  { keys: Object.values(TOOL_KEYS).map((k) => k.toUpperCase()).join(' '), message: 'key_tools' },
  { keys: 'R', message: 'key_rotate' },
  { keys: 'H V', message: 'key_flip' },
  { keys: 'I', message: 'key_invert' },
  { keys: 'Space', message: 'key_reset' },
  { keys: 'C', message: 'key_cine' },
  { keys: 'Shift+1 / 2 / 3', message: 'key_layout' },
  { keys: 'Delete', message: 'key_delete' },
  { keys: '? F1', message: 'key_help' },
  { keys: '🖱', message: 'mouse_left' },
  { keys: '🖱', message: 'mouse_middle' },
  { keys: '🖱', message: 'mouse_right' },
  { keys: '🖱', message: 'mouse_wheel' },
];
