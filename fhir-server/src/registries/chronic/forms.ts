import { readFileSync } from 'node:fs';
import type { Questionnaire } from '@medplum/fhirtypes';

/** The shipped forms live beside this module's source; the same path from `src/` (tests) and `dist/` (the build). */
const FORMS_DIR = new URL('../../../src/registries/chronic/forms/', import.meta.url);

export type Disease = 'hypertension' | 'diabetes';

let forms: Map<string, { disease: Disease; questionnaire: Questionnaire }> | undefined;

/** The follow-up Questionnaires by canonical URL (see forms/PROVENANCE.md). */
export function followUpForms(): Map<string, { disease: Disease; questionnaire: Questionnaire }> {
  if (forms) return forms;
  forms = new Map();
  for (const [disease, file] of [['hypertension', 'hypertension-follow-up.json'], ['diabetes', 'diabetes-follow-up.json']] as const) {
    const questionnaire = JSON.parse(readFileSync(new URL(file, FORMS_DIR), 'utf8')) as Questionnaire;
    forms.set(questionnaire.url as string, { disease, questionnaire });
  }
  return forms;
}

/** The form a QuestionnaireResponse answers (`questionnaire` may carry `|version`). */
export function formOf(canonical: string | undefined): { disease: Disease; questionnaire: Questionnaire } | undefined {
  return canonical ? followUpForms().get(canonical.split('|')[0] as string) : undefined;
}
