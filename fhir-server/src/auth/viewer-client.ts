import type { Context } from '../router/types.js';
import { saveClient } from './accounts.js';

export const VIEWER_CLIENT = 'qiao-viewer';

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
}
