import { workspaceConfig } from '../jest.workspace.js';

export default workspaceConfig('terminology');
