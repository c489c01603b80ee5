import { workspaceConfig } from '../jest.workspace.js';

// One throwaway PostgreSQL for the whole run (test/support/global-setup.mjs).
export default workspaceConfig('fhir-server', {
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
});
