import type { IssueInput } from '../errors/fhir-error.js';
import { isObject } from './json.js';
import { expandValueSet, expansionHas, type Expansion } from './value-set-expansion.js';

export type BindingViolation = Omit<IssueInput, 'expression'>;

/**
 * Checks a `code`, `Coding` or `CodeableConcept` value against a required binding. A
 * CodeableConcept conforms when at least one of its codings is in the value set (codings from
 * other systems may accompany it, R4 terminologies §4.1.3); a text-only one does not. Value sets
 * that cannot be expanded locally are not checked.
 */
export function bindingViolation(value: unknown, type: string, valueSetUrl: string): BindingViolation | undefined {
  const expansion = expandValueSet(valueSetUrl);
  if (!expansion) return undefined;
  if (type === 'code') {
    return typeof value === 'string' && !expansionHas(expansion, undefined, value) ? notInValueSet(value, valueSetUrl) : undefined;
  }
  if (!isObject(value)) return undefined;
  const codings = type === 'Coding' ? [value] : Array.isArray(value.coding) ? value.coding.filter(isObject) : [];
  const coded = codings.filter((coding) => typeof coding.code === 'string');
  if (coded.some((coding) => codingIn(coding, expansion))) return undefined;
  const first = coded[0];
  if (!first) return noCode(valueSetUrl);
  const code = String(first.code);
  return notInValueSet(typeof first.system === 'string' ? `${first.system}|${code}` : code, valueSetUrl);
}

/** A coding without a system cannot be known to be from the value set. */
function codingIn(coding: Record<string, unknown>, expansion: Expansion): boolean {
  return typeof coding.system === 'string' && expansionHas(expansion, coding.system, String(coding.code));
}

function notInValueSet(code: string, valueSet: string): BindingViolation {
  return { messageId: 'validation.binding', params: { code, valueSet } };
}

function noCode(valueSet: string): BindingViolation {
  return {
    messageId: 'validation.failed',
    params: {
      detail: `A code from the required value set ${valueSet} is needed`,
      zhDetail: `必须提供必需值集 ${valueSet} 中的代码`,
    },
    code: 'code-invalid',
  };
}
