import { workspaceConfig } from '../jest.workspace.js';

// Unit tests of the viewer's pure logic (presets, overlay, worklist queries); the browser is
// exercised end to end by fhir-server/test/viewer.
export default workspaceConfig('viewer');
