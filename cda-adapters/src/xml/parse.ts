import { CdaError, type CdaIssue } from '../issues.js';
import { LIMITS } from '../tables/limits.js';
import type { XElement } from './dom.js';

/**
 * A strict, non-validating XML 1.0 parser for CDA documents, straight from the decoded text to the
 * element tree: one pass of `charCodeAt` scanning with an explicit stack (no recursion), substrings only for names and values. What CDA
 * does not need is refused rather than half-supported: a DOCTYPE (so no entity can be declared,
 * expanded or fetched), entities other than the five predefined ones, and every well-formedness
 * error, reported at its exact line and column. Elements deeper than `LIMITS.elementDepth` are
 * refused (an error with the XPath of the first one, not fatal: the text is well-formed), so no
 * consumer of the tree has to survive unbounded nesting. Namespace prefixes are kept as written
 * (the tree gives `prefix` and keeps `xmlns*` attributes); they are not resolved. One file (over the usual
 * size) because every part of the scanner shares the cursor, the open-element stack and the
 * error positions.
 */

export const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const LT = 60, GT = 62, AMP = 38, SLASH = 47, QUOT = 34, APOS = 39, EQ = 61, QM = 63, BANG = 33;
const RBRACK = 93, SEMI = 59, HASH = 35, COLON = 58, CR = 13, LF = 10, TAB = 9, SP = 32;

/** ASCII name characters: 1 = may start a name, 2 = may continue one. */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) ASCII_NAME[c] = 3;
  else if (/[0-9.-]/.test(ch)) ASCII_NAME[c] = 2;
}

/** XML 1.0 (fifth edition) NameStartChar outside ASCII; surrogates stand for the supplementary planes. */
function nonAsciiNameStart(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) || (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d || (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xdbff) || (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd)
  );
}

function nameStart(c: number): boolean {
  return c < 128 ? (ASCII_NAME[c]! & 1) !== 0 : nonAsciiNameStart(c);
}

function nameChar(c: number): boolean {
  if (c < 128) return ASCII_NAME[c]! !== 0;
  return nonAsciiNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040 || (c >= 0xdc00 && c <= 0xdfff);
}

/** A literal character XML 1.0 allows (tab, newline and carriage return are checked by the callers). */
function charAllowed(c: number): boolean {
  return c >= SP ? c < 0xfffe : c === TAB || c === LF || c === CR;
}

function isSpace(c: number): boolean {
  return c === SP || c === LF || c === TAB || c === CR;
}

/** Indentation between elements ("\n" and up to 63 spaces) is by far the most frequent text: shared, not copied. */
const INDENT: string[] = [];
for (let k = 0; k < 64; k++) INDENT.push(`\n${' '.repeat(k)}`);

/** Line (from 1) and column (characters from 1) of an index, line ends counted as XML normalises them. */
export function positionOf(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(index, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) {
      line++;
      start = i + 1;
    }
  }
  let col = 1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) col++;
  }
  return { line, col };
}

/** V8 (SlicedString::kMinLength) copies substrings shorter than this instead of pointing into the parent. */
const MIN_VIEW = 13;
/** Longer text is rarely repeated: copied, not looked up. */
const MAX_SHARED = 256;
const SLOTS = 1024;

/** A copy of `slice` in its own storage: substring of a flattened concatenation, which V8 copies. */
function detach(slice: string): string {
  return `${slice} `.slice(0, -1);
}

function fatal(id: string, zh: string, en: string): CdaError {
  const issue: CdaIssue = { severity: 'fatal', code: 'structure', id, zh, en, expression: '/' };
  return new CdaError([issue]);
}

/** Parses a CDA document (text already decoded) into its root element; throws `CdaError` otherwise. */
export function parseXml(text: string): XElement {
  const xml = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Not a regular expression: V8 keeps the last subject of a match (RegExp.input) alive.
  let first = 0;
  while (isSpace(xml.charCodeAt(first))) first++;
  if (first === xml.length) throw fatal('CDA-XML-003', '文档为空', 'the document is empty');
  return new Parser(xml).document();
}

