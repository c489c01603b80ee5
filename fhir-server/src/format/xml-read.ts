import type { Resource } from '@medplum/fhirtypes';
import { XMLParser, XMLValidator, type ValidationError } from 'fast-xml-parser';
import { isKnownResourceType } from '../definitions/r4.js';
import { FhirError } from '../errors/fhir-error.js';
import { layoutOf, NUMBER_TYPES, type Layout, type Slot } from './xml-layout.js';
import { checkReferences, decodeAttribute, FHIR_NS, XHTML_NS, XSI_NS } from './xml-text.js';

type Json = Record<string, unknown>;
type Scope = ReadonlyMap<string, string>;

interface XmlElement {
  qname: string;
  local: string;
  ns: string;
  attrs: Record<string, string>;
  children: unknown[];
  /** Namespace declarations in force inside this element, by prefix ('' for the default namespace). */
  scope: Scope;
  /** Where the element starts and ends in the document, to take the narrative verbatim. */
  start?: number;
  end?: number;
}

/**
 * fast-xml-parser never expands entities here (processEntities: false): attribute values arrive
 * raw and xml-text.ts decodes the five predefined entities and character references itself.
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
  // No callbacks are used, so the parser need not build a path string for every element.
  jPath: false,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;
const DTD_DECLARATION = /<!\s*(?:doctype|entity|element|attlist|notation)/i;
const NO_SCOPE: Scope = new Map();

/**
 * The FHIR JSON form of a FHIR XML document. Rejects DTDs before parsing and anything the R4
 * definitions do not allow; every failure is a FhirError whose expression points at the element.
 */
export function xmlToResource(input: string): Resource {
  if (typeof input !== 'string' || !/\S/.test(input)) throw malformed('the document is empty');
  const xml = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (DTD_DECLARATION.test(xml)) throw new FhirError('body.xml-doctype');
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) throw malformed(describe(verdict));
  let nodes: unknown;
  try {
    nodes = parser.parse(xml);
  } catch (error) {
    throw malformed(error instanceof Error ? error.message : String(error));
  }
  return new XmlReader(xml).document(nodes) as unknown as Resource;
}

class XmlReader {
  constructor(private readonly xml: string) {}

  document(nodes: unknown): Json {
    const roots = elementNodes(nodes, NO_SCOPE, 'the document');
    const [root] = roots;
    if (!root || roots.length > 1) throw malformed(`a FHIR document has exactly one root element, not ${roots.length}`);
    // fast-xml-parser and its validator both overlook text after a self-closing root element.
    const tail = this.xml.slice(root.end).replace(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g, '');
    if (/\S/.test(tail)) throw malformed('there is text after the root element');
    if (root.ns !== FHIR_NS) throw malformed(`the root element <${root.qname}> is not in the FHIR namespace ${FHIR_NS}`);
    if (!isKnownResourceType(root.local)) throw new FhirError('resource.type-unknown', { type: root.local }, root.local);
    return this.resource(root, root.local);
  }

  private resource(el: XmlElement, path: string): Json {
    const layout = layoutOf(el.local) as Layout;
    const resource: Json = { resourceType: el.local };
    readAttributes(el, undefined, resource, path);
    this.children(el, layout, resource, path);
    return resource;
  }

  private children(el: XmlElement, layout: Layout, target: Json, path: string): void {
    const counts = new Map<string, number>();
    const primitiveArrays = new Map<string, { values: unknown[]; shadows: unknown[] }>();
    for (const child of elementNodes(el.children, el.scope, `<${el.qname}>`, path)) {
      const slot = layout.byName.get(child.local);
      if (!slot || slot.attribute) throw malformed(`unknown element <${child.qname}>`, `${path}.${child.local}`);
      const ns = slot.kind === 'xhtml' ? XHTML_NS : FHIR_NS;
      if (child.ns !== ns) throw malformed(`<${child.qname}> is not in the namespace ${ns}`, `${path}.${child.local}`);
      const index = counts.get(slot.name) ?? 0;
      counts.set(slot.name, index + 1);
      if (!slot.array && index > 0) throw malformed(`<${slot.name}> may occur only once`, `${path}.${slot.name}`);
      const childPath = slot.array ? `${path}.${slot.name}[${index}]` : `${path}.${slot.name}`;
      if (slot.kind !== 'primitive') {
        const value = this.value(child, slot, childPath);
        if (slot.array) ((target[slot.name] ??= []) as unknown[]).push(value);
        else target[slot.name] = value;
        continue;
      }
      const { value, shadow } = this.primitive(child, slot, childPath);
      if (slot.array) {
        let collected = primitiveArrays.get(slot.name);
        if (!collected) primitiveArrays.set(slot.name, (collected = { values: [], shadows: [] }));
        collected.values.push(value ?? null);
        collected.shadows.push(shadow ?? null);
      } else {
        if (value !== undefined) target[slot.name] = value;
        if (shadow) target[`_${slot.name}`] = shadow;
      }
    }
    // JSON keeps a repeating primitive's values and its ids/extensions in two arrays aligned by nulls.
    for (const [name, { values, shadows }] of primitiveArrays) {
      if (values.some((v) => v !== null)) target[name] = values;
      if (shadows.some((s) => s !== null)) target[`_${name}`] = shadows;
    }
  }

  private value(el: XmlElement, slot: Slot, path: string): unknown {
    if (slot.kind === 'xhtml') return this.xhtml(el, path);
    if (slot.kind === 'resource') return this.wrapped(el, path);
    const layout = layoutOf(slot.type) as Layout;
    const value: Json = {};
    readAttributes(el, layout, value, path);
    this.children(el, layout, value, path);
    return value;
  }

