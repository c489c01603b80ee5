import { loadPackage } from '../src/generate/package.js';
import { ProfileValidator } from '../src/validator/profile-validator.js';

/** The package checks its own examples: every valid one passes, every invalid one gives the issue it was written for. */
const pkg = loadPackage();
const validator = new ProfileValidator(pkg);

describe('profile examples', () => {
  const valid = pkg.examples.filter((e) => e.valid);
  const invalid = pkg.examples.filter((e) => !e.valid);

  it('cover every profile with a valid and an invalid example', () => {
    const profiles = pkg.structureDefinitions.filter((sd) => sd.type !== 'Extension').map((sd) => sd.url);
    const declared = (valid: boolean) => new Set(pkg.examples.filter((e) => e.valid === valid).flatMap((e) => (e.resource.meta?.profile ?? []) as string[]));
    expect(profiles.filter((url) => !declared(true).has(url))).toEqual([]);
    expect(profiles.filter((url) => !declared(false).has(url))).toEqual([]);
  });

  it.each(valid.map((e) => [e.file, e] as const))('%s passes', (_, example) => {
    expect(validator.validate(example.resource)).toEqual([]);
  });

  it.each(invalid.map((e) => [e.file, e] as const))('%s fails with its expected issue', (_, example) => {
    const issues = validator.validate(example.resource);
    expect(issues.map((i) => ({ id: i.id, expression: i.expression }))).toContainEqual(example.expect);
    for (const issue of issues) {
      expect(issue.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(issue.en).toMatch(/[A-Za-z]/);
    }
  });
});
