import { capitalize, getDataType, isPrimitiveType } from '@medplum/core';
import { expandValueSet } from '../../src/validation/value-set-expansion.js';

/** A valid sample of each primitive type; strings in Chinese, as users will write them. */
const PRIMITIVE_SAMPLES: Record<string, unknown> = {
  boolean: true,
  integer: 1,
  positiveInt: 1,
  unsignedInt: 0,
  decimal: 1.5,
  string: '示例',
  markdown: '**示例**',
  code: 'sample',
  id: 'sample-1',
  uri: 'http://example.org/sample',
  url: 'http://example.org/sample',
  canonical: 'http://example.org/fhir/StructureDefinition/sample',
  oid: 'urn:oid:1.2.156.1',
  uuid: 'urn:uuid:6f1c1a0e-2d3b-4c5d-8e9f-0a1b2c3d4e5f',
  date: '2024-02-29',
  dateTime: '2024-02-29T08:30:00+08:00',
  instant: '2024-02-29T00:30:00Z',
  time: '08:30:00',
  base64Binary: 'AAEC',
  xhtml: '<div xmlns="http://www.w3.org/1999/xhtml">示例</div>',
};

/**
 * The smallest instance of a type the R4 definitions allow: every element with min ≥ 1,
 * filled with the first type of its choices; codes under a required binding come from the
 * bound value set, references point at the first allowed target type.
 */
export function minimalInstance(type: string): Record<string, unknown> {
  const instance: Record<string, unknown> = {};
  for (const [name, element] of Object.entries(getDataType(type).elements)) {
    const first = element.type[0];
    if (element.min < 1 || !first) continue;
    const key = name.endsWith('[x]') ? name.slice(0, -3) + capitalize(first.code) : name;
    const bound = element.binding?.strength === 'required' && element.binding.valueSet ? firstCode(element.binding.valueSet) : undefined;
    const value = sample(first.code, first.targetProfile, bound);
    instance[key] = element.isArray ? [value] : value;
  }
  // An empty object is not a value; give data types without mandatory elements their first plain one.
  if (!Object.keys(instance).length) {
    const [name, element] = Object.entries(getDataType(type).elements).find(([n, e]) => n !== 'id' && isPrimitiveType(e.type[0]?.code ?? '')) ?? [];
    const code = element?.type[0]?.code;
    if (name && code) instance[name] = PRIMITIVE_SAMPLES[code];
  }
  return instance;
}

function sample(type: string, targetProfiles: string[] | undefined, bound: { system: string; code: string } | undefined): unknown {
  if (type === 'code' && bound) return bound.code;
  if (isPrimitiveType(type)) return PRIMITIVE_SAMPLES[type];
  switch (type) {
    case 'CodeableConcept':
      return bound ? { coding: [bound] } : { text: '示例' };
    case 'Coding':
      return bound ?? { system: 'http://example.org/codes', code: 'sample' };
    case 'Reference': {
      const target = targetProfiles?.[0]?.split('/').pop();
      return { reference: `${target && target !== 'Resource' ? target : 'Patient'}/sample-1` };
    }
    default:
      return minimalInstance(type);
  }
}

function firstCode(valueSet: string): { system: string; code: string } | undefined {
  for (const [system, codes] of expandValueSet(valueSet) ?? []) for (const code of codes) return { system, code };
  return undefined;
}
