/** Public API of the synthetic data generator. */
export { generateDataset, demoDataset, referenceBundles, patientBundles, type DatasetOptions } from './bundles.js';
export { checkDigit, isValidResidentId, parseResidentId, composeResidentId, type ResidentIdParts } from './gb11643.js';
export { isValidCreditCode, creditCodeCheck, organizationCodeCheck } from './gb32100.js';
