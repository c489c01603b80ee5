import { CdaError, type CdaIssue } from '../../src/issues.js';
import { LIMITS } from '../../src/tables/limits.js';
import { parseXml, textOf, type XElement } from '../../src/xml/dom.js';

function failure(xml: string): CdaIssue {
  try {
    parseXml(xml);
  } catch (error) {
    if (error instanceof CdaError && error.issues[0]) return error.issues[0];
    throw error;
  }
  throw new Error(`parsed without error: ${xml.slice(0, 80)}`);
}

/** A malformed-XML issue at exactly this line and column, in both languages, mentioning `what`. */
function expectMalformed(xml: string, line: number, col: number, what: RegExp): void {
  const issue = failure(xml);
  expect(issue).toMatchObject({ id: 'CDA-XML-005', severity: 'fatal', code: 'structure' });
  expect(issue.en).toMatch(new RegExp(`^line ${line}, column ${col}: malformed XML \\(`));
  expect(issue.zh).toMatch(new RegExp(`^第 ${line} 行第 ${col} 列：XML 格式错误`));
  expect(issue.en).toMatch(what);
}

describe('strict parser: malformed input with line and column', () => {
  it('reports a mismatched end tag where it is, and where the open element began', () => {
    expectMalformed('<a>\n  <b>\n</a>', 3, 1, /expected <\/b> \(opened at line 2, column 3\), found <\/a>/);
    expectMalformed('<a></b>', 1, 4, /expected <\/a>/);
  });

  it('reports an element never closed at the end of the document', () => {
    expectMalformed('<a>\n<b/>\n', 3, 1, /element <a> \(line 1, column 1\) is never closed/);
    expectMalformed('<a x="1"', 1, 9, /ends inside markup/);
    expectMalformed('<a><!-- open', 1, 13, /ends inside markup/);
  });

  it('refuses undefined entities, broken and invalid character references', () => {
    expectMalformed('<a>\n  x &nbsp; y</a>', 2, 5, /undefined entity &nbsp;/);
    expectMalformed('<a>&amp</a>', 1, 4, /entity reference without ';'/);
    expectMalformed('<a>&#0;</a>', 1, 4, /invalid character reference &#0;/);
    expectMalformed('<a>&#xZZ;</a>', 1, 4, /invalid character reference/);
    expectMalformed('<a>&#xD800;</a>', 1, 4, /invalid character reference/);
    expectMalformed('<a t="&bogus;"/>', 1, 7, /undefined entity &bogus;/);
  });

  it('refuses unquoted, missing, repeated and run-together attributes', () => {
    expectMalformed('<a\n  x=1/>', 2, 5, /the value of attribute x must be quoted/);
    expectMalformed('<a x/>', 1, 5, /expected '=' after attribute x, found '\/'/);
    expectMalformed('<a x="1" x="2"/>', 1, 10, /attribute x is repeated/);
    expectMalformed('<a x="1"y="2"/>', 1, 9, /whitespace before the attribute/);
  });

  it("refuses '<' in attribute values", () => {
    expectMalformed('<a>\n<b title="x < y"/></a>', 2, 13, /'<' is not allowed in the value of attribute title/);
  });

  it('counts columns in characters, after Chinese text and characters outside the BMP', () => {
    expectMalformed('<a>检验报告&x;</a>', 1, 8, /undefined entity/);
    expectMalformed('<a>𠀀𠀀&x;</a>', 1, 6, /undefined entity/);
    expectMalformed('<a>\r\n\r\n  &x;</a>', 3, 3, /undefined entity/);
  });

  it('refuses what XML forbids in text, names and the prolog', () => {
    expectMalformed('<a>x ]]> y</a>', 1, 6, /']]>' is not allowed in text/);
    expectMalformed('<a>\u0001</a>', 1, 4, /character U\+0001/);
    expectMalformed('<a>x</a>\ntrailing', 2, 1, /text is not allowed outside the root element/);
    expectMalformed('  junk<a/>', 1, 3, /text is not allowed outside the root element/);
    expectMalformed('<a:b:c/>', 1, 5, /only one colon/);
    expectMalformed('<1a/>', 1, 2, /expected a name, found '1'/);
    expectMalformed('\n<?xml version="1.0"?><a/>', 2, 1, /XML declaration is only allowed at the very start/);
    expectMalformed('<a><!-- a -- b --></a>', 1, 11, /'--' is not allowed inside a comment/);
    expectMalformed('<a><!FOO x></a>', 1, 4, /unrecognised '<!' markup/);
    expect(failure('<a/>\n<b/>')).toMatchObject({ id: 'CDA-XML-006' });
    expect(failure('<!-- nothing -->')).toMatchObject({ id: 'CDA-XML-006' });
    expect(failure(' \n ')).toMatchObject({ id: 'CDA-XML-003' });
    expect(failure('<a>\n<!DOCTYPE a></a>')).toMatchObject({ id: 'CDA-XML-004' });
  });

  it('parses nesting up to its depth limit, reports the innermost unclosed element, and refuses deeper nesting with its XPath', () => {
    const depth = LIMITS.elementDepth;
    const root = parseXml(`${'<d>'.repeat(depth)}x${'</d>'.repeat(depth)}`);
    let levels = 1;
    for (let e: XElement = root; e.children[0] && typeof e.children[0] !== 'string'; e = e.children[0]) levels++;
    expect(levels).toBe(depth);
    expectMalformed(`${'<d>'.repeat(depth)}x${'</d>'.repeat(depth - 1)}`, 1, depth * 3 + 2 + (depth - 1) * 4, /element <d> \(line 1, column 1\) is never closed/);
    const tooDeep = failure(`<r><d/>${'<d>'.repeat(10_000)}x${'</d>'.repeat(10_000)}</r>`);
    expect(tooDeep).toMatchObject({ id: 'CDA-XML-007', severity: 'error', code: 'structure', zh: `元素嵌套超过 ${depth} 层`, en: `elements are nested more than ${depth} deep` });
    // depth + 1 elements: the root, the second d, and depth - 1 d below it.
    expect(tooDeep.expression).toBe(`/r/d[2]${'/d[1]'.repeat(depth - 1)}`);
  });

  it('reads a huge text node (20 MB) whole, references and line ends included', () => {
    const chunk = '检验结果 result 1 &lt; 2\r\n';
    const copies = Math.ceil((20 * 1024 * 1024) / chunk.length);
    const root = parseXml(`<a>${chunk.repeat(copies)}</a>`);
    const expected = '检验结果 result 1 < 2\n';
    expect(root.children).toHaveLength(1);
    const text = root.children[0] as string;
    expect(text.length).toBe(expected.length * copies);
    expect(text.slice(0, expected.length * 2)).toBe(expected.repeat(2));
    expect(text.endsWith(expected)).toBe(true);
    expectMalformed(`<a>${'x'.repeat(5_000_000)}&oops;</a>`, 1, 5_000_004, /undefined entity &oops;/);
  });
});

describe('strict parser: the tree it builds', () => {
  it('keeps prefixes and namespace declarations as written', () => {
    const root = parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<h:a xmlns:h="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><h:b xsi:type="ST"/></h:a>');
    expect(root).toEqual({
      name: 'a',
      prefix: 'h',
      attrs: { 'xmlns:h': 'urn:hl7-org:v3', 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' },
      children: [{ name: 'b', prefix: 'h', attrs: { 'xsi:type': 'ST' }, children: [] }],
    });
  });

  it('merges text around CDATA, comments and processing instructions; keeps whitespace between elements', () => {
    const root = parseXml('<a>\n  <b/>\n  one <![CDATA[<two> & ]]>three<!-- skipped --> four<?pi skipped?>!</a>');
    expect(root.children).toEqual(['\n  ', { name: 'b', attrs: {}, children: [] }, '\n  one <two> & three four!']);
    expect(textOf(root)).toBe('one <two> & three four!');
  });

  it('normalises line ends, and whitespace in attribute values (XML 1.0 §3.3.3), but not character references', () => {
    const root = parseXml('<a t="x\r\n\ty&#10;z">1\r2\r\n3</a>');
    expect(root.attrs.t).toBe('x  y\nz');
    expect(root.children).toEqual(['1\n2\n3']);
  });

  it('keeps attributes named like Object.prototype members as plain values', () => {
    const root = parseXml('<a __proto__="p" constructor="c" toString="t"/>');
    expect(Object.keys(root.attrs)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(root.attrs.constructor).toBe('c');
    expect(Object.getOwnPropertyDescriptor(root.attrs, '__proto__')?.value).toBe('p');
  });
});
