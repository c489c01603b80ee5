import { decodeDocument } from '../src/xml/decode.js';
import { CdaError } from '../src/issues.js';
import { cdaToFhir } from '../src/map/document.js';
import { fhirToCda } from '../src/generate/cda.js';
import { readSection, writeSection } from '../src/model/body.js';
import { parseXml } from '../src/xml/dom.js';
import { narrativeToXhtml, xhtmlToNarrative } from '../src/xml/narrative.js';
import { writeXml } from '../src/xml/write.js';
import { documentXml } from './fixtures/documents.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const XHTML = '<div xmlns="http://www.w3.org/1999/xhtml">';
const nestedText =
  '<text><paragraph>高血压10年</paragraph><paragraph>糖尿病5年 &lt;2型&gt; &amp; 肥胖</paragraph>' +
  '<list listType="ordered"><item>一</item><item>二<br/>续</item></list>' +
  '<table><tbody><tr><td colspan="2" onclick="x()">手术史</td><td>无</td></tr></tbody></table>' +
  '<renderMultiMedia referencedObject="MM1"/><content styleCode="Bold">注</content></text>';

describe('section narrative keeps its structure', () => {
  it('paragraphs, lists and tables become XHTML in Composition.section.text, escaped, without foreign attributes', () => {
    const xml = documentXml('C0001').replace('<structuredBody>', `<structuredBody><component><section><title>既往史</title>${nestedText}</section></component>`);
    const mapped = cdaToFhir(parseXml(xml));
    const composition = mapped.entries.find((e) => e.fullUrl === mapped.composition)?.resource as Json;
    expect(composition.section[0].text).toEqual({
      status: 'generated',
      div:
        `${XHTML}<p>高血压10年</p><p>糖尿病5年 &lt;2型&gt; &amp; 肥胖</p>` +
        '<ol><li>一</li><li>二<br/>续</li></ol>' +
        '<table><tbody><tr><td colspan="2">手术史</td><td>无</td></tr></tbody></table><span>注</span></div>',
    });
    // Plain text stays plain, escaped.
    expect(composition.section[1].text.div).toBe(`${XHTML}诊断记录：见条目</div>`);
  });

  it('CDA → model → CDA keeps the narrative elements, and XHTML reads back to the same CDA narrative', () => {
    const section = readSection(parseXml(`<section xmlns="urn:hl7-org:v3"><title>t</title>${nestedText}</section>`));
    expect(section.text).toBe('高血压10年糖尿病5年 <2型> & 肥胖一二续手术史无注');
    // The writer indents elements that have no text of their own: whitespace, not content.
    const written = writeXml(writeSection(section)).replace(/>\s+</g, '><');
    expect(written).toContain('<paragraph>高血压10年</paragraph><paragraph>糖尿病5年 &lt;2型&gt; &amp; 肥胖</paragraph><list listType="ordered"><item>一</item>');
    const xhtml = narrativeToXhtml(section.narrative ?? []);
    const back = xhtmlToNarrative(`${XHTML}${xhtml}</div>`);
    expect(narrativeToXhtml(back ?? [])).toBe(xhtml);
    expect(xhtmlToNarrative('<div>unclosed')).toBeUndefined();
  });
});

describe('section narrative through FHIR and back', () => {
  it('paragraphs, lists and tables survive CDA → FHIR → CDA', () => {
    const xml = documentXml('C0001').replace('<structuredBody>', `<structuredBody><component><section><title>既往史</title>${nestedText}</section></component>`);
    const mapped = cdaToFhir(parseXml(xml));
    const byUrl = new Map(mapped.entries.map((e) => [e.fullUrl, e.resource]));
    const again = fhirToCda(byUrl.get(mapped.composition) as Json, (ref) => (ref ? byUrl.get(ref) : undefined));
    const section = again.slice(again.indexOf('<title>既往史</title>'), again.indexOf('</section>')).replace(/>\s+</g, '><').trim();
    expect(section).toBe(
      '<title>既往史</title><text><paragraph>高血压10年</paragraph><paragraph>糖尿病5年 &lt;2型&gt; &amp; 肥胖</paragraph>' +
        '<list listType="ordered"><item>一</item><item>二<br/>续</item></list>' +
        '<table><tbody><tr><td colspan="2">手术史</td><td>无</td></tr></tbody></table><content>注</content></text>',
    );
  });
});

describe('encoding errors say where', () => {
  it('CDA-XML-002 (bytes not in the declared encoding) points at the document', () => {
    const bytes = Buffer.from('<?xml version="1.0" encoding="GBK"?><a>\u00e9\u00e9\u4e2d</a>', 'utf8');
    try {
      decodeDocument(Uint8Array.from([...bytes, 0x81, 0x20]));
      throw new Error('decoded');
    } catch (error) {
      expect(error).toBeInstanceOf(CdaError);
      expect((error as CdaError).issues[0]).toMatchObject({ id: 'CDA-XML-002', severity: 'fatal', expression: '/' });
    }
  });
});
