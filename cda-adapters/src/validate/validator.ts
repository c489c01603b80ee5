import { CdaError, type CdaIssue } from '../issues.js';
import { CODED_ELEMENTS, DATA_ELEMENTS, DE_FORMAT, type Binding } from '../tables/data-elements.js';
import { DOCUMENT_CODE_SYSTEM, documentType } from '../tables/document-types.js';
import { OID } from '../tables/identifiers.js';
import { LIMITS } from '../tables/limits.js';
import { profileOf, sectionDef, SECTIONS } from '../tables/sections.js';
import { isValidTs } from '../map/values.js';
import { decodeDocument } from '../xml/decode.js';
import { at, attr, child, elements, parseXml, textOf, type XElement } from '../xml/dom.js';
import { CODE_FORMATS, defaultCodeChecker, type CodeChecker } from './codes.js';
import { residentIdProblem } from './resident-id.js';
import { checkStructure } from './structure.js';
import { pathOf, step } from './locate.js';
import { issue, type RuleId, type RuleOverrides } from './rules.js';

export interface ValidateOptions {
  overrides?: RuleOverrides;
  codes?: CodeChecker;
}

/** Elements whose `@value` (and that of their low, high and center) is a point in time, besides values typed TS or IVL_TS. */
const TIME_ELEMENTS = new Set(['effectiveTime', 'time', 'birthTime', 'copyTime']);
const TIME_BOUNDS = ['low', 'high', 'center'];

class Checker {
  readonly issues: CdaIssue[] = [];
  constructor(private readonly options: ValidateOptions) {}

  add(id: RuleId, expression: string, params: Record<string, string> = {}): void {
    const i = issue(id, params, expression, this.options.overrides);
    if (i) this.issues.push(i);
  }

  code(system: string, code: string, expression: string): void {
    const verdict = this.verdict(system, code);
    if (verdict === 'invalid') this.add('CDA-BODY-007', expression, { code, system });
    else if (verdict === 'partial') this.add('CDA-BODY-008', expression, { code, system });
  }

  /** A data element's code against the value set it is bound to; the strength decides error or warning. */
  bound(binding: Binding, code: string, expression: string, element: string, name: string): void {
    const verdict = this.verdict(binding.valueSet, code);
    if (verdict === 'invalid') {
      this.add(binding.strength === 'required' ? 'CDA-VS-001' : 'CDA-VS-002', expression, { code, element, name, valueSet: binding.valueSet });
    } else if (verdict === 'partial') this.add('CDA-BODY-008', expression, { code, system: binding.valueSet });
  }

  /** A document repeats its codes (every lab item's interpretation, unit, specimen…): each is asked once. */
  private readonly verdicts = new Map<string, ReturnType<CodeChecker['check']>>();
  private readonly times = new Map<string, boolean>();

  /** A document repeats its times (every item of a panel has the report's): each checked once. */
  validTime(value: string): boolean {
    let valid = this.times.get(value);
    if (valid === undefined) this.times.set(value, (valid = isValidTs(value)));
    return valid;
  }

  private verdict(system: string, code: string): ReturnType<CodeChecker['check']> {
    const key = `${system}\u0000${code}`;
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      const malformed = CODE_FORMATS[system]?.test(code) === false;
      verdict = malformed ? 'invalid' : (this.options.codes ?? defaultCodeChecker).check(system, code);
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }
}

/**
 * The child elements of `parent` with their XPath steps (`entry[3]`), in one pass: asking
 * `indexed` for every child of a section with thousands of entries would be quadratic.
 */
