import { dicomwebEdge } from './dicom.js';
import type { EdgeFactory } from './edge.js';

/** Every edge the platform runs, in mount order. */
export const EDGES: readonly EdgeFactory[] = [dicomwebEdge];
