import { dicomwebEdge, dimseEdge } from './dicom.js';
import { bulkExportEdge } from './bulk-export.js';
import type { EdgeFactory } from './edge.js';

/** Every edge the platform runs, in mount order. */
export const EDGES: readonly EdgeFactory[] = [dicomwebEdge, dimseEdge, bulkExportEdge];
