import type { IssueType } from '../errors/catalogue.js';
import { jsonType } from './json.js';

/** A structural problem as the user sees it, in both languages. */
export interface StructureMessage {
  en: string;
  zh: string;
  /** More precise FHIR issue type than medplum's `structure`, where there is one. */
  code?: IssueType;
}

type Rule = readonly [pattern: RegExp, message: (match: RegExpExecArray) => StructureMessage];

const JSON_TYPE_ZH: Record<string, string> = {
  string: '字符串',
  number: '数字',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
  null: 'null',
};
const zhJsonType = (type: string | undefined): string => (type && JSON_TYPE_ZH[type]) ?? type ?? '';

/**
 * The messages @medplum/core's validator produces (4.5.x), recognised by their wording. Its
 * English is terse and sometimes names internals ("property"), so both languages are rewritten
 * in FHIR's terms; a message not listed here keeps medplum's English (see `describeStructureIssue`).
 */
const RULES: readonly Rule[] = [
  [/^Missing required property$/, () => ({ en: 'Required element is missing', zh: '缺少必填元素', code: 'required' })],
  [/^Invalid additional property "(.*)"$/, (m) => unknownElement(m[1])],
  [/^Expected array of values for property$/, () => ({ en: 'Element must be a JSON array', zh: '该元素必须是 JSON 数组' })],
  [
    /^Expected single value for property$/,
    () => ({ en: 'Element must be a single value, not an array', zh: '该元素只能是单个值，不能是数组' }),
  ],
  [
    /^Invalid number of values: expected (\S+), but found (\d+)$/,
    (m) => ({
      en: `Wrong number of values: expected ${m[1]}, found ${m[2]}`,
      zh: `值的个数不符：应为 ${m[1]}，实际为 ${m[2]}`,
    }),
  ],
  [
    /^Incorrect number of values provided for slice '(.*)': expected (\S+), but found (\d+)$/,
    (m) => ({
      en: `Wrong number of values for slice "${m[1]}": expected ${m[2]}, found ${m[3]}`,
      zh: `切片 "${m[1]}" 的值个数不符：应为 ${m[2]}，实际为 ${m[3]}`,
    }),
  ],
  [/^Value did not match expected pattern$/, () => ({ en: 'Value does not match the fixed value or pattern', zh: '值与规定的固定值或模式不符' })],
  [/^Invalid empty value$/, () => ({ en: 'Empty values are not allowed', zh: '不允许空值' })],
  [
    /^Invalid empty non-primitive value$/,
    () => ({ en: 'Element has neither a value nor child elements', zh: '元素既没有值也没有子元素' }),
  ],
  [/^Invalid null value$/, () => ({ en: 'null is not allowed here', zh: '此处不允许 null' })],
  [/^Invalid undefined value$/, () => ({ en: 'Missing value in array', zh: '数组中缺少值' })],
  [
    /^Invalid JSON type: expected (\w+), but got (\w+)$/,
    (m) => ({
      en: `Wrong JSON type: expected ${m[1]}, got ${m[2]}`,
      zh: `JSON 类型错误：应为${zhJsonType(m[1])}，实际为${zhJsonType(m[2])}`,
    }),
  ],
  [
    /^Invalid JSON type: (.+) is not a valid FHIR type$/,
    (m) => ({ en: `${m[1]} is not a FHIR type`, zh: `${m[1]} 不是 FHIR 数据类型` }),
  ],
  [
    /^String must contain non-whitespace content$/,
    () => ({ en: 'String must not be empty or only whitespace', zh: '字符串不能为空或只有空白字符' }),
  ],
  [/^String cannot be larger than 1 MB$/, () => ({ en: 'String is longer than 1 MB', zh: '字符串超过 1 MB' })],
  [
    /^Invalid (\w+) format$/,
    (m) => ({ en: `Not a valid FHIR ${m[1]}`, zh: `不是有效的 FHIR ${m[1]} 值`, code: 'value' }),
  ],
  [/^Invalid numeric value$/, () => ({ en: 'Not a finite number', zh: '不是有效的有限数值', code: 'value' })],
  [/^Expected number to be an integer$/, () => ({ en: 'Must be an integer', zh: '必须是整数', code: 'value' })],
  [/^Expected number to be positive$/, () => ({ en: 'Must be a positive integer', zh: '必须是正整数', code: 'value' })],
  [/^Expected number to be non-negative$/, () => ({ en: 'Must not be negative', zh: '不能为负数', code: 'value' })],
  [/^Constraint (\S+) not met: (.*)$/s, (m) => constraintFailed(m[1], m[2])],
];

export function describeStructureIssue(text: string): StructureMessage {
  for (const [pattern, message] of RULES) {
    const match = pattern.exec(text);
    if (match) return message(match);
  }
  return { en: text, zh: `结构校验未通过：${text}` };
}

/* The messages below are also produced by the element walk (elements.ts). */

/** The invariants' descriptions exist in English only. */
export function constraintFailed(key: string | undefined, description: string | undefined): StructureMessage {
  return { en: `Constraint ${key} failed: ${description}`, zh: `不满足约束 ${key}：${description}`, code: 'invariant' };
}

export function unknownElement(name: string | undefined): StructureMessage {
  return { en: `Unknown element "${name}"`, zh: `未知元素 "${name}"` };
}

export function notAnObject(type: string, value: unknown): StructureMessage {
  const got = jsonType(value);
  return { en: `Wrong JSON type: expected an object (${type}), got ${got}`, zh: `JSON 类型错误：应为对象（${type}），实际为${zhJsonType(got)}` };
}

export function emptyValue(value: unknown): StructureMessage {
  const type = jsonType(value);
  return { en: `Empty ${type} is not allowed`, zh: `不允许空${zhJsonType(type)}` };
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
