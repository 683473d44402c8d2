import { Readable } from 'node:stream';
import {
  ClickHouseLogLevel,
  createClient,
  drainStream,
  type ClickHouseClient as OfficialClient,
  type Logger as ClientLogger,
} from '@clickhouse/client';
import { identifier } from './identifier';

/** Connection settings; every one comes from the app's configuration (CLICKHOUSE_*). */
export interface ClickHouseSettings {
  url: string;
  user?: string;
  password?: string;
  /** Abort a request after this long (default 30 s). */
  requestTimeoutMs?: number;
  /**
   * gzip the bodies sent (inserts) and ask for gzip answers; both off by default: on one machine they cost CPU, not
   * bandwidth.
   */
  compression?: { request: boolean; response: boolean };
  /** Reuse sockets; an idle one is dropped after `idleSocketTtlMs`, below the server's keep_alive_timeout (3 s). */
  keepAlive?: { enabled: boolean; idleSocketTtlMs?: number };
  /** Sockets open at once (default 10). */
  maxOpenConnections?: number;
  /** Receives the client's own warnings; default: none (errors reach the caller as exceptions). */
  logger?: { warn(details: object, message: string): void };
}

/**
 * ClickHouse through the official client (`@clickhouse/client`), narrowed to what the sink and
 * its tests need. No query parameters: 18.16 lacks them, so values travel only in RowBinary
 * bodies, never inside SQL text; names in SQL come from code or validated configuration.
 */
export class ClickHouse {
  private readonly client: OfficialClient;

  constructor(settings: ClickHouseSettings) {
    this.client = createClient({
      url: settings.url,
      ...(settings.user ? { username: settings.user } : {}),
      ...(settings.password ? { password: settings.password } : {}),
      request_timeout: settings.requestTimeoutMs ?? 30_000,
      compression: settings.compression ?? { request: false, response: false },
      keep_alive: {
        enabled: settings.keepAlive?.enabled ?? true,
        idle_socket_ttl: settings.keepAlive?.idleSocketTtlMs ?? 2_500,
      },
      max_open_connections: settings.maxOpenConnections ?? 10,
      application: 'stableyield',
      log: settings.logger
        ? { LoggerClass: loggerClassFor(settings.logger), level: ClickHouseLogLevel.WARN }
        : { level: ClickHouseLogLevel.OFF },
    });
  }

  /** Runs a statement without a result (DDL, OPTIMIZE, DROP …). */
  async command(sql: string): Promise<void> {
    await retryOnStaleSocket(() => this.client.command({ query: sql }));
  }

  /** Runs a SELECT; rows as JSONEachRow objects (64-bit integers arrive as strings). */
  async query<T>(sql: string): Promise<T[]> {
    return retryOnStaleSocket(async () => {
      const result = await this.client.query({ query: sql, format: 'JSONEachRow' });
      return result.json<T>();
    });
  }

  /**
   * Inserts a body already encoded as RowBinary for the listed columns; resolves once ClickHouse
   * acknowledged it. The client's `insert` encodes only JSON and text formats, so the statement
   * goes through `exec` with the bytes as its body — the client's documented way for a custom format.
   */
  async insertRowBinary(database: string, table: string, columns: readonly string[], body: Buffer): Promise<void> {
    if (body.length === 0) return;
    const query =
      `INSERT INTO ${identifier(database)}.${identifier(table)} ` +
      `(${columns.map(identifier).join(', ')}) FORMAT RowBinary`;
    // A retry after a dropped socket may insert the rows twice: ReplacingMergeTree collapses them.
    await retryOnStaleSocket(async () => {
      const result = await this.client.exec({ query, values: Readable.from([body]) });
      await drainStream(result.stream);
    });
  }

  /** Whether the server answers (`/ping`, no credentials needed). */
  async ping(): Promise<boolean> {
    return (await this.client.ping()).success;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

const STALE_SOCKET = new Set(['EPIPE', 'ECONNRESET']);

/**
 * A pooled keep-alive socket the server closed meanwhile fails at once with EPIPE/ECONNRESET:
 * try twice more on a fresh socket. Anything else (refusal, timeout, server error) is the caller's.
 */
export async function retryOnStaleSocket<T>(send: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= attempts || typeof code !== 'string' || !STALE_SOCKET.has(code)) throw err;
    }
  }
}

function loggerClassFor(target: NonNullable<ClickHouseSettings['logger']>): new () => ClientLogger {
  const warn = ({
    module,
    message,
    args,
    err,
  }: {
    module: string;
    message: string;
    args?: Record<string, unknown>;
    err?: Error;
  }) => target.warn({ module, ...args, ...(err ? { err: err.message } : {}) }, `clickhouse client: ${message}`);
  return class implements ClientLogger {
    trace(): void {}
    debug(): void {}
    info(): void {}
    warn = warn;
    error = warn;
  };
}
