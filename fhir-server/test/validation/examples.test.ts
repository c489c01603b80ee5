import { validateResource } from '../../src/validation/validate.js';
import { EXAMPLES } from './examples.js';

/** As a request body arrives: through JSON, so the examples' `undefined` members disappear. */
const asReceived = (resource: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(resource)) as Record<string, unknown>;
const named = EXAMPLES.map((resource, i) => [`${i}: ${String(resource.resourceType)}`, asReceived(resource)] as const);

describe('spec-like examples with Chinese content', () => {
  it.each(named)('%s validates', (_, resource) => {
    expect(validateResource(resource)).toEqual([]);
  });

  it.each(named)('%s with one unknown element fails with exactly that element', (_, resource) => {
    const issues = validateResource({ ...resource, 备注: '未知元素' });
    expect(issues.map((i) => [i.messageId, i.expression])).toEqual([['validation.failed', `${String(resource.resourceType)}.备注`]]);
  });
});
