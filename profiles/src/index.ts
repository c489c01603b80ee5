export * from './checks/gb11643.js';
export * from './checks/gb32100.js';
export { CANONICAL, CS, ID, PACKAGE_NAME, PACKAGE_VERSION, sd } from './systems.js';
export { loadPackage, loadProfileSet, packageResources, type Example, type FhirPackage, type ProfileSet } from './generate/package.js';
export { ProfileValidator, declaredProfiles, type ProfileValidatorOptions } from './validator/profile-validator.js';
export type { CodeChecker, CodeSystemLookup } from './validator/codes.js';
export type { ProfileIssue } from './validator/issues.js';
