import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { startNotifier } from '../notify/index.js';
import { SubscriptionEngine, registerEngine } from '../subscriptions/engine.js';
import { safeSpecOf } from '../subscriptions/model.js';
import type { EdgeFactory } from './edge.js';

export const SUBSCRIPTION_WS_PATH = '/fhir/ws';

/**
 * Subscriptions and notifications to people: runs the matching engine and the notifier on the
 * job queue, and the websocket endpoint of the Backport IG (`/fhir/ws`, `bind-with-token`).
 */
export const subscriptionsEdge: EdgeFactory = (ctx, logger) => {
  const engine = new SubscriptionEngine(ctx, logger);
  registerEngine(ctx, engine);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  let notifier: { close(): void } | undefined;
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const text = String(data).trim();
      const m = /^bind-with-token\s+(\S+)$/.exec(text);
      if (!m) {
        socket.send(JSON.stringify({ error: '未知消息，应为 "bind-with-token <token>" | unknown message, expected "bind-with-token <token>"' }));
        return;
      }
      const ids = engine.hub.bind(socket, m[1] as string);
      if (!ids) {
        socket.send(JSON.stringify({ error: '令牌无效或已过期 | token unknown or expired' }));
        socket.close(4401, 'token');
        return;
      }
      void (async () => {
        for (const id of ids) {
          const spec = engine.spec(id) ?? safeSpecOf(await ctx.repo.read(ctx.db, 'Subscription', id).then((v) => JSON.parse(v.json as string)).catch(() => undefined));
          if (spec?.channel.type === 'websocket') await engine.notify(spec, 'handshake');
        }
      })().catch((error: unknown) => logger.log('warn', 'websocket handshake failed', { error: String(error) }));
    });
  });
  return {
    name: 'subscriptions',
    attach(server) {
      const learn = () => {
        const a = server.address() as AddressInfo | null;
        if (a && typeof a === 'object') engine.setServerUrl(`http://${a.family === 'IPv6' ? (a.address === '::' ? '[::1]' : `[${a.address}]`) : a.address === '0.0.0.0' ? '127.0.0.1' : a.address}:${a.port}`);
      };
      if (server.listening) learn();
      else server.once('listening', learn);
      server.on('upgrade', (req, socket, head) => {
        if (new URL(req.url ?? '/', 'http://x').pathname !== SUBSCRIPTION_WS_PATH) {
          // Another listener may serve it; with none, the socket would hang until it times out.
          if (server.listenerCount('upgrade') === 1) socket.destroy();
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      });
    },
    async start() {
      await engine.start();
      notifier = await startNotifier(ctx, logger);
    },
    async close() {
      notifier?.close();
      await engine.close();
      wss.close();
    },
  };
};
