import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]". Keys are matched at any of the first levels where
 * our code puts them (bindings, `config`, request headers). Secrets must never reach a log line.
 */
export const REDACTED_PATHS = [
  'privateKey', '*.privateKey', 'PRIVATE_KEY', '*.PRIVATE_KEY',
  'apiKey', '*.apiKey', 'API_KEY', '*.API_KEY', '*.*_API_KEY',
  'password', '*.password', 'secret', '*.secret', 'token', '*.token',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'headers["x-api-key"]', '*.headers["x-api-key"]', 'req.headers.authorization', 'req.headers["x-api-key"]',
  'DATABASE_URL', '*.DATABASE_URL',
];

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
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
