import { tryGetDataType, type InternalTypeSchema } from '@medplum/core';
import { loadR4 } from '../definitions/r4.js';

/**
 * How one JSON property of a FHIR type appears in XML, derived from the StructureDefinitions
 * so that neither direction carries per-type code.
 *
 * - `primitive`: `<name id=".." value="..">` with extensions as children; JSON `name` plus `_name`.
 * - `xhtml`: the Narrative `div`, written and read as literal XHTML.
 * - `resource`: a wrapper element holding one element named by the resource type.
 * - `complex`: a data type or backbone element with child elements.
 */
export type SlotKind = 'primitive' | 'xhtml' | 'resource' | 'complex';

export interface Slot {
  /** The JSON property and XML element name (choice types already expanded, e.g. `valueQuantity`). */
  readonly name: string;
  readonly type: string;
  readonly kind: SlotKind;
  readonly array: boolean;
  /**
   * FHIR XML carries `Element.id` and `Extension.url` as XML attributes (their ElementDefinitions
   * have `representation: xmlAttr`); @medplum/core drops `representation`, so the rule is applied here.
   */
  readonly attribute: boolean;
  /** Position in the StructureDefinition: the order XML requires. */
  readonly order: number;
}

export interface Layout {
  readonly isResource: boolean;
  /** Slots by element name (which is also the JSON property name). */
  readonly byName: ReadonlyMap<string, Slot>;
  /** The slots written as XML attributes. */
  readonly attributes: readonly Slot[];
}

/** JSON represents these primitives as numbers; all other primitives except boolean are strings. */
export const NUMBER_TYPES: ReadonlySet<string> = new Set(['integer', 'positiveInt', 'unsignedInt', 'decimal']);

/** Keyed by type name: the R4 definitions are loaded once per process and never change. */
const layouts = new Map<string, Layout>();

/** The layout of a complex type, backbone element or resource, or undefined when the type is unknown. */
export function layoutOf(type: string): Layout | undefined {
  let layout = layouts.get(type);
  if (layout) return layout;
  loadR4();
  const schema = tryGetDataType(type);
  if (!schema || schema.kind === 'primitive-type') return undefined;
  layout = buildLayout(type, schema);
  layouts.set(type, layout);
  return layout;
}

function buildLayout(type: string, schema: InternalTypeSchema): Layout {
  const isResource = schema.kind === 'resource';
  const slots: Slot[] = [];
  for (const [path, element] of Object.entries(schema.elements)) {
    const attribute = (!isResource && path === 'id') || (type === 'Extension' && path === 'url');
    const array = element.isArray === true || element.max > 1;
    const choice = path.endsWith('[x]');
    const base = choice ? path.slice(0, -3) : path;
    for (const { code } of element.type) {
      const name = choice ? base + code.charAt(0).toUpperCase() + code.slice(1) : base;
      slots.push({ name, type: code, kind: kindOf(code), array, attribute, order: slots.length });
    }
  }
  return {
    isResource,
    byName: new Map(slots.map((slot) => [slot.name, slot])),
    attributes: slots.filter((slot) => slot.attribute),
  };
}

function kindOf(code: string): SlotKind {
  if (code === 'xhtml') return 'xhtml';
  const schema = tryGetDataType(code);
  if (schema?.kind === 'resource') return 'resource';
  // Unresolvable codes are the FHIRPath system types (e.g. System.String), which are primitives.
  if (!schema || schema.kind === 'primitive-type') return 'primitive';
  return 'complex';
}
