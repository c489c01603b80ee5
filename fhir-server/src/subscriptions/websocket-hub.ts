import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

const TOKEN_SECONDS = 300;

/**
 * Websocket clients bound to subscriptions (the Backport IG's binding-token flow): a client
 * gets a token from `$get-ws-binding-token`, connects to `/fhir/ws` and sends
 * `bind-with-token <token>`. Tokens and bindings live in this process only; a client that was
 * not connected catches up with `$events`.
 */
export class WebSocketHub {
  private readonly tokens = new Map<string, { ids: string[]; expires: number }>();
  private readonly bound = new Map<string, Set<WebSocket>>();

  issueToken(ids: string[]): { token: string; expiration: string } {
    const now = Date.now();
    for (const [t, v] of this.tokens) if (v.expires < now) this.tokens.delete(t);
    const token = randomBytes(24).toString('base64url');
    const expires = now + TOKEN_SECONDS * 1000;
    this.tokens.set(token, { ids, expires });
    return { token, expiration: new Date(expires).toISOString() };
  }

  /** Binds the socket to the token's subscriptions; the ids bound, or undefined for an unknown or expired token. */
  bind(socket: WebSocket, token: string): string[] | undefined {
    const grant = this.tokens.get(token);
    if (!grant || grant.expires < Date.now()) return undefined;
    for (const id of grant.ids) {
      const set = this.bound.get(id) ?? new Set<WebSocket>();
      set.add(socket);
      this.bound.set(id, set);
    }
    socket.once('close', () => {
      for (const id of grant.ids) this.bound.get(id)?.delete(socket);
    });
    return grant.ids;
  }

  /** Sends to every socket bound to the subscription; how many got it. */
  send(subscriptionId: string, text: string): number {
    let sent = 0;
    for (const socket of this.bound.get(subscriptionId) ?? []) {
      if (socket.readyState !== socket.OPEN) continue;
      socket.send(text);
      sent++;
    }
    return sent;
  }

  closeAll(): void {
    for (const set of this.bound.values()) for (const socket of set) socket.terminate();
    this.bound.clear();
  }
}
