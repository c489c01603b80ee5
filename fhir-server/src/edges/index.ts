import { authEdge } from '../auth/install.js';
import { dicomwebEdge, dimseEdge } from './dicom.js';
import { bulkExportEdge } from './bulk-export.js';
import type { EdgeFactory } from './edge.js';
import { subscriptionsEdge } from './subscriptions.js';
import { viewerEdge } from './viewer.js';
import { cdsHooksEdge } from './cds-hooks.js';
import { criticalValuesEdge } from '../workflows/critical-values/edge.js';
import { reportingEdge } from '../workflows/reporting/edge.js';

/** Every edge the platform runs, in mount order. */
export const EDGES: readonly EdgeFactory[] = [authEdge, dicomwebEdge, dimseEdge, bulkExportEdge, viewerEdge, criticalValuesEdge, reportingEdge, subscriptionsEdge, cdsHooksEdge];
