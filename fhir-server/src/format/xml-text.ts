/** Character-level rules of XML 1.0 shared by the FHIR XML writer and reader. */

export const FHIR_NS = 'http://hl7.org/fhir';
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  // A reader normalises literal tabs and line breaks in attribute values to spaces; references survive.
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/** Characters XML 1.0 cannot carry at all, not even as character references. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/u;

/** The text for a double-quoted attribute value, or undefined when XML cannot represent it. */
export function escapeAttribute(value: string): string | undefined {
  if (NOT_XML_CHAR.test(value)) return undefined;
  return value.replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] as string);
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&([^&;]*)(;?)/g;

/**
 * The value of an attribute as an XML processor reports it: literal whitespace normalised to
 * spaces, then the predefined entities and character references replaced. Entities are never
 * looked up anywhere else, so no document can define or expand its own.
 */
export function decodeAttribute(raw: string, fail: (detail: string) => never): string {
  const normalised = raw.replace(/\r\n?|[\n\t]/g, ' ');
  if (!normalised.includes('&')) return normalised;
  return normalised.replace(REFERENCE, (_match, ref: string, semicolon: string) => resolveReference(ref, semicolon, fail));
}

/** Checks that literal XHTML only uses references an XML processor without a DTD understands. */
export function checkReferences(xhtml: string, fail: (detail: string) => never): void {
  // Comments and CDATA sections may contain a bare "&".
  const markup = xhtml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  for (const [, ref = '', semicolon = ''] of markup.matchAll(REFERENCE)) resolveReference(ref, semicolon, fail);
}

function resolveReference(ref: string, semicolon: string, fail: (detail: string) => never): string {
  if (!semicolon) return fail('"&" must start an entity or character reference ending with ";"');
  const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
  if (numeric) {
    const codePoint = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
    if (isXmlChar(codePoint)) return String.fromCodePoint(codePoint);
    return fail(`&${ref}; does not refer to a character allowed in XML`);
  }
  return PREDEFINED[ref] ?? fail(`undefined entity &${ref};`);
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}