class Parser {
  private i = 0;
  private readonly n: number;
  private root: XElement | undefined;
  /** Open elements, their qualified names and where their start tags began. */
  private readonly open: XElement[] = [];
  private readonly qnames: string[] = [];
  private readonly openedAt: number[] = [];
  /** Recently read names and values, a direct-mapped cache: a repeat costs a comparison, not a copy. */
  private readonly recent: string[] = new Array<string>(SLOTS).fill('');

  constructor(private readonly s: string) {
    this.n = s.length;
  }

  /**
   * The text from `start` to `end` as a string that does not keep the whole document alive: V8
   * makes a longer substring a view into its parent, so one kept value would pin the decoded
   * document (twice its byte size for Chinese text) for as long as the mapped resources live.
   * Element and attribute names, code systems, display names repeat: those are shared.
   */
  private string(start: number, end: number): string {
    const s = this.s;
    const length = end - start;
    if (length > MAX_SHARED) return detach(s.slice(start, end));
    if (length === 0) return '';
    const slot = (length * 61 + s.charCodeAt(start) * 31 + s.charCodeAt(end - 1) * 7 + s.charCodeAt(start + (length >> 1))) & (SLOTS - 1);
    const known = this.recent[slot]!;
    if (known.length === length && s.startsWith(known, start)) return known;
    const fresh = length < MIN_VIEW ? s.slice(start, end) : detach(s.slice(start, end));
    this.recent[slot] = fresh;
    return fresh;
  }

  private malformed(index: number, zh: string, en: string): CdaError {
    const { line, col } = positionOf(this.s, index);
    return fatal('CDA-XML-005', `第 ${line} 行第 ${col} 列：XML 格式错误（${zh}）`, `line ${line}, column ${col}: malformed XML (${en})`);
  }

  private where(index: number): { zh: string; en: string } {
    const { line, col } = positionOf(this.s, index);
    return { zh: `第 ${line} 行第 ${col} 列`, en: `line ${line}, column ${col}` };
  }

  private endOfDocument(): CdaError {
    return this.malformed(this.n, '文档在标记中途结束', 'the document ends inside markup');
  }

  document(): XElement {
    const s = this.s;
    if (s.startsWith('<?xml') && isSpace(s.charCodeAt(5))) this.i = this.skipTo('?>', 5);
    while (this.i < this.n) {
      if (s.charCodeAt(this.i) === LT) this.markup();
      else this.text();
    }
    const depth = this.open.length;
    if (depth > 0) {
      const at = this.where(this.openedAt[depth - 1]!);
      const name = this.qnames[depth - 1]!;
      throw this.malformed(this.n, `元素 <${name}>（${at.zh}）没有结束标签`, `element <${name}> (${at.en}) is never closed`);
    }
    if (!this.root) throw fatal('CDA-XML-006', '文档必须只有一个根元素', 'the document must have exactly one root element');
    return this.root;
  }

  /** Index just past `terminator`, searched from `from`. */
  private skipTo(terminator: string, from: number): number {
    const end = this.s.indexOf(terminator, from);
    if (end < 0) throw this.endOfDocument();
    return end + terminator.length;
  }

  private markup(): void {
    const next = this.s.charCodeAt(this.i + 1);
    if (next === SLASH) this.endTag();
    else if (next === BANG) this.declaration();
    else if (next === QM) this.instruction();
    else this.startTag();
  }

