/**
 * The DIMSE listener. dcmjs-dimse's `Server.listen(port)` binds every interface; the gateway owns
 * the `net.Server` instead, so it binds `host` like the HTTP server, turns Nagle off on every
 * socket (DCMTK leaves it on; with both ends waiting, each C-STORE response stalls), and hands
 * each connection to its own `GatewayScp`.
 */
import net, { type Socket } from 'node:net';
import type { LogPort } from '../ports.js';
import { GatewayScp, type ScpContext } from './scp.js';
import type { Peer } from './send.js';
import type { FhirSearch } from './worklist.js';

export interface DimseOptions {
  /** Address to bind, as for HTTP (`::` = every interface). */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** This gateway's AE title; associations called to any other are rejected. Default `QIAO`. */
  aeTitle?: string;
  /** Calling AE titles allowed to associate; empty or absent = any. */
  allowedAes?: readonly string[];
  /** Where C-STORE puts instances and C-FIND looks (the gateway's `DicomStore`). */
  store: ScpContext['store'];
  /** Remote AEs by title (C-MOVE destinations); without any, C-MOVE is not offered. */
  peers?: readonly Peer[];
  /** FHIR search for the Modality Worklist; without it the worklist SOP class is not offered. */
  worklist?: FhirSearch;
  /** Most answers to one C-FIND (default 1000). */
  maxFindResults?: number;
  /** Most connections at once (default 64); associations beyond are refused (local limit exceeded). */
  maxAssociations?: number;
  log?: LogPort;
}

export interface DimseListener {
  /** The port actually bound. */
  port: number;
  /** Stops listening and drops open associations. */
  close(): Promise<void>;
}

export async function startDimse(options: DimseOptions): Promise<DimseListener> {
  const ctx: ScpContext = {
    aeTitle: options.aeTitle ?? 'QIAO',
    allowedAes: options.allowedAes ?? [],
    store: options.store,
    peers: options.peers ?? [],
    worklist: options.worklist,
    maxFindResults: options.maxFindResults ?? 1000,
    log: options.log,
    full: () => sockets.size > (options.maxAssociations ?? 64),
  };
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const scp = new GatewayScp(socket, ctx);
    scp.on('networkError', (error: unknown) => {
      options.log?.log('warn', 'DIMSE connection error', { remote: socket.remoteAddress, error: String(error) });
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => options.log?.log('error', 'DIMSE listener error', { error: String(error) }));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.log?.log('info', 'DIMSE listening', { host: options.host, port, aeTitle: ctx.aeTitle });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
