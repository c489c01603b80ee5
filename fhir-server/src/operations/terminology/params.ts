import type { CodeableConcept, Coding, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { fromEdgeIssue } from '../../errors/edge-issues.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { FhirRequest } from '../../router/types.js';

/**
 * The input parameters of an operation, from the query string (GET) or a Parameters body (POST):
 * both forms give the same answers.
 */
export class OperationInput {
  private readonly body: ParametersParameter[];

  constructor(private readonly req: FhirRequest) {
    const body = req.body as Parameters | undefined;
    if (body !== undefined && (typeof body !== 'object' || body.resourceType !== 'Parameters')) {
      throw bad('TX-PARAMS-BODY', 'Parameters', '请求体必须是 Parameters 资源', 'The request body must be a Parameters resource');
    }
    this.body = body?.parameter ?? [];
  }

  string(name: string): string | undefined {
    const fromQuery = this.req.query.find(([n]) => n === name)?.[1];
    if (fromQuery !== undefined) return fromQuery;
    const p = this.body.find((x) => x.name === name);
    if (!p) return undefined;
    const value = p.valueString ?? p.valueCode ?? p.valueUri ?? p.valueCanonical ?? p.valueUrl ?? p.valueId
      ?? (p.valueInteger !== undefined ? String(p.valueInteger) : undefined)
      ?? (p.valueBoolean !== undefined ? String(p.valueBoolean) : undefined);
    return value;
  }

  integer(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^\d{1,9}$/.test(raw)) throw bad('TX-PARAM-INTEGER', name, `参数 ${name} 必须是非负整数：${raw}`, `Parameter ${name} must be a non-negative integer: ${raw}`);
    return Number(raw);
  }

  boolean(name: string): boolean | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') throw bad('TX-PARAM-BOOLEAN', name, `参数 ${name} 必须是 true 或 false：${raw}`, `Parameter ${name} must be true or false: ${raw}`);
    return raw === 'true';
  }

  coding(name: string): Coding | undefined {
    const p = this.body.find((x) => x.name === name);
    if (p?.valueCoding) return p.valueCoding;
    const raw = this.req.query.find(([n]) => n === name)?.[1];
    if (raw === undefined) return undefined;
    // GET form: system|code, as search tokens are written.
    const bar = raw.lastIndexOf('|');
    return bar < 0 ? { code: raw } : { system: raw.slice(0, bar), code: raw.slice(bar + 1) };
  }

  codeableConcept(name: string): CodeableConcept | undefined {
    return this.body.find((x) => x.name === name)?.valueCodeableConcept;
  }

  /** A required parameter, or a 400 naming it. */
  require(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') {
      throw bad('TX-PARAM-MISSING', name, `缺少参数 ${name}`, `Parameter ${name} is required`);
    }
    return value;
  }
}

export function bad(id: string, expression: string, zh: string, en: string): FhirError {
  return FhirError.of([fromEdgeIssue({ severity: 'error', code: 'invalid', id, zh, en, expression })], 400);
}

/** Parameters output, leaving out absent values. */
export function parameters(parameter: (ParametersParameter | undefined)[]): Parameters {
  return { resourceType: 'Parameters', parameter: parameter.filter((p): p is ParametersParameter => p !== undefined) };
}
