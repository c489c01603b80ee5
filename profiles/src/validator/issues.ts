/**
 * A problem of a resource against a profile, in both languages, with the rule that raised it.
 * The shape is the server's `EdgeIssue`, which this library does not import.
 */
export interface ProfileIssue {
  severity: 'error' | 'warning' | 'information';
  /** FHIR issue type. */
  code: 'structure' | 'required' | 'value' | 'invariant' | 'code-invalid' | 'extension' | 'not-supported';
  /** `cn-…` rule id, or the constraint key. */
  id: string;
  zh: string;
  en: string;
  /** FHIRPath of the element, e.g. `Patient.identifier[0].value`. */
  expression: string;
}

const label = (short: string | undefined, fallback: string): { zh: string; en: string } => {
  if (!short) return { zh: fallback, en: fallback };
  const [zh, en] = short.split(' | ');
  return { zh: zh ?? fallback, en: en ?? zh ?? fallback };
};

export function tooFew(expression: string, short: string | undefined, min: number, found: number, title: string): ProfileIssue {
  const l = label(short, expression.slice(expression.lastIndexOf('.') + 1));
  const profile = label(title, title);
  return {
    severity: 'error',
    code: 'required',
    id: 'cn-min',
    zh: `${l.zh}：配置文件“${profile.zh}”要求至少 ${min} 个，实际 ${found} 个`,
    en: `${l.en}: profile ${profile.en} requires at least ${min}, found ${found}`,
    expression,
  };
}

export function tooMany(expression: string, short: string | undefined, max: number, found: number, title: string): ProfileIssue {
  const l = label(short, expression.slice(expression.lastIndexOf('.') + 1));
  const profile = label(title, title);
  return {
    severity: 'error',
    code: 'structure',
    id: 'cn-max',
    zh: `${l.zh}：配置文件“${profile.zh}”允许最多 ${max} 个，实际 ${found} 个`,
    en: `${l.en}: profile ${profile.en} allows at most ${max}, found ${found}`,
    expression,
  };
}

export function notFixed(expression: string, expected: unknown, pattern: boolean): ProfileIssue {
  const text = JSON.stringify(expected);
  return pattern
    ? { severity: 'error', code: 'value', id: 'cn-pattern', zh: `值必须符合模式 ${text}`, en: `Value must match the pattern ${text}`, expression }
    : { severity: 'error', code: 'value', id: 'cn-fixed', zh: `值必须为 ${text}`, en: `Value must be exactly ${text}`, expression };
}

export function notInValueSet(expression: string, code: string, valueSet: string, strength: string): ProfileIssue {
  const required = strength === 'required';
  return {
    severity: required ? 'error' : 'warning',
    code: 'code-invalid',
    id: required ? 'cn-binding-required' : 'cn-binding-extensible',
    zh: `代码 "${code}" 不在${required ? '必需' : '可扩展'}值集 ${valueSet} 中`,
    en: `Code "${code}" is not in the ${strength} value set ${valueSet}`,
    expression,
  };
}

export function noCode(expression: string, valueSet: string): ProfileIssue {
  return {
    severity: 'error',
    code: 'code-invalid',
    id: 'cn-binding-required',
    zh: `必须提供必需值集 ${valueSet} 中的代码`,
    en: `A code from the required value set ${valueSet} is needed`,
    expression,
  };
}

export function typeNotAllowed(expression: string, type: string, allowed: readonly string[]): ProfileIssue {
  return {
    severity: 'error',
    code: 'structure',
    id: 'cn-type',
    zh: `此处不允许类型 ${type}，允许：${allowed.join('、')}`,
    en: `Type ${type} is not allowed here; allowed: ${allowed.join(', ')}`,
    expression,
  };
}

export function notInClosedSlicing(expression: string): ProfileIssue {
  return { severity: 'error', code: 'structure', id: 'cn-slice-closed', zh: '该值不属于任何已定义的切片', en: 'The value matches none of the defined slices', expression };
}

export function constraintFailed(expression: string, key: string, severity: 'error' | 'warning', zh: string, en: string): ProfileIssue {
  return { severity, code: 'invariant', id: key, zh: `${zh}（${key}）`, en: `${en} (${key})`, expression };
}

export function extensionContext(expression: string, url: string, where: string, allowed: readonly string[]): ProfileIssue {
  return {
    severity: 'error',
    code: 'extension',
    id: 'cn-extension-context',
    zh: `扩展 ${url} 不能用在 ${where}，只能用在：${allowed.join('、')}`,
    en: `Extension ${url} cannot be used on ${where}; allowed on: ${allowed.join(', ')}`,
    expression,
  };
}

export function unknownProfile(expression: string, url: string): ProfileIssue {
  return {
    severity: 'warning',
    code: 'not-supported',
    id: 'cn-profile-unknown',
    zh: `服务器不认识配置文件 ${url}，未按其校验`,
    en: `Profile ${url} is unknown to the server and was not checked`,
    expression,
  };
}

export function wrongType(expression: string, url: string, type: string, expected: string): ProfileIssue {
  return {
    severity: 'error',
    code: 'structure',
    id: 'cn-profile-type',
    zh: `配置文件 ${url} 约束的是 ${expected}，不能用于 ${type}`,
    en: `Profile ${url} constrains ${expected}, not ${type}`,
    expression,
  };
}
