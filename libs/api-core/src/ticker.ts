import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'ticker.js': 'text/javascript; charset=utf-8',
  'ticker.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** Content-Security-Policy of the page: its own scripts and styles, the stream, nothing inline. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The live ticker page: plain files read once at start. `streamUrl` (the ws-gateway's
 * `/stream/syi/live`) is written into the page; empty lets the page use its own host, port 8090.
 */
export function registerTickerPage(app: FastifyInstance, publicDir: string, streamUrl: string): void {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const [name, type] of Object.entries(ASSETS)) {
    let text = readFileSync(join(publicDir, name), 'utf8');
    if (name === 'index.html') text = text.replace('__STREAM_URL__', streamUrl.replace(/[&"<>]/g, ''));
    files.set(name, { type, body: Buffer.from(text) });
  }
  const serve = (name: string) => {
    const file = files.get(name)!;
    app.get(name === 'index.html' ? '/' : `/${name}`, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type(file.type)
        .header('cache-control', 'public, max-age=60')
        .header('content-security-policy', PAGE_CSP)
        .send(file.body),
    );
  };
  for (const name of files.keys()) serve(name);
}
