import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { PublicRoutes, type Authenticator, type Principal } from './auth';
import { registerDocs } from './docs';
import { describeValidation, HttpError } from './errors';
import { HttpMetrics } from './http-metrics';
import { RouteMethods } from './method-not-allowed';
import { registerOnchainRoute, type CachedOnchainIndex } from './onchain';
import { SECURITY_SCHEMES, withPipelineResponses } from './openapi';
import { RequestGuard, type RateLimits } from './request-guard';
import { registerApiRoutes, type RouteDeps } from './routes';
import { registerTickerPage } from './ticker';
import { fastifyTrustProxy, type TrustProxy } from './trust-proxy';

export interface ApiOptions {
  /** Route patterns served without credentials (see PublicRoutes); everything else under /api needs a key. */
  publicRoutes: readonly string[];
  /** Requests per window per API key and per client IP, failed authentications per IP; null: no limit. */
  rateLimit: RateLimits | null;
  /** Allowed CORS origins (`*` for any); empty: no CORS headers. */
  corsOrigins: readonly string[];
  /**
   * Which proxies' X-Forwarded-For to believe for the client IP: false (none), a hop count (1: the
   * ingress in front), or a comma list of proxy addresses/CIDRs. Never `true`: then the client
   * would choose its own address (and rate-limit bucket) by sending X-Forwarded-For.
   */
  trustProxy: TrustProxy;
  /** The ticker page: its folder and the stream URL written into it; omitted: no page. */
  ticker?: { publicDir: string; streamUrl: string };
}

export interface ApiDeps extends RouteDeps {
  logger: Logger;
  registry: Registry;
  authenticator: Authenticator;
  /** The SYI feed read from the chain (/api/index/onchain); absent: that route answers 503. */
  onchain?: CachedOnchainIndex;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Routes outside the data API: always public, never rate limited. */
const isDataRoute = (route: string) =>
  route.startsWith('/api/') && route !== '/api/openapi.json' && !route.startsWith('/api/docs');

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * The REST API as a fastify instance, not listening: tests `inject()` into it, `main.ts`
 * calls `listen()`. Order per request: security headers → credentials (data routes that are
 * not public) → rate limit → validation → handler → metrics.
 */
export async function buildApiApp(deps: ApiDeps, options: ApiOptions): Promise<FastifyInstance> {
  const httpLogger: FastifyBaseLogger = deps.logger.child({ module: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    // Per-request log lines cost too much at this request rate; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: fastifyTrustProxy(options.trustProxy),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    schemaErrorFormatter: (errors, context) => new Error(describeValidation(errors, context)),
  });
  const publicRoutes = new PublicRoutes(options.publicRoutes);
  const metrics = new HttpMetrics(deps.registry);
  const guard = new RequestGuard(deps.authenticator, options.rateLimit);

  app.decorateRequest('principal', null);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'StableYield API',
        version: '1.0.0',
        description: 'The StableYield Index (SYI): latest value, history, constituents, methodology and inputs.',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
      tags: [
        { name: 'index', description: 'The index' },
        { name: 'market', description: 'Inputs of the index' },
      ],
    },
  });
  if (options.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: options.corsOrigins.includes('*') ? '*' : [...options.corsOrigins],
      methods: ['GET', 'HEAD', 'OPTIONS'],
      allowedHeaders: ['x-api-key', 'authorization', 'if-none-match', 'content-type'],
      exposedHeaders: ['etag', 'retry-after'],
      maxAge: 600,
    });
  }

  // The OpenAPI document lists what the pipeline below may answer on each data route (400, 401, 429)
  // and marks the routes that need credentials; every route's methods are kept for 405s.
  const routeMethods = new RouteMethods();
  app.addHook('onRoute', (route) => {
    routeMethods.add(route.url, route.method);
    if (!isDataRoute(route.url) || !route.schema) return;
    route.schema = withPipelineResponses(route.schema, {
      requiresCredentials: !publicRoutes.isPublic(route.url),
      rateLimited: options.rateLimit !== null,
    });
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    const route = request.routeOptions.url;
    if (route === undefined || !isDataRoute(route)) return;
    request.principal = await guard.admit({
      ip: request.ip,
      headers: request.headers,
      isPublic: publicRoutes.isPublic(route),
    });
  });

  // A known path asked with another method: 405 with Allow. Here, before body parsing, since
  // fastify would otherwise refuse a body method (POST, QUERY…) without Content-Type with a 400 first.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== undefined) return;
    const path = request.url.split('?')[0] ?? '';
    const allowed = routeMethods.allowed(path);
    if (allowed.length === 0) return;
    await reply
      .code(405)
      .header('allow', allowed.join(', '))
      .send({
        statusCode: 405,
        error: 'Method Not Allowed',
        message: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
      });
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.observe(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send({ statusCode: error.statusCode, error: statusText(error.statusCode), message: error.message });
    }
    if (error.validation)
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: error.message });
    const status = error.statusCode ?? 500;
    if (status < 500)
      return reply.code(status).send({ statusCode: status, error: statusText(status), message: error.message });
    // Details stay in the log; the client learns only that it failed.
    request.log.error({ err: error, route: request.routeOptions.url }, 'request_failed');
    return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    }),
  );

  registerApiRoutes(app, deps);
  registerOnchainRoute(app, { latest: deps.latest, ...(deps.onchain ? { onchain: deps.onchain } : {}) });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  registerDocs(app);
  if (options.ticker) registerTickerPage(app, options.ticker.publicDir, options.ticker.streamUrl);
  await app.ready();
  return app;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
const statusText = (status: number) => STATUS_TEXT[status] ?? 'Error';
