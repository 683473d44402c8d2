import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import type { Readiness } from './health';

export type ExtraRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HealthServerOptions {
  host: string;
  port: number;
  /** a Registry, or anything that renders metrics the same way (a cluster's aggregate) */
  registry: { metrics(): Promise<string>; readonly contentType: string };
  progress: { stalled(): string[] | Promise<string[]> };
  readiness: Pick<Readiness, 'failing'>;
  /** More GET routes on the same port (the keeper's /health and /status). */
  routes?: Record<string, ExtraRoute>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(text);
}

/** `/metrics`, `/live` and `/ready` on the app's own port, apart from any public traffic. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
    switch (path) {
      case '/metrics':
        return send(res, 200, await options.registry.metrics(), options.registry.contentType);
      case '/live': {
        const stalled = await options.progress.stalled();
        return send(res, stalled.length === 0 ? 200 : 503, { live: stalled.length === 0, stalled });
      }
      case '/ready': {
        const failing = await options.readiness.failing();
        return send(res, failing.length === 0 ? 200 : 503, { ready: failing.length === 0, failing });
      }
      default: {
        const route = options.routes?.[path];
        if (route) return route(req, res);
        return send(res, 404, { error: 'not found' });
      }
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