  /** A primitive's `value` attribute, and its `id` and extensions as the JSON `_name` sibling. */
  private primitive(el: XmlElement, slot: Slot, path: string): { value?: unknown; shadow?: Json } {
    const element = layoutOf('Element') as Layout;
    const shadow: Json = {};
    const raw = readAttributes(el, element, shadow, path, true);
    this.children(el, element, shadow, path);
    return {
      value: raw === undefined ? undefined : primitiveValue(slot.type, raw, path),
      shadow: Object.keys(shadow).length > 0 ? shadow : undefined,
    };
  }

  /** `<contained>`, `Bundle.entry.resource` and the like hold one element named by the resource type. */
  private wrapped(el: XmlElement, path: string): Json {
    readAttributes(el, undefined, {}, path);
    const inner = elementNodes(el.children, el.scope, `<${el.qname}>`, path);
    const [resource] = inner;
    if (!resource || inner.length > 1) throw malformed(`<${el.qname}> must contain exactly one resource`, path);
    if (resource.ns !== FHIR_NS) throw malformed(`<${resource.qname}> is not in the FHIR namespace ${FHIR_NS}`, path);
    if (!isKnownResourceType(resource.local)) throw new FhirError('resource.type-unknown', { type: resource.local }, path);
    return this.resource(resource, path);
  }

  /** The narrative is kept as the exact XHTML text of the document, as FHIR JSON carries it. */
  private xhtml(el: XmlElement, path: string): string {
    if (el.qname !== 'div' || el.start === undefined || el.end === undefined) {
      throw malformed(`the narrative must be a <div> in the default XHTML namespace, not <${el.qname}>`, path);
    }
    const text = this.xml.slice(el.start, el.end);
    checkReferences(text, (detail) => {
      throw malformed(detail, path);
    });
    // FHIR JSON wants the namespace declared on the div itself, even if XML inherited it.
    return el.attrs.xmlns === undefined ? `<div xmlns="${XHTML_NS}"${text.slice('<div'.length)}` : text;
  }
}

/**
 * The element children of a preserveOrder node list. Text between FHIR elements may only be
 * whitespace (FHIR XML has no text content outside the narrative); comments are already gone.
 */
function elementNodes(nodes: unknown, scope: Scope, where: string, path?: string): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const node of Array.isArray(nodes) ? (nodes as unknown[]) : []) {
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    const tag = Object.keys(record).find((key) => key !== ':@');
    if (tag === '#text') {
      if (/\S/.test(String(record[tag]))) throw malformed(`text content is not allowed in ${where}`, path);
    } else if (tag === '#cdata') {
      throw malformed(`CDATA is not allowed in ${where}`, path);
    } else if (tag !== undefined) {
      elements.push(toElement(record, tag, scope, path));
    }
  }
  return elements;
}

function toElement(node: Record<string, unknown>, qname: string, parentScope: Scope, path: string | undefined): XmlElement {
  const attrs = (node[':@'] ?? {}) as Record<string, string>;
  let scope = parentScope;
  for (const [name, raw] of Object.entries(attrs)) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    if (scope === parentScope) scope = new Map(parentScope);
    (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice('xmlns:'.length), decode(raw, path));
  }
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined && prefix) throw malformed(`the namespace prefix "${prefix}" of <${qname}> is not declared`, path);
  const meta = (node as Record<symbol, unknown>)[META] as { startIndex?: number; endIndex?: number } | undefined;
  return {
    qname,
    local: qname.slice(colon + 1),
    ns: ns ?? '',
    attrs,
    children: node[qname] as unknown[],
    scope,
    start: meta?.startIndex,
    end: meta?.endIndex,
  };
}

/**
 * Copies the attributes the layout carries as XML attributes into `target`; with `withValue`,
 * returns the raw primitive `value` attribute. Namespace declarations and xsi:* are allowed anywhere.
 */
function readAttributes(el: XmlElement, layout: Layout | undefined, target: Json, path: string, withValue = false): string | undefined {
  let value: string | undefined;
  for (const [name, raw] of Object.entries(el.attrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const colon = name.indexOf(':');
    if (colon >= 0 && el.scope.get(name.slice(0, colon)) === XSI_NS) continue;
    if (withValue && name === 'value') {
      value = decode(raw, path);
      continue;
    }
    const slot = colon < 0 ? layout?.byName.get(name) : undefined;
    if (!slot?.attribute) throw malformed(`unknown attribute "${name}" on <${el.qname}>`, path);
    target[name] = decode(raw, path);
  }
  return value;
}

function primitiveValue(type: string, raw: string, path: string): string | number | boolean {
  if (type === 'boolean') {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw malformed(`"${raw}" is not a boolean`, path);
  }
  if (NUMBER_TYPES.has(type)) {
    const pattern = type === 'decimal' ? /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/ : /^[-+]?\d+$/;
    if (!pattern.test(raw)) throw malformed(`"${raw}" is not a valid ${type}`, path);
    return Number(raw);
  }
  return raw;
}

function decode(raw: string, path: string | undefined): string {
  return decodeAttribute(raw, (detail) => {
    throw malformed(detail, path);
  });
}

function describe({ err }: ValidationError): string {
  return err.col === undefined ? `${err.msg} (line ${err.line})` : `${err.msg} (line ${err.line}, column ${err.col})`;
}

function malformed(detail: string, expression?: string): FhirError {
  return new FhirError('body.malformed-xml', { detail }, expression);
}
