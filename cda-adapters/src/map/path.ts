/** Reading and writing FHIR JSON at the simple paths the mapping tables use (`a.b[0].c`). */
type Json = Record<string, unknown>;

/** Paths come from the mapping tables: parsed once each. */
const STEPS = new Map<string, (string | number)[]>();

function steps(path: string): (string | number)[] {
  let out = STEPS.get(path);
  if (!out) {
    out = parseSteps(path);
    STEPS.set(path, out);
  }
  return out;
}

function parseSteps(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([A-Za-z_]\w*)(?:\[(\d+)\])?$/.exec(part);
    if (!m) throw new Error(`bad mapping path ${path}`);
    out.push(m[1] as string);
    if (m[2] !== undefined) out.push(Number(m[2]));
  }
  return out;
}

/** Sets `value` at `path`; objects already there are merged (codings appended, other keys set). */
export function setAt(target: Json, path: string, value: unknown): void {
  const s = steps(path);
  let current: Json | unknown[] = target;
  for (let i = 0; i < s.length - 1; i++) {
    const key = s[i] as string | number;
    const nextIsIndex = typeof s[i + 1] === 'number';
    const container = current as Record<string | number, unknown>;
    container[key] ??= nextIsIndex ? [] : {};
    current = container[key] as Json | unknown[];
  }
  const last = s[s.length - 1] as string | number;
  const container = current as Record<string | number, unknown>;
  container[last] = merge(container[last], value);
}

function merge(existing: unknown, value: unknown): unknown {
  if (!isObject(existing) || !isObject(value)) return value;
  const out: Json = Object.assign({}, existing);
  for (const k of Object.keys(value)) {
    const v = value[k];
    const before = out[k];
    out[k] = Array.isArray(before) && Array.isArray(v) ? before.concat(v) : v;
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function getAt(target: Json, path: string): unknown {
  let current: unknown = target;
  for (const key of steps(path)) {
    if (current === undefined || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** value[x] at `path` (e.g. `value`): the element present and its type suffix. */
export function getChoice(target: Json, path: string): { suffix: string; value: unknown } | undefined {
  const dot = path.lastIndexOf('.');
  const parent = dot < 0 ? target : getAt(target, path.slice(0, dot));
  const name = path.slice(dot + 1);
  if (!isObject(parent)) return undefined;
  for (const [k, v] of Object.entries(parent)) {
    if (k.startsWith(name) && k.length > name.length && /^[A-Z]/.test(k.slice(name.length))) return { suffix: k.slice(name.length), value: v };
  }
  return undefined;
}
