import { authEdge } from '../auth/install.js';
import { dicomwebEdge, dimseEdge } from './dicom.js';
import { bulkExportEdge } from './bulk-export.js';
import type { EdgeFactory } from './edge.js';
import { viewerEdge } from './viewer.js';

/** Every edge the platform runs, in mount order. */
export const EDGES: readonly EdgeFactory[] = [authEdge, dicomwebEdge, dimseEdge, bulkExportEdge, viewerEdge];
