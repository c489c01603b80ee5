import { existsSync } from 'node:fs';

/** One jest run over every workspace that has tests, so CI reads one summary. */
export default {
  // testTimeout is a global option: the projects' own values are not read.
  testTimeout: 60000,
  projects: ['fhir-server', 'terminology', 'cda-adapters', 'dicom-gateway', 'profiles', 'viewer'].filter((w) => existsSync(`${w}/jest.config.js`)).map((w) => `<rootDir>/${w}`),
};
