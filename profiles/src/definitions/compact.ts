import type { ElementDefinition, ElementDefinitionBinding, ElementDefinitionConstraint, StructureDefinitionContext } from '@medplum/fhirtypes';
import { sd } from '../systems.js';

/**
 * A profile as authored: the differential's elements by id (`Patient.identifier:residentId.value`),
 * from which the generator derives `path` and `sliceName`, the StructureDefinition around them,
 * and the snapshot.
 */
export interface CompactProfile {
  id: string;
  /** The base resource or data type (`Patient`, `Extension`). */
  type: string;
  name: string;
  /** Chinese, then English. */
  title: string;
  description: string;
  /** Where an extension may be used. */
  context?: StructureDefinitionContext[];
  elements: CompactElement[];
}

export type CompactElement = Omit<ElementDefinition, 'path' | 'sliceName'> & { id: string };

/** An element constraint with its Chinese text (carried in the standard translation extension on `human`). */
export function rule(key: string, zh: string, en: string, expression: string, severity: 'error' | 'warning' = 'error'): ElementDefinitionConstraint {
  return {
    key,
    severity,
    human: en,
    _human: { extension: [{ url: TRANSLATION, extension: [{ url: 'lang', valueCode: 'zh-CN' }, { url: 'content', valueString: zh }] }] },
    expression,
  } as ElementDefinitionConstraint;
}

export const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';

/** Elements marked must-support (the national data sets list them, but do not make them mandatory). */
export function mustSupport(...ids: string[]): CompactElement[] {
  return ids.map((id) => ({ id, mustSupport: true }));
}

export function bound(id: string, strength: ElementDefinitionBinding['strength'], valueSet: string, extra: Partial<CompactElement> = {}): CompactElement {
  return { id, binding: { strength, valueSet }, mustSupport: true, ...extra };
}

/** Identifiers sliced by their system: one slice per national identifier, each with its fixed system. */
export function identifierSlices(base: string, slices: readonly IdentifierSlice[], min?: number): CompactElement[] {
  const elements: CompactElement[] = [
    {
      id: base,
      slicing: { discriminator: [{ type: 'value', path: 'system' }], rules: 'open', description: '按标识体系切片 | Sliced by identifier system' },
      mustSupport: true,
      ...(min !== undefined ? { min } : {}),
    },
  ];
  for (const s of slices) {
    const id = `${base}:${s.name}`;
    elements.push(
      { id, short: s.short, min: s.min ?? 0, max: s.max ?? '1', mustSupport: true },
      { id: `${id}.system`, min: 1, fixedUri: s.system },
      { id: `${id}.value`, min: 1, ...(s.valueRules ? { constraint: s.valueRules } : {}) },
    );
    if (s.assigner) elements.push({ id: `${id}.assigner`, min: 1, short: '签发机构 | Issuing organisation', type: [{ code: 'Reference', targetProfile: ['http://hl7.org/fhir/StructureDefinition/Organization'] }] });
  }
  return elements;
}

export interface IdentifierSlice {
  name: string;
  system: string;
  short: string;
  min?: number;
  max?: string;
  /** Scoped to the organisation that issued it (outpatient and inpatient numbers). */
  assigner?: boolean;
  valueRules?: ElementDefinitionConstraint[];
}

/** An extension slice on `base` (`Patient.extension`) pointing at one of the package's extensions. */
export function extensionSlices(base: string, slices: readonly { name: string; extension: string; min?: number; max?: string }[]): CompactElement[] {
  return [
    { id: base, slicing: { discriminator: [{ type: 'value', path: 'url' }], rules: 'open' } },
    ...slices.map((s) => ({
      id: `${base}:${s.name}`,
      min: s.min ?? 0,
      max: s.max ?? '1',
      mustSupport: true,
      type: [{ code: 'Extension', profile: [sd(s.extension)] }],
    })),
  ];
}
