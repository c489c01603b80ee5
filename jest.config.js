import { existsSync } from 'node:fs';

/** One jest run over every workspace that has tests, so CI reads one summary. */
export default {
  // testTimeout is a global option: the projects' own values are not read.
  testTimeout: 60000,
  // Each suite starts servers in the worker; what a suite leaves behind adds up over 120 suites past
  // V8's 4 GB heap. A worker over this size after a suite is replaced, and with it set jest always
  // runs suites in workers (never in band). Two workers: most suites wait on PostgreSQL, not the CPU.
  workerIdleMemoryLimit: '1536MB',
  maxWorkers: 2,
  projects: ['fhir-server', 'terminology', 'cda-adapters', 'dicom-gateway', 'profiles', 'viewer'].filter((w) => existsSync(`${w}/jest.config.js`)).map((w) => `<rootDir>/${w}`),
};
