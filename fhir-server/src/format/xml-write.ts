import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import { layoutOf, type Layout, type Slot } from './xml-layout.js';
import { escapeAttribute, FHIR_NS, XHTML_NS } from './xml-text.js';

type Json = Record<string, unknown>;

/**
 * FHIR XML (http://hl7.org/fhir/R4/xml.html) for a resource in FHIR JSON form. Elements follow
 * the StructureDefinition order; anything XML cannot carry (unknown properties, characters XML
 * forbids) is refused rather than dropped, so the output always reads back to the same JSON.
 */
export function resourceToXml(resource: Resource): string {
  const writer = new XmlWriter();
  writer.resource(resource, true);
  return writer.out;
}

class XmlWriter {
  out = '';
  /** FHIRPath of the element being written, kept as segments and joined only for an error. */
  private readonly path: string[] = [];

  resource(value: unknown, root: boolean): void {
    const type = isObject(value) ? value.resourceType : undefined;
    const layout = typeof type === 'string' ? layoutOf(type) : undefined;
    if (!isObject(value) || typeof type !== 'string' || !layout?.isResource) {
      throw this.unrepresentable(`not a known resource type: ${String(type)}`);
    }
    if (root) this.path.push(type);
    this.out += root ? `<${type} xmlns="${FHIR_NS}">` : `<${type}>`;
    this.children(value, layout);
    this.out += `</${type}>`;
  }

  private children(value: Json, layout: Layout): void {
    const present = new Set<Slot>();
    for (const key of Object.keys(value)) {
      if (key === 'resourceType' && layout.isResource) continue;
      const shadow = key.startsWith('_');
      const slot = layout.byName.get(shadow ? key.slice(1) : key);
      if (!slot || (shadow && (slot.kind !== 'primitive' || slot.attribute))) {
        this.path.push(`.${key}`);
        throw this.unrepresentable(`unknown property "${key}"`);
      }
      if (!slot.attribute) present.add(slot);
    }
    for (const slot of [...present].sort((a, b) => a.order - b.order)) {
      const item = value[slot.name];
      const shadow = slot.kind === 'primitive' ? value[`_${slot.name}`] : undefined;
      if (!slot.array) {
        this.path.push(`.${slot.name}`);
        this.element(slot, item, shadow);
        this.path.pop();
        continue;
      }
      const items = asArray(item);
      const shadows = asArray(shadow);
      const count = Math.max(items.length, shadows.length);
      for (let i = 0; i < count; i++) {
        this.path.push(`.${slot.name}[${i}]`);
        this.element(slot, items[i], shadows[i]);
        this.path.pop();
      }
    }
  }

  private element(slot: Slot, value: unknown, shadow: unknown): void {
    if (value == null && shadow == null) return;
    switch (slot.kind) {
      case 'primitive':
        return this.primitive(slot.name, value, shadow);
      case 'xhtml':
        return this.xhtml(value);
      case 'resource':
        this.out += `<${slot.name}>`;
        this.resource(value, false);
        this.out += `</${slot.name}>`;
        return;
      case 'complex': {
        const layout = layoutOf(slot.type);
        if (!layout || !isObject(value)) throw this.unrepresentable(`expected an object of type ${slot.type}`);
        this.out += `<${slot.name}${this.attributes(value, layout)}>`;
        this.children(value, layout);
        this.out += `</${slot.name}>`;
      }
    }
  }

  /** `<name id=".." value="..">` with the extensions from the JSON `_name` sibling as children. */
  private primitive(name: string, value: unknown, shadow: unknown): void {
    if (shadow != null && !isObject(shadow)) throw this.unrepresentable(`"_${name}" must be an object`);
    const element = elementLayout();
    let tag = `<${name}${shadow ? this.attributes(shadow, element) : ''}`;
    if (value != null) tag += ` value="${this.attributeText(value)}"`;
    if (!shadow) {
      this.out += `${tag}/>`;
      return;
    }
    this.out += `${tag}>`;
    this.children(shadow, element);
    this.out += `</${name}>`;
  }

  private attributes(value: Json, layout: Layout): string {
    let text = '';
    for (const slot of layout.attributes) {
      const item = value[slot.name];
      if (item != null) text += ` ${slot.name}="${this.attributeText(item)}"`;
    }
    return text;
  }

  private attributeText(value: unknown): string {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw this.unrepresentable('a primitive value must be a string, number or boolean');
    }
    // Numbers are written as JavaScript prints them, which is what JSON.parse produced them from.
    const text = escapeAttribute(String(value));
    if (text === undefined) throw this.unrepresentable('the value contains characters XML 1.0 cannot represent');
    return text;
  }

  /** The narrative is already XHTML; it only needs its namespace declared if JSON left it implicit. */
  private xhtml(value: unknown): void {
    const start = typeof value === 'string' ? /^\s*<div(?=[\s/>])/.exec(value) : null;
    if (typeof value !== 'string' || !start) throw this.unrepresentable('the narrative must be an XHTML <div> element');
    const startTag = value.slice(0, value.indexOf('>') + 1);
    this.out += /\sxmlns\s*=\s*["']/.test(startTag) ? value : `<div xmlns="${XHTML_NS}"${value.slice(start[0].length)}`;
  }

  private unrepresentable(detail: string): FhirError {
    return new FhirError('format.not-acceptable', { type: `application/fhir+xml (${detail})` }, this.path.join('') || undefined);
  }
}

function elementLayout(): Layout {
  return layoutOf('Element') as Layout;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value == null) return [];
  return Array.isArray(value) ? value : [value];
}
