import type { IssueType } from '../errors/catalogue.js';
import { jsonType } from './json.js';

/** A structural problem as the user sees it, in both languages. */
export interface StructureMessage {
  en: string;
  zh: string;
  /** More precise FHIR issue type than `structure`, where there is one. */
  code?: IssueType;
}

const JSON_TYPE_ZH: Record<string, string> = {
  string: '字符串',
  number: '数字',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
  null: 'null',
};
const zhJsonType = (type: string): string => JSON_TYPE_ZH[type] ?? type;

/** The invariants' descriptions exist in English only. */
export function constraintFailed(key: string, description: string): StructureMessage {
  return { en: `Constraint ${key} failed: ${description}`, zh: `不满足约束 ${key}：${description}`, code: 'invariant' };
}

export function unknownElement(name: string): StructureMessage {
  return { en: `Unknown element "${name}"`, zh: `未知元素 "${name}"` };
}

export function missingElement(): StructureMessage {
  return { en: 'Required element is missing', zh: '缺少必填元素', code: 'required' };
}

export function arrayExpected(): StructureMessage {
  return { en: 'Element must be a JSON array', zh: '该元素必须是 JSON 数组' };
}

export function singleValueExpected(): StructureMessage {
  return { en: 'Element must be a single value, not an array', zh: '该元素只能是单个值，不能是数组' };
}

export function nullValue(): StructureMessage {
  return { en: 'null is not allowed here', zh: '此处不允许 null' };
}

export function emptyValue(value: unknown): StructureMessage {
  const type = jsonType(value);
  return { en: `Empty ${type} is not allowed`, zh: `不允许空${zhJsonType(type)}` };
}

/** A primitive value of the wrong JSON type: `expected` and `got` are JSON type names. */
export function wrongJsonType(expected: string, got: string): StructureMessage {
  return { en: `Wrong JSON type: expected ${expected}, got ${got}`, zh: `JSON 类型错误：应为${zhJsonType(expected)}，实际为${zhJsonType(got)}` };
}

export function notAnObject(type: string, value: unknown): StructureMessage {
  const got = jsonType(value);
  return { en: `Wrong JSON type: expected an object (${type}), got ${got}`, zh: `JSON 类型错误：应为对象（${type}），实际为${zhJsonType(got)}` };
}

export function notAPrimitive(type: string, value: unknown): StructureMessage {
  const got = jsonType(value);
  return { en: `Wrong JSON type: expected a single ${type} value, got ${got}`, zh: `JSON 类型错误：应为单个 ${type} 值，实际为${zhJsonType(got)}` };
}

export function badPrimitiveExtension(repeating: boolean): StructureMessage {
  return repeating
    ? {
        en: 'Extensions of a repeating primitive must be an array of objects, with null where a value has none',
        zh: '重复基本类型元素的扩展必须是对象数组，没有扩展的位置用 null',
      }
    : { en: 'Extensions of a primitive must be an object', zh: '基本类型元素的扩展必须是对象' };
}

export function choiceConflict(element: string, first: string, second: string): StructureMessage {
  return {
    en: `Only one type is allowed for ${element}, found both "${first}" and "${second}"`,
    zh: `${element} 只能使用一种类型，却同时出现了 "${first}" 和 "${second}"`,
  };
}

export function blankString(): StructureMessage {
  return { en: 'String must not be empty or only whitespace', zh: '字符串不能为空或只有空白字符' };
}

/** R4's one maximum length is string's 1,048,576 characters, inherited by code, id and markdown. */
export function stringTooLong(): StructureMessage {
  return { en: 'String is longer than 1 MB', zh: '字符串超过 1 MB' };
}

export function invalidFormat(type: string): StructureMessage {
  return { en: `Not a valid FHIR ${type}`, zh: `不是有效的 FHIR ${type} 值`, code: 'value' };
}

export function notAnInteger(): StructureMessage {
  return { en: 'Must be an integer', zh: '必须是整数', code: 'value' };
}

export function notPositive(): StructureMessage {
  return { en: 'Must be a positive integer', zh: '必须是正整数', code: 'value' };
}

export function negative(): StructureMessage {
  return { en: 'Must not be negative', zh: '不能为负数', code: 'value' };
}

export function belowMinimum(minimum: number): StructureMessage {
  return { en: `Must be at least ${minimum}`, zh: `不能小于 ${minimum}`, code: 'value' };
}

export function aboveMaximum(maximum: number): StructureMessage {
  return { en: `Must be at most ${maximum}`, zh: `不能大于 ${maximum}`, code: 'value' };
}
