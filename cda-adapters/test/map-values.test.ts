import { readValue } from '../src/map/values.js';
import { parseXml } from '../src/xml/dom.js';

describe('reading CDA values', () => {
  it('reads wrapped base64 (ED) as one string without line breaks, from the element’s own text only', () => {
    const value = parseXml(
      '<value xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ED" representation="B64" mediaType="image/png">\r\n  iVBORw0K\r\n  GgoAAAAN\n<thumbnail representation="B64">AAAA</thumbnail>\n  SUhEUg==\n</value>',
    );
    expect(readValue(value)).toEqual({ type: 'ED', mediaType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg==' });
  });
});
