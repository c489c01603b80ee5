/** Public API of the synthetic data generator. */
export { generateDataset, demoDataset, referenceBundles, patientBundles, type DatasetOptions } from './bundles.js';
