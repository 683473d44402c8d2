import type { FastifySchemaValidationError } from 'fastify/types/schema';

/** An error whose status and message are meant for the client (4xx). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);

const CONTEXT_NAMES: Record<string, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
  body: 'body field',
};

/**
 * Validation errors as one sentence naming the parameter, e.g.
 * `query parameter "interval" must be equal to one of the allowed values (1m, 5m, 1h, 1d)`.
 */
export function describeValidation(errors: FastifySchemaValidationError[], context: string): string {
  return errors
    .map((e) => {
      const params = e.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
      const name =
        params.missingProperty ?? params.additionalProperty ?? e.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const where = `${CONTEXT_NAMES[context] ?? context} "${name}"`;
      if (params.missingProperty) return `${where} is required`;
      if (params.additionalProperty) return `${where} is not supported`;
      const allowed = params.allowedValues ? ` (${params.allowedValues.join(', ')})` : '';
      return `${where} ${e.message ?? 'is invalid'}${allowed}`;
    })
    .join('; ');
}