  private startTag(): void {
    const s = this.s;
    const tagStart = this.i;
    const nameEnd = this.name(tagStart + 1);
    const qname = this.string(tagStart + 1, nameEnd);
    const colon = qname.indexOf(':');
    const attrs: Record<string, string> = {};
    const el: XElement = colon < 0 ? { name: qname, attrs, children: [] } : { name: qname.slice(colon + 1), prefix: qname.slice(0, colon), attrs, children: [] };
    let i = nameEnd;
    for (;;) {
      const afterName = i;
      while (isSpace(s.charCodeAt(i))) i++;
      const c = s.charCodeAt(i);
      if (c === GT || c === SLASH) {
        if (c === SLASH && s.charCodeAt(i + 1) !== GT) throw this.unexpected(i + 1, "'>'", "'>'");
        this.attach(el);
        if (this.open.length >= LIMITS.elementDepth) throw this.tooDeep(el);
        if (c === GT) {
          this.open.push(el);
          this.qnames.push(qname);
          this.openedAt.push(tagStart);
          this.i = i + 1;
        } else this.i = i + 2;
        return;
      }
      if (i >= this.n) throw this.endOfDocument();
      if (i === afterName) {
        throw nameStart(c) ? this.unexpected(i, '属性前的空白', 'whitespace before the attribute') : this.unexpected(i, "'>'", "'>'");
      }
      i = this.attribute(i, attrs);
    }
  }