function indexedChildren(parent: XElement, name?: string): { e: XElement; step: string }[] {
  const children = elements(parent, name);
  const total = new Map<string, number>();
  for (const e of children) total.set(e.name, (total.get(e.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return children.map((e) => {
    const n = (seen.get(e.name) ?? 0) + 1;
    seen.set(e.name, n);
    return { e, step: (total.get(e.name) ?? 0) > 1 ? `${e.name}[${n}]` : e.name };
  });
}

/**
 * Checks a document: readable (encoding, no DTD, well-formed — fatal), the CDA R2 header with
 * the national extensions, then its type's rules (template, required header elements, sections
 * and entries, data-element codes and value sets, resident ID check digit).
 */
export function validateCda(input: Uint8Array | string, options: ValidateOptions = {}): CdaIssue[] {
  let root: XElement;
  try {
    root = parseXml(typeof input === 'string' ? input : decodeDocument(input));
  } catch (error) {
    if (error instanceof CdaError) return error.issues;
    throw error;
  }
  return validateParsed(root, options);
}

export function validateParsed(root: XElement, options: ValidateOptions = {}): CdaIssue[] {
  const c = new Checker(options);
  const R = '/ClinicalDocument';
  const ns = root.prefix ? root.attrs[`xmlns:${root.prefix}`] : root.attrs.xmlns;
  if (root.name !== 'ClinicalDocument' || ns !== 'urn:hl7-org:v3') {
    c.add('CDA-HDR-001', '/');
    return c.issues;
  }
  checkStructure(root, (rule, expression, params) => c.add(rule, expression, params));
  if (attr(child(root, 'realmCode'), 'code') !== 'CN') c.add('CDA-HDR-002', `${R}/realmCode`);
  const typeId = child(root, 'typeId');
  if (attr(typeId, 'root') !== '2.16.840.1.113883.1.3' || attr(typeId, 'extension') !== 'POCD_MT000040') c.add('CDA-HDR-003', `${R}/typeId`);
  const templates = elements(root, 'templateId').map((t) => attr(t, 'root') ?? '');
  if (templates.length === 0) c.add('CDA-HDR-004', `${R}/templateId`);
  const id = child(root, 'id');
  if (!attr(id, 'root') || !attr(id, 'extension')) c.add('CDA-HDR-005', `${R}/id`);
  const codeEl = child(root, 'code');
  const code = attr(codeEl, 'code');
  const type = documentType(code);
  if (!code || attr(codeEl, 'codeSystem') !== DOCUMENT_CODE_SYSTEM) c.add('CDA-HDR-006', `${R}/code`);
  else if (!type) c.add('CDA-HDR-007', `${R}/code/@code`, { code });
  if (type && templates.length && !templates.includes(type.templateId)) {
    c.add('CDA-HDR-008', `${R}/templateId/@root`, { template: templates.join(', '), code: type.code, expected: type.templateId });
  }
  if (!textOf(child(root, 'title'))) c.add('CDA-HDR-009', `${R}/title`);
  if (!attr(child(root, 'effectiveTime'), 'value')) c.add('CDA-HDR-010', `${R}/effectiveTime`, { element: 'effectiveTime', value: '' });
  headerTimes(c, root);
  const confidentiality = child(root, 'confidentialityCode');
  if (!confidentiality) c.add('CDA-HDR-011', `${R}/confidentialityCode`);
  else if (!attr(confidentiality, 'nullFlavor')) coded(c, confidentiality, OID.confidentiality, `${R}/confidentialityCode`, 'confidentialityCode');
  patient(c, root);
  const authors = elements(root, 'author');
  if (authors.length === 0 || authors.some((a) => !child(a, 'time') || !attr(at(a, 'assignedAuthor/id'), 'root'))) c.add('CDA-HDR-015', `${R}/author`);
  if (!at(root, 'custodian/assignedCustodian/representedCustodianOrganization')) c.add('CDA-HDR-016', `${R}/custodian`);
  if (!child(root, 'legalAuthenticator')) c.add('CDA-HDR-017', `${R}/legalAuthenticator`);
  body(c, root, type?.code, type?.title);
  return c.issues;
}

const TS_TYPE = /(^|:)(IVL_)?TS$/;

function isTime(e: XElement): boolean {
  if (TIME_ELEMENTS.has(e.name)) return true;
  const type = e.attrs['xsi:type'];
  return type !== undefined && TS_TYPE.test(type);
}

/** A time element's value and bounds: each a real calendar date and time (FHIR refuses others); `path` made only for an issue. */
function times(c: Checker, rule: 'CDA-HDR-010' | 'CDA-BODY-011', e: XElement, path: () => string): void {
  const check = (x: XElement, p: () => string) => {
    const v = attr(x, 'value');
    if (v && !c.validTime(v)) c.add(rule, `${p()}/@value`, { element: x.name, value: v });
  };
  check(e, path);
  for (const bound of elements(e)) if (TIME_BOUNDS.includes(bound.name)) check(bound, () => `${path()}/${step(e, bound)}`);
}

/** Every time in the header (document, birth, authors, signatures, the visit), the body left to `entries`. */
function headerTimes(c: Checker, root: XElement): void {
  const pending = elements(root)
    .filter((e) => e.name !== 'component')
    .toReversed();
  for (let next = pending.pop(); next; next = pending.pop()) {
    const e = next;
    if (isTime(e)) times(c, 'CDA-HDR-010', e, () => pathOf(root, '/ClinicalDocument', e));
    for (const x of elements(e).toReversed()) pending.push(x);
  }
}

function patient(c: Checker, root: XElement): void {
  const targets = elements(root, 'recordTarget');
  const P = '/ClinicalDocument/recordTarget/patientRole';
  const role = at(root, 'recordTarget/patientRole');
  if (targets.length !== 1 || !role) {
    c.add('CDA-HDR-012', '/ClinicalDocument/recordTarget');
    return;
  }
  const p = child(role, 'patient');
  const ids = [...elements(role, 'id').map((e) => ({ e, path: `${P}/${step(role, e)}` })), ...elements(p, 'id').map((e) => ({ e, path: `${P}/patient/${step(p as XElement, e)}` }))];
  if (!ids.some(({ e }) => attr(e, 'extension'))) c.add('CDA-HDR-019', `${P}/patient/id`);
  for (const { e, path } of ids) {
    const ext = attr(e, 'extension');
    if (attr(e, 'root') !== OID.residentId || !ext) continue;
    const problem = residentIdProblem(ext);
    if (problem) c.add('CDA-ID-001', `${path}/@extension`, { value: ext, problem: problem.zh, problemEn: problem.en });
  }
  if (!textOf(child(p, 'name'))) c.add('CDA-HDR-013', `${P}/patient/name`);
  const gender = child(p, 'administrativeGenderCode');
  if (!attr(gender, 'code')) c.add('CDA-HDR-014', `${P}/patient/administrativeGenderCode`);
  else coded(c, gender as XElement, OID.gender, `${P}/patient/administrativeGenderCode`, 'administrativeGenderCode');
  for (const [name, system] of [['maritalStatusCode', OID.maritalStatus], ['ethnicGroupCode', OID.ethnicGroup]] as const) {
    const e = child(p, name);
    if (e && attr(e, 'code')) coded(c, e, system, `${P}/patient/${name}`, name);
  }
  const age = child(p, 'age');
  if (age && (!Number.isFinite(Number(attr(age, 'value'))) || !['岁', '月', '天', 'a', 'mo', 'd'].includes(attr(age, 'unit') ?? ''))) c.add('CDA-HDR-018', `${P}/patient/age`);
}

function coded(c: Checker, e: XElement, expected: string, path: string, element: string): void {
  if (sameSystem(c, e, expected, path, element)) c.code(expected, attr(e, 'code') ?? '', `${path}/@code`);
}

/** WS/T 500 writes a bound element's value set OID as its codeSystem: another one is an error of its own. */
function sameSystem(c: Checker, e: XElement, expected: string, path: string, element: string): boolean {
  const system = attr(e, 'codeSystem') ?? '';
  if (system === expected) return true;
  c.add('CDA-BODY-006', `${path}/@codeSystem`, { element, expected, actual: system || '-' });
  return false;
}

/** A coded value of a data element bound to a value set (nullFlavor values are not checked). */
function boundValue(c: Checker, e: XElement, binding: Binding, path: string, element: string, name: string): void {
  if (attr(e, 'nullFlavor')) return;
  if (sameSystem(c, e, binding.valueSet, path, element)) c.bound(binding, attr(e, 'code') ?? '', `${path}/@code`, element, name);
}

function body(c: Checker, root: XElement, typeCode: string | undefined, typeTitle: string | undefined): void {
  const sb = at(root, 'component/structuredBody');
  const B = '/ClinicalDocument/component/structuredBody';
  if (!sb) {
    c.add('CDA-BODY-001', B);
    return;
  }
  const found = new Map<string, { section: XElement; path: string }>();
  // An explicit stack (document order, depth first), not recursion; sections past the limit are
  // reported once, at the first one too deep, and not looked into.
  const sectionsOf = (parent: XElement, base: string, depth: number) =>
    indexedChildren(parent, 'component').flatMap(({ e: comp, step }) => {
      const section = child(comp, 'section');
      return section ? [{ section, path: `${base}/${step}/section`, depth }] : [];
    });
  const pending = sectionsOf(sb, B, 1).toReversed();
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { section: s, path, depth } = next;
    if (depth > LIMITS.sectionDepth) {
      c.add('CDA-BODY-010', path, { limit: String(LIMITS.sectionDepth) });
      continue;
    }
    const codeEl = child(s, 'code');
    const def = sectionDef(attr(codeEl, 'code'), attr(codeEl, 'displayName'), textOf(child(s, 'title')));
    if (!codeEl && !textOf(child(s, 'title'))) c.add('CDA-BODY-009', path);
    if (def) for (const key of keysOf(def.key)) found.set(key, { section: s, path });
    entries(c, s, path);
    for (const sub of sectionsOf(s, path, depth + 1).toReversed()) pending.push(sub);
  }
  const profile = profileOf(typeCode);
  if (!profile) {
    if (typeCode) c.add('CDA-DOC-001', '/ClinicalDocument/code', { code: typeCode });
    return;
  }
  for (const { key, required } of profile.sections) {
    const def = SECTIONS[key];
    if (!def) continue;
    const hit = found.get(key);
    if (!hit) {
      if (required) c.add('CDA-BODY-002', B, { type: `${typeCode} ${typeTitle ?? ''}`.trim(), section: def.displayName });
      continue;
    }
    const codes = new Set(dataElementCodes(hit.section));
    for (const de of def.requiredEntries) {
      if (!codes.has(de)) c.add('CDA-BODY-003', `${hit.path}/entry`, { section: def.displayName, element: de, name: DATA_ELEMENTS[de]?.zh ?? '' });
    }
  }
}

/** A section matched by its LOINC code may stand for several definitions sharing that code (检查/实验室检验). */
function keysOf(key: string): string[] {
  const def = SECTIONS[key];
  return def?.code ? Object.values(SECTIONS).filter((s) => s.code === def.code).map((s) => s.key) : [key];
}

function dataElementCodes(root: XElement): string[] {
  const out: string[] = [];
  const stack = [root];
  for (let e = stack.pop(); e; e = stack.pop()) {
    for (const x of elements(e)) {
      if (x.name === 'section') continue;
      if (x.name === 'code' && attr(x, 'codeSystem') === OID.dataElements) out.push(attr(x, 'code') ?? '');
      stack.push(x);
    }
  }
  return out;
}

/** Data-element observations and bound coded elements anywhere in a section's entries: code format, value type, value set. */
function entries(c: Checker, s: XElement, base: string): void {
  // Depth first in document order with an explicit stack: entries nest without limit in hostile input.
  const below = (e: XElement, path: string) =>
    indexedChildren(e)
      .filter(({ e: x }) => !(x.name === 'section' || (x.name === 'component' && e.name === 'section')))
      .map(({ e: x, step }) => ({ e: x, path: `${path}/${step}` }))
      .toReversed();
  const stack = below(s, base);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { e: x, path: p } = next;
    if (x.name === 'observation') observation(c, x, p);
    if (isTime(x)) times(c, 'CDA-BODY-011', x, () => p);
    const element = CODED_ELEMENTS[x.name];
    if (element) boundValue(c, x, element.binding, p, element.de, element.zh);
    for (const item of below(x, p)) stack.push(item);
  }
}

function observation(c: Checker, obs: XElement, path: string): void {
  const codeEl = child(obs, 'code');
  if (attr(codeEl, 'codeSystem') !== OID.dataElements) return;
  const de = attr(codeEl, 'code') ?? '';
  if (!DE_FORMAT.test(de)) {
    c.add('CDA-BODY-004', `${path}/code/@code`, { code: de || '-' });
    return;
  }
  const def = DATA_ELEMENTS[de];
  const value = child(obs, 'value');
  if (!def || !value || attr(value, 'nullFlavor')) return;
  const actual = (attr(value, 'xsi:type') ?? '').replace(/^.*:/, '');
  const family = (t: string) => (['CD', 'CE', 'CV', 'CS'].includes(t) ? 'CD' : t === 'REAL' ? 'PQ' : t);
  // An ST where a code is expected is tolerated for items whose codes are local (检验项目代码).
  if (family(actual) !== family(def.type) && !(def.type === 'ST' && family(actual) === 'CD')) {
    c.add('CDA-BODY-005', `${path}/value`, { element: de, expected: def.type, actual: actual || '-' });
  }
  if (def.binding && family(actual) === 'CD') boundValue(c, value, def.binding, `${path}/value`, de, def.zh);
}
