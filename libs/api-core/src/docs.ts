import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>StableYield API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });`;

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src " +
  "'self'; frame-ancestors 'none'";

/** Interactive docs at /api/docs: swagger-ui's own files (swagger-ui-dist), reading /api/openapi.json. */
export function registerDocs(app: FastifyInstance): void {
  const dist = dirname(require.resolve('swagger-ui-dist/package.json'));
  const files: Record<string, { type: string; body: string | Buffer }> = {
    '/api/docs': { type: 'text/html; charset=utf-8', body: PAGE },
    '/api/docs/init.js': { type: 'text/javascript; charset=utf-8', body: INIT },
    '/api/docs/swagger-ui.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(dist, 'swagger-ui.css')) },
    '/api/docs/swagger-ui-bundle.js': {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(join(dist, 'swagger-ui-bundle.js')),
    },
    '/api/docs/swagger-ui-standalone-preset.js': {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(join(dist, 'swagger-ui-standalone-preset.js')),
    },
  };
  for (const [url, file] of Object.entries(files)) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type(file.type)
        .header('cache-control', 'public, max-age=3600')
        .header('content-security-policy', CSP)
        .send(file.body),
    );
  }
}
