import { evalFhirPathTyped, parseFhirPath, toTypedValue } from '@medplum/core';
import type { Condition, Patient } from '@medplum/fhirtypes';
import type { Terminology } from '@qiao/terminology';
import type { EdgeIssue } from '../../errors/edge-issues.js';
import { caseFields, ICDO3 } from './model.js';
import { CANCER_RULES, type CaseInput, type QualityRule } from './rules.js';

const compiled = new Map<string, ReturnType<typeof parseFhirPath>>();

function passesFhirPath(rule: QualityRule, c: CaseInput): boolean {
  const text = rule.fhirpath as string;
  // A rule about the patient says nothing when there is none: CR-E06 refuses that case already.
  if (!c.patient && text.includes('%patient')) return true;
  let atom = compiled.get(text);
  if (!atom) compiled.set(text, (atom = parseFhirPath(text)));
  const result = evalFhirPathTyped(atom, [toTypedValue(c.condition)], c.patient ? { '%patient': toTypedValue(c.patient) } : {});
  return result.length === 1 && result[0]?.value === true;
}

function fill(text: string, params: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
}

/** The ICD-O-3 verdict for a code: the terminology service decides, and a partly loaded table cannot refute. */
export function icdo3Checker(terminology: Terminology): CaseInput['icdo3'] {
  return (code) => {
    const answer = terminology.validateCode({ system: ICDO3, code });
    if (answer.result) return 'valid';
    return answer.unknownSystem ? 'unchecked' : 'invalid';
  };
}

export interface Evaluation {
  issues: EdgeIssue[];
  errors: number;
  warnings: number;
  /** Share of the optional fields present (0–1). */
  completeness: number;
}

/** Runs every quality rule on a case; pure apart from the terminology lookups, so the benchmark can time it alone. */
export function evaluateCase(condition: Condition, patient: Patient | undefined, icdo3: CaseInput['icdo3'], today = new Date().toISOString().slice(0, 10)): Evaluation {
  const input: CaseInput = { condition, fields: caseFields(condition), icdo3, today, ...(patient ? { patient } : {}) };
  const issues: EdgeIssue[] = [];
  let optional = 0;
  let present = 0;
  for (const rule of CANCER_RULES) {
    const params = rule.check ? rule.check(input) : passesFhirPath(rule, input) ? undefined : {};
    if (rule.optional) {
      optional++;
      if (!params) present++;
    }
    if (!params) continue;
    issues.push({ severity: rule.severity, code: rule.severity === 'error' ? 'business-rule' : 'incomplete', id: rule.id, zh: fill(rule.zh, params), en: fill(rule.en, params), expression: rule.expression });
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { issues, errors, warnings: issues.length - errors, completeness: optional ? present / optional : 1 };
}
