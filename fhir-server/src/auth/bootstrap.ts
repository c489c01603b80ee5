import { readFile } from 'node:fs/promises';
import type { Logger } from '../http/logger.js';
import type { Context } from '../router/types.js';
import { saveClient } from './accounts.js';
import { clientFromJson, registerUser, RegistrationError, userFromJson } from './registration.js';

/**
 * Loads the clients and users of `QIAO_BOOTSTRAP` (docs/auth.md). Idempotent: entries that exist
 * already are left as they are (the admin API may have changed them since), new ones are added.
 * A file that does not parse, or an entry that fails its checks, stops the start with the reason.
 */
export async function loadBootstrap(ctx: Context, logger: Logger, file: string, baseUrl: string): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`QIAO_BOOTSTRAP ${file}: ${(e as Error).message}`);
  }
  const doc = (parsed ?? {}) as { clients?: unknown; users?: unknown };
  const clients = doc.clients ?? [];
  const users = doc.users ?? [];
  if (!Array.isArray(clients) || !Array.isArray(users)) throw new Error(`QIAO_BOOTSTRAP ${file}: "clients" and "users" must be arrays`);
  try {
    let added = 0;
    for (const [i, c] of clients.entries()) if (await saveClient(ctx.db, await clientFromJson(c, `clients[${i}]`))) added++;
    let created = 0;
    for (const [i, u] of users.entries()) if ((await registerUser(ctx, baseUrl, userFromJson(u, `users[${i}]`))).created) created++;
    logger.log('info', 'bootstrap loaded', { file, clientsAdded: added, usersCreated: created });
  } catch (e) {
    if (e instanceof RegistrationError) throw new Error(`QIAO_BOOTSTRAP ${file}: ${e.en}`);
    throw e;
  }
}
