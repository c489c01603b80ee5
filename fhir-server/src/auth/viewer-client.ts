import type { Context } from '../router/types.js';
import { saveClient } from './accounts.js';

export const VIEWER_CLIENT = 'qiao-viewer';
/** The registry web app (`/viewer/registry`, viewer/src/registry/), a second public client of the same build. */
export const REGISTRY_CLIENT = 'qiao-registry';

/**
 * The built-in viewer (/viewer/) is a public SMART client. Its redirect URI is registered relative
 * (`/viewer/`), resolved against the server's origin when an authorize request is checked, because
 * the origin is often only known per request (no QIAO_BASE_URL, random test ports).
 */
export async function registerViewerClient(ctx: Context): Promise<void> {
  await saveClient(ctx.db, {
    clientId: VIEWER_CLIENT,
    type: 'public',
    name: '桥 Qiao 影像浏览器 | Qiao viewer',
    redirectUris: ['/viewer/'],
    scopes: 'openid fhirUser profile launch launch/patient online_access offline_access patient/*.cruds user/*.cruds',
    roles: [],
    enabled: true,
  });
  await saveClient(ctx.db, {
    clientId: REGISTRY_CLIENT,
    type: 'public',
    name: '桥 Qiao 肿瘤登记审核 | Qiao cancer registry review',
    redirectUris: ['/viewer/registry'],
    scopes: 'openid fhirUser user/Condition.rs user/Task.rus user/Patient.rs user/Provenance.rs user/Observation.rs user/DiagnosticReport.rs user/Organization.rs',
    roles: [],
    enabled: true,
  });
}