  /** Reads `name = "value"` at `i` into `attrs`; returns the index after the closing quote. */
  private attribute(start: number, attrs: Record<string, string>): number {
    const s = this.s;
    const nameEnd = this.name(start);
    const name = this.string(start, nameEnd);
    let i = nameEnd;
    while (isSpace(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== EQ) throw this.unexpected(i, `属性 ${name} 之后的 '='`, `'=' after attribute ${name}`);
    i++;
    while (isSpace(s.charCodeAt(i))) i++;
    const quote = s.charCodeAt(i);
    if (quote !== QUOT && quote !== APOS) {
      if (i >= this.n) throw this.endOfDocument();
      throw this.malformed(i, `属性 ${name} 的值必须加引号`, `the value of attribute ${name} must be quoted`);
    }
    const valueStart = i + 1;
    const valueEnd = s.indexOf(quote === QUOT ? '"' : "'", valueStart);
    if (valueEnd < 0) throw this.endOfDocument();
    let plain = true;
    for (i = valueStart; i < valueEnd; i++) {
      const c = s.charCodeAt(i);
      if (c === LT) throw this.malformed(i, `属性 ${name} 的值中不允许出现 '<'`, `'<' is not allowed in the value of attribute ${name}`);
      if (c === AMP || c < SP) {
        if (!charAllowed(c)) throw this.badChar(i, c);
        plain = false;
      } else if (c >= 0xfffe) throw this.badChar(i, c);
    }
    if (Object.hasOwn(attrs, name)) throw this.malformed(start, `属性 ${name} 重复`, `attribute ${name} is repeated`);
    const value = plain ? this.string(valueStart, i) : detach(this.decode(valueStart, i, true));
    if (name === '__proto__') Object.defineProperty(attrs, name, { value, enumerable: true, writable: true, configurable: true });
    else attrs[name] = value;
    return i + 1;
  }

  private endTag(): void {
    const s = this.s;
    const tagStart = this.i;
    const depth = this.open.length;
    const nameEnd = this.name(tagStart + 2);
    const expected = this.qnames[depth - 1];
    if (expected === undefined) {
      const name = s.slice(tagStart + 2, nameEnd);
      throw this.malformed(tagStart, `结束标签 </${name}> 没有对应的开始标签`, `closing tag </${name}> has no matching start tag`);
    }
    if (nameEnd - tagStart - 2 !== expected.length || !s.startsWith(expected, tagStart + 2)) {
      const at = this.where(this.openedAt[depth - 1]!);
      const found = s.slice(tagStart + 2, nameEnd);
      throw this.malformed(
        tagStart,
        `应为 </${expected}>（开始标签在${at.zh}），实际为 </${found}>`,
        `expected </${expected}> (opened at ${at.en}), found </${found}>`,
      );
    }
    let i = nameEnd;
    while (isSpace(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== GT) throw this.unexpected(i, "'>'", "'>'");
    this.open.pop();
    this.qnames.pop();
    this.openedAt.pop();
    this.i = i + 1;
  }

  /** `<!--`, `<![CDATA[`, or a refused DOCTYPE / markup declaration. */
  private declaration(): void {
    const s = this.s;
    const start = this.i;
    if (s.startsWith('<!--', start)) {
      const end = s.indexOf('--', start + 4);
      if (end < 0) throw this.endOfDocument();
      if (s.charCodeAt(end + 2) !== GT) throw this.malformed(end, "注释中不允许出现 '--'", "'--' is not allowed inside a comment");
      this.checkChars(start + 4, end);
      this.i = end + 3;
      return;
    }
    if (s.startsWith('<![CDATA[', start)) {
      if (this.open.length === 0) throw this.malformed(start, 'CDATA 段只能出现在元素内', 'a CDATA section may only occur inside an element');
      const end = s.indexOf(']]>', start + 9);
      if (end < 0) throw this.endOfDocument();
      this.checkChars(start + 9, end);
      const value = this.string(start + 9, end);
      this.addText(value.includes('\r') ? value.replace(/\r\n?/g, '\n') : value);
      this.i = end + 3;
      return;
    }
    if (/^<!\s*(?:doctype|entity|element|attlist|notation)/i.test(s.slice(start, start + 20))) {
      const { line, col } = positionOf(s, start);
      throw fatal('CDA-XML-004', `第 ${line} 行第 ${col} 列：不允许 DOCTYPE 或实体声明`, `line ${line}, column ${col}: DOCTYPE and entity declarations are not allowed`);
    }
    throw this.malformed(start, "无法识别的 '<!' 标记", "unrecognised '<!' markup");
  }

  /** A processing instruction: skipped; a second XML declaration is an error. */
  private instruction(): void {
    const start = this.i;
    const nameEnd = this.name(start + 2);
    if (nameEnd - start - 2 === 3 && this.s.slice(start + 2, nameEnd).toLowerCase() === 'xml') {
      throw this.malformed(start, 'XML 声明只能出现在文档开头', 'the XML declaration is only allowed at the very start of the document');
    }
    this.i = this.skipTo('?>', nameEnd);
  }

  /** Character data up to the next markup. */
  private text(): void {
    const s = this.s;
    const start = this.i;
    let i = start;
    let plain = true;
    let blank = true;
    for (; i < this.n; i++) {
      const c = s.charCodeAt(i);
      if (c === LT) break;
      if (c === AMP || c < SP) {
        if (!charAllowed(c)) throw this.badChar(i, c);
        if (c !== LF && c !== TAB) plain = false;
        if (c === AMP) blank = false;
      } else if (c !== SP) {
        blank = false;
        if (c === GT) {
          if (i >= start + 2 && s.charCodeAt(i - 1) === RBRACK && s.charCodeAt(i - 2) === RBRACK) {
            throw this.malformed(i - 2, "正文中不允许出现 ']]>'", "']]>' is not allowed in text");
          }
        } else if (c >= 0xfffe) throw this.badChar(i, c);
      }
    }
    this.i = i;
    if (this.open.length === 0) {
      if (blank) return;
      let first = start;
      while (isSpace(s.charCodeAt(first))) first++;
      throw this.malformed(first, '根元素之外不允许出现文本', 'text is not allowed outside the root element');
    }
    if (blank && plain && s.charCodeAt(start) === LF && i - start <= INDENT.length) this.addText(INDENT[i - start - 1]!);
    else this.addText(plain ? this.string(start, i) : detach(this.decode(start, i, false)));
  }

  private addText(value: string): void {
    const children = this.open[this.open.length - 1]!.children;
    const last = children.length - 1;
    const previous = children[last];
    if (typeof previous === 'string') children[last] = previous + value;
    else children.push(value);
  }

  /**
   * Text or an attribute value with references or carriage returns: references replaced, line
   * ends normalised, and in attribute values literal whitespace turned into spaces (XML 1.0 §3.3.3).
   */
  private decode(start: number, end: number, attribute: boolean): string {
    const s = this.s;
    let out = '';
    let from = start;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === AMP) {
        const semi = s.indexOf(';', i + 1);
        if (semi < 0 || semi >= end) throw this.malformed(i, "实体引用缺少 ';'", "entity reference without ';'");
        out += s.slice(from, i) + this.reference(i, semi);
        from = semi + 1;
        i = semi;
      } else if (c === CR || (attribute && (c === LF || c === TAB))) {
        out += s.slice(from, i) + (attribute ? ' ' : '\n');
        if (c === CR && s.charCodeAt(i + 1) === LF) i++;
        from = i + 1;
      }
    }
    return out + s.slice(from, end);
  }

