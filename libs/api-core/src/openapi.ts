/**
 * What the OpenAPI document says beyond each route's own schema: how to authenticate, and the
 * error answers the request pipeline (validation, credentials, rate limit) can give on any route.
 */
import type { FastifySchema } from 'fastify';
import { errorSchema } from './schemas';

export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'an API key (`syk_…`) from `npm run api-keys -- create NAME`',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'API key or JWT',
    description: 'an API key, or — when the server has JWT_SECRET — an HS256 JWT',
  },
} as const;

/** Either scheme grants access. */
export const REQUIRES_CREDENTIALS = [{ apiKey: [] }, { bearer: [] }];

/** A response header, as @fastify/swagger takes it (a JSON schema with a description). */
const header = (description: string, type: 'string' | 'integer' = 'string') => ({ type, description });

/** An error answer (`{statusCode, error, message}`) with what it means for this route. */
export const errorResponse = (description: string, headers?: Record<string, ReturnType<typeof header>>) =>
  ({ ...errorSchema, description, ...(headers ? { headers } : {}) }) as const;

export const BAD_REQUEST = errorResponse(
  'A parameter breaks its schema (pattern, enum, range, or an unknown parameter); `message` ' +
    'names the parameter and the rule.',
);
export const UNAUTHORIZED = errorResponse(
  'No valid credentials: send an API key as `x-api-key` or `Authorization: Bearer`.',
  {
    'WWW-Authenticate': header('Bearer'),
  },
);
export const TOO_MANY_REQUESTS = errorResponse(
  'Over the rate limit of the key (or, without credentials, of the client address).',
  {
    'Retry-After': header('seconds until the window resets', 'integer'),
    'RateLimit-Limit': header('requests per window', 'integer'),
    'RateLimit-Remaining': header('requests left in the window', 'integer'),
    'RateLimit-Reset': header('seconds until the window resets', 'integer'),
  },
);

export interface RouteAccess {
  /** The route answers 401 without credentials. */
  requiresCredentials: boolean;
  /** Requests count against a rate limit (429). */
  rateLimited: boolean;
}

/**
 * A data route's schema with the answers of the pipeline added: 400 when it takes parameters
 * (every one refuses unknown parameters), 401 and its security when it needs credentials, 429
 * when rate limited. A status the route documents itself is kept.
 */
export function withPipelineResponses(schema: FastifySchema, access: RouteAccess): FastifySchema {
  const pipeline: Record<number, unknown> = {};
  if (schema.querystring !== undefined || schema.params !== undefined) pipeline[400] = BAD_REQUEST;
  if (access.requiresCredentials) pipeline[401] = UNAUTHORIZED;
  if (access.rateLimited) pipeline[429] = TOO_MANY_REQUESTS;
  return {
    ...schema,
    ...(access.requiresCredentials ? { security: REQUIRES_CREDENTIALS } : {}),
    response: { ...pipeline, ...(schema.response as Record<string, unknown> | undefined) },
  };
}
