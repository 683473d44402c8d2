import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE, type FanoutHub } from './hub';
import type { LatestSnapshot, LatestSyi } from './latest';
import type { StreamMetrics } from './metrics';

/** Stream paths and the channel each one is. */
export const STREAM_CHANNELS: Readonly<Record<string, 'live' | 'constituents'>> = {
  '/stream/syi/live': 'live',
  '/stream/syi/constituents': 'constituents',
};

const messageOf = (snapshot: LatestSnapshot, channel: 'live' | 'constituents') =>
  channel === 'live' ? snapshot.liveMessage : snapshot.constituentsMessage;

export interface StreamServerOptions {
  host: string;
  port: number;
  latest: LatestSyi;
  hub: FanoutHub<WebSocket>;
  logger: Logger;
  metrics?: StreamMetrics;
  /** Ping every client this often; one that has not answered the previous ping is cut. */
  heartbeatMs: number;
  /** When set, a connection is accepted only if it resolves true (e.g. a valid API key). */
  authorize?: (req: IncomingMessage) => boolean | Promise<boolean>;
  /** Largest message a client may send (clients have nothing to say). */
  maxIncomingBytes?: number;
}

export interface StreamServer {
  readonly port: number;
  /** Stops accepting, sends every client a close frame, waits for them (at most `timeoutMs`), then cuts the rest. */
  close(timeoutMs?: number): Promise<void>;
}

function refuse(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`);
}

/**
 * The WebSocket endpoints: on connect a client gets the latest record of its channel, then
 * every new one. The hub enforces the send-buffer and connection limits.
 */
export async function startStreamServer(options: StreamServerOptions): Promise<StreamServer> {
  const { hub, latest, metrics } = options;
  const log = options.logger.child({ module: 'stream-server' });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: options.maxIncomingBytes ?? 4_096, clientTracking: true });
  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    res.end('WebSocket endpoints: /stream/syi/live, /stream/syi/constituents');
  });

  const accept = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const channel = STREAM_CHANNELS[path];
    if (!channel) return refuse(socket, 404, 'Not Found');
    if (hub.isFull) return refuse(socket, 503, 'Service Unavailable', { 'retry-after': '5' });
    if (options.authorize && !(await options.authorize(req))) return refuse(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Checked again: other upgrades may have completed while this one was authorized.
      if (!hub.add(channel, ws)) return ws.close(CLOSE.tryAgainLater.code, CLOSE.tryAgainLater.reason);
      ws.on('pong', () => hub.markAlive(ws));
      ws.on('message', () => hub.markAlive(ws));
      ws.on('close', () => hub.remove(ws));
      ws.on('error', (err) => {
        log.debug({ err }, 'client_error');
        hub.remove(ws);
      });
      const snapshot = latest.get();
      if (snapshot) hub.send(ws, messageOf(snapshot, channel));
    });
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    accept(req, socket, head).catch((err: unknown) => {
      log.error({ err }, 'upgrade_failed');
      refuse(socket, 500, 'Internal Server Error');
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