  /** The character a reference `&...;` (from `amp` to `semi`) stands for. */
  private reference(amp: number, semi: number): string {
    const s = this.s;
    const body = s.slice(amp + 1, semi);
    if (s.charCodeAt(amp + 1) === HASH) {
      const hex = body[1] === 'x';
      const digits = body.slice(hex ? 2 : 1);
      const code = digits !== '' && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits) ? parseInt(digits, hex ? 16 : 10) : NaN;
      if (!(code <= 0x10ffff) || !(code >= 0x10000 || charAllowed(code)) || (code >= 0xd800 && code <= 0xdfff)) {
        throw this.malformed(amp, `无效的字符引用 &${body};`, `invalid character reference &${body};`);
      }
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED_ENTITIES[body];
    if (value === undefined || !Object.hasOwn(PREDEFINED_ENTITIES, body)) {
      throw this.malformed(amp, `未定义的实体 &${body};（只允许 &lt; &gt; &amp; &quot; &apos; 与字符引用）`, `undefined entity &${body}; (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)`);
    }
    return value;
  }

  /** Index after the (qualified) name starting at `start`; at most one colon, neither first nor last. */
  private name(start: number): number {
    const s = this.s;
    const c = s.charCodeAt(start);
    if (!nameStart(c) || c === COLON) {
      if (start >= this.n) throw this.endOfDocument();
      throw this.unexpected(start, '名称', 'a name');
    }
    let i = start + 1;
    let colon = -1;
    for (;;) {
      const d = s.charCodeAt(i);
      if (!nameChar(d)) break;
      if (d === COLON) {
        if (colon >= 0) throw this.malformed(i, '名称中只允许一个冒号', 'a name may contain only one colon');
        colon = i;
      }
      i++;
    }
    if (colon === i - 1) throw this.malformed(colon, '名称不能以冒号结尾', 'a name cannot end with a colon');
    return i;
  }

  private checkChars(start: number, end: number): void {
    const s = this.s;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (!charAllowed(c)) throw this.badChar(i, c);
    }
  }

  private attach(el: XElement): void {
    const parent = this.open[this.open.length - 1];
    if (parent) parent.children.push(el);
    else if (this.root) throw fatal('CDA-XML-006', '文档必须只有一个根元素', 'the document must have exactly one root element');
    else this.root = el;
  }

  /**
   * `el`, just attached below the deepest open element, is one level beyond the limit. Every step
   * has its position: later siblings are not read yet, so whether a name repeats is not known.
   */
  private tooDeep(el: XElement): CdaError {
    const path = [...this.open, el].map((e, k, chain) => {
      const parent = chain[k - 1];
      if (!parent) return e.name;
      let n = 0;
      for (const sibling of parent.children) {
        if (typeof sibling !== 'string' && sibling.name === e.name) n++;
        if (sibling === e) break;
      }
      return `${e.name}[${n}]`;
    });
    const limit = LIMITS.elementDepth;
    const issue: CdaIssue = {
      severity: 'error',
      code: 'structure',
      id: 'CDA-XML-007',
      zh: `元素嵌套超过 ${limit} 层`,
      en: `elements are nested more than ${limit} deep`,
      expression: `/${path.join('/')}`,
    };
    return new CdaError([issue]);
  }

  private badChar(index: number, c: number): CdaError {
    const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
    return this.malformed(index, `XML 中不允许的字符 ${hex}`, `character ${hex} is not allowed in XML`);
  }

  private unexpected(index: number, zh: string, en: string): CdaError {
    if (index >= this.n) return this.endOfDocument();
    const found = String.fromCodePoint(this.s.codePointAt(index)!);
    return this.malformed(index, `此处应为${zh}，实际为 '${found}'`, `expected ${en}, found '${found}'`);
  }
}
