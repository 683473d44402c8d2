import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE, type FanoutHub } from './hub';
import { SocketClient } from './socket-client';
import type { LatestSnapshot, LatestSyi } from './latest';
import type { StreamMetrics } from './metrics';

/** Stream paths and the channel each one is. */
export const STREAM_CHANNELS: Readonly<Record<string, 'live' | 'constituents'>> = {
  '/stream/syi/live': 'live',
  '/stream/syi/constituents': 'constituents',
};

const messageOf = (snapshot: LatestSnapshot, channel: 'live' | 'constituents') =>
  channel === 'live' ? snapshot.liveMessage : snapshot.constituentsMessage;

/** Why an upgrade is refused: the HTTP status and headers it is answered with. */
export interface Refusal {
  status: number;
  headers?: Record<string, string>;
}

export interface StreamServerOptions {
  host: string;
  port: number;
  latest: LatestSyi;
  hub: FanoutHub<SocketClient>;
  logger: Logger;
  metrics?: StreamMetrics;
  /** Ping every client this often; one that has not answered the previous ping is cut. */
  heartbeatMs: number;
  /** When set, a connection is accepted only if it resolves true (e.g. a valid API key). */
  authorize?: (req: IncomingMessage, clientIp: string) => true | Refusal | Promise<true | Refusal>;
  /** Largest message a client may send (clients have nothing to say). */
  maxIncomingBytes?: number;
  /** The client's address (default: the socket's peer); behind an ingress, from X-Forwarded-For. */
  clientIp?: (req: IncomingMessage) => string;
  /** Connections (open and being set up) one client address may hold; default unlimited. */
  maxConnectionsPerIp?: number;
  /** Origins a browser may connect from; unset: any. Requests without Origin (not browsers) pass. */
  allowedOrigins?: readonly string[];
}

export interface StreamServer {
  readonly port: number;
  /** Stops accepting, sends every client a close frame, waits for them (at most `timeoutMs`), then cuts the rest. */
  close(timeoutMs?: number): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function refuse(
  socket: Duplex,
  status: number,
  text = STATUS_TEXT[status] ?? 'Refused',
  headers: Record<string, string> = {},
): void {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  // A client that never closes its side must not keep its places: destroy the socket soon after.
  setTimeout(() => socket.destroy(), 2_000).unref();
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: text/plain\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`,
  );
}

/**
 * The WebSocket endpoints: on connect a client gets the latest record of its channel, then
 * every new one. The hub enforces the send-buffer and connection limits.
 */
export async function startStreamServer(options: StreamServerOptions): Promise<StreamServer> {
  const { hub, latest, metrics } = options;
  const log = options.logger.child({ module: 'stream-server' });
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: options.maxIncomingBytes ?? 4_096,
    clientTracking: true,
  });
  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    res.end('WebSocket endpoints: /stream/syi/live, /stream/syi/constituents');
  });

  const clientIpOf = options.clientIp ?? ((req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown');
  const perIp = new Map<string, number>();
  const holdIp = (ip: string): boolean => {
    const held = perIp.get(ip) ?? 0;
    if (options.maxConnectionsPerIp !== undefined && held >= options.maxConnectionsPerIp) return false;
    perIp.set(ip, held + 1);
    return true;
  };
  const releaseIp = (ip: string): void => {
    const held = (perIp.get(ip) ?? 1) - 1;
    if (held > 0) perIp.set(ip, held);
    else perIp.delete(ip);
  };
  const originAllowed = (origin: string | undefined): boolean =>
    options.allowedOrigins === undefined || origin === undefined || options.allowedOrigins.includes(origin);

  /**
   * Checks in order of cost. The connection's places (its address's count, its place in the
   * hub) are taken before the authorization and given back when its socket closes, so upgrades
   * still being authorized count against both limits.
   */
  const accept = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const channel = STREAM_CHANNELS[path];
    if (!channel) return refuse(socket, 404);
    if (!originAllowed(req.headers.origin)) return refuse(socket, 403, 'Origin not allowed');
    const ip = clientIpOf(req);
    if (!holdIp(ip)) return refuse(socket, 429, 'Too many connections from this address', { 'retry-after': '5' });
    socket.once('close', () => releaseIp(ip));
    if (!hub.reserve()) return refuse(socket, 503, 'Service Unavailable', { 'retry-after': '5' });
    let reserved = true;
    socket.once('close', () => {
      if (reserved) hub.release();
      reserved = false;
    });
    const verdict = options.authorize ? await options.authorize(req, ip) : true;
    if (verdict !== true) return refuse(socket, verdict.status, undefined, verdict.headers);
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      reserved = false; // hub.add takes the place
      open(ws, socket, ip, channel);
    });
  };

  const open = (ws: WebSocket, socket: Duplex, ip: string, channel: 'live' | 'constituents'): void => {
    const client = new SocketClient(ws, socket, ip);
    ws.on('close', () => hub.remove(client));
    if (!hub.add(channel, client, true)) return ws.close(CLOSE.tryAgainLater.code, CLOSE.tryAgainLater.reason);
    ws.on('pong', () => hub.markAlive(client));
    ws.on('message', () => hub.markAlive(client));
    ws.on('error', (err) => {
      log.debug({ err }, 'client_error');
      hub.remove(client);
    });
    const snapshot = latest.get();
    if (snapshot) hub.send(client, messageOf(snapshot, channel));
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    accept(req, socket, head).catch((err: unknown) => {
      log.error({ err }, 'upgrade_failed');
      refuse(socket, 500);
    });
  });

  const unsubscribe = latest.subscribe((snapshot) => {
    hub.broadcast('live', snapshot.liveMessage);
    hub.broadcast('constituents', snapshot.constituentsMessage);
    metrics?.fanoutLatency.observe((performance.now() - snapshot.acceptedAt) / 1000);
  });
  const heartbeat = setInterval(() => hub.heartbeat(), options.heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port }, 'stream_server_listening');

  return {
    port,
    close: async (timeoutMs = 5_000) => {
      unsubscribe();
      clearInterval(heartbeat);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      hub.closeAll();
      const deadline = Date.now() + timeoutMs;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
}
