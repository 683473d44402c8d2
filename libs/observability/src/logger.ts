import pino, { type Logger, type LoggerOptions } from 'pino';
import { maskUrls } from './error-summary';

export type { Logger };

/**
 * Field names whose values are secrets, as configuration (env names) and as our code names them.
 * pino's wildcards match whole path segments only (`*.*_API_KEY` matches nothing), so every
 * name is listed exactly.
 */
export const SECRET_FIELDS = [
  // configuration
  'PRIVATE_KEY',
  'RPC_URL',
  'DATABASE_URL',
  'JWT_SECRET',
  'CLICKHOUSE_PASSWORD',
  'CLICKHOUSE_APP_PASSWORD',
  'API_KEY',
  'API_KEYS',
  'FRED_API_KEY',
  'CRYPTOCOMPARE_API_KEY',
  'HERMES_API_KEY',
  'BINANCE_API_KEY',
  'KAFKA_SASL_PASSWORD',
  // code
  'privateKey',
  'rpcUrl',
  'databaseUrl',
  'connectionString',
  'jwtSecret',
  'apiKey',
  'apiKeys',
  'password',
  'secret',
  'token',
  'authorization',
  'cookie',
  'x-api-key',
] as const;

/** How deep below the log call's object a secret field is still found (`{ config: { app: { … } } }`). */
const REDACTION_DEPTH = 3;

function pathTo(field: string, depth: number): string {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const prefix = '*.'.repeat(depth);
  return key.startsWith('[') ? `${prefix.slice(0, -1)}${key}` : `${prefix}${key}`;
}

/** Paths pino replaces with "[redacted]": every secret field at the top level and up to three levels down. */
export const REDACTED_PATHS: string[] = SECRET_FIELDS.flatMap((field) =>
  Array.from({ length: REDACTION_DEPTH + 1 }, (_, depth) => pathTo(field, depth)),
);

/** Query parameters that carry credentials (browsers cannot set headers on a WebSocket). */
const SECRET_QUERY_PARAMETERS = /([?&](?:api_key|apikey|token|access_token|key)=)[^&#\s]*/gi;

/** A request URL fit for a log line: credential parameters replaced by "[redacted]". */
export function redactUrlSecrets(url: string): string {
  return url.replace(SECRET_QUERY_PARAMETERS, '$1[redacted]');
}

/** Logged requests (`{ req }`, fastify's request logging) never carry `?api_key=`. */
function requestSerializer(req: unknown): unknown {
  if (typeof req !== 'object' || req === null) return req;
  const { url, headers: _headers, ...rest } = req as { url?: unknown; headers?: unknown };
  return typeof url === 'string' ? { ...rest, url: redactUrlSecrets(url) } : rest;
}

/** How deep into a serialised error (its own fields, a viem error's `details`, …) URLs are masked. */
const ERROR_MASK_DEPTH = 4;

function maskUrlsDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskUrls(value);
  if (depth >= ERROR_MASK_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => maskUrlsDeep(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null && !isSerializedError(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskUrlsDeep(v, depth + 1)]));
}

const isSerializedError = (value: object): boolean => 'type' in value && 'message' in value && 'stack' in value;

/**
 * Errors are logged under `err` (one convention everywhere): pino's serialisation (type, message
 * with causes, stack, own fields) with every URL cut down to scheme, host and port, because RPC
 * clients put the endpoint, and the provider's key in its path or query, into their messages.
 */
function errorSerializer(err: unknown): unknown {
  return maskUrlsDeep(pino.stdSerializers.err(err as Error), 0);
}

export interface LoggerSettings {
  app: string;
  level: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/** The app's one root logger; components take `logger.child({ module })`. Errors go under `err`. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { app: settings.app },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: requestSerializer, err: errorSerializer },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
