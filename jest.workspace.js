/**
 * The jest settings every workspace shares. Tests run as native ES modules: ts-jest only
 * transpiles, `tsc -p tsconfig.test.json` type-checks. `testTimeout` here serves a workspace's
 * own `npm test`; the root run takes its value from the root config.
 */
export function workspaceConfig(name, extra = {}) {
  return {
    displayName: name,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }] },
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    testTimeout: 60000,
    ...extra,
  };
}
