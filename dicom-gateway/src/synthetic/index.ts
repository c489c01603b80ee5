/**
 * Synthetic DICOM for tests, benchmarks and the demo data: Part 10 writing (dcmjs), body-like CT and
 * MR phantoms, whole series, and re-identified copies of sample files.
 */
export { EXPLICIT_VR_LITTLE_ENDIAN, MONOCHROME_16BIT, rewritePart10, uidFromName, writePart10 } from './part10.js';
export { ctPhantom, mrPhantom, type PhantomOptions } from './phantom.js';
export { syntheticSeries, type SyntheticInstance, type SyntheticSeriesOptions } from './series.js';
