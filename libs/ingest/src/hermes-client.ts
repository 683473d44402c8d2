// The Hermes source: an SSE stream with reconnects (exponential back-off with jitter, Retry-After on 429),
// a watchdog for silent streams, and fail-over to polling `/v2/updates/price/latest` while the stream
// keeps failing. The transport is injected (`StreamConnector`, `fetch`), so this state machine is unit
// tested with fakes and runs on the `eventsource` package in the app (see eventsource-connector.ts).
import { parseHermesErrorBody, type UpstreamError } from '@stableyield/upstream';
import { type Logger } from 'pino';
import { backoffDelay, parseRetryAfter, type BackoffOptions } from './backoff';
import { readTextCapped } from './capped-body';

/** A /latest answer holds one update of the configured feeds: a few KiB. */
const MAX_LATEST_BODY_BYTES = 4 * 1024 * 1024;

/** How a stream connection ended or was refused. */
export interface StreamFailure {
  message: string;
  /** HTTP status when the server refused the connection (404, 429, 503…). */
  status?: number;
  /** Response body of a refusal (Hermes explains 404s in text). */
  body?: string;
  retryAfterMs?: number;
}

export interface StreamHandlers {
  open(): void;
  message(data: string): void;
  /** A named `event: error` frame from the server (24 h limit, slow consumer…); the stream ends after it. */
  serverError(message: string): void;
  /** The connection ended or could not be made. Called at most once per connection. */
  failure(failure: StreamFailure): void;
}

export interface StreamConnection {
  close(): void;
}

export type StreamConnector = (
  url: string,
  headers: Readonly<Record<string, string>>,
  handlers: StreamHandlers,
) => StreamConnection;

export type HermesVia = 'stream' | 'poll';

export interface HermesClientListener {
  /** The JSON text of one price update (an SSE event's data or a `/latest` body). */
  event(data: string, via: HermesVia, receivedAt: number): void;
  /** A problem that ends the source for good (unknown feed ids): retrying cannot fix it. */
  fatal(error: UpstreamError | Error): void;
  streamStatus?(open: boolean): void;
  failover?(active: boolean): void;
  reconnect?(failure: StreamFailure, delayMs: number): void;
}

export interface HermesClientOptions {
  /** Full stream URL including `ids[]` and options. */
  streamUrl: string;
  /** Full `/latest` URL used while failed over (may be another Hermes). */
  latestUrl: string;
  headers: Readonly<Record<string, string>>;
  /** Reconnect when no event arrived for this long (keep-alive comments do not count). */
  watchdogMs: number;
  backoff: BackoffOptions;
  /** Consecutive failed connections before polling starts. */
  failoverAfterFailures: number;
  pollIntervalMs: number;
  pollTimeoutMs: number;
  connect: StreamConnector;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
  logger: Logger;
  listener: HermesClientListener;
}

export type HermesClientState = 'idle' | 'connecting' | 'streaming' | 'waiting' | 'stopped' | 'failed';

export class HermesClient {
  private state: HermesClientState = 'idle';
  private connection: StreamConnection | null = null;
  /** Incremented per connection and on close, so late callbacks of an old connection are ignored. */
  private connectionId = 0;
  private connectionStartedAt = 0;
  private connectionDelivered = false;
  private consecutiveFailures = 0;
  private lastEventAt: number | null = null;
  private lastDeliveryAt: number | null = null;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private pollAbort: AbortController | null = null;
  private pollInFlight: Promise<void> | null = null;
  /** A 429 from either path holds back both the stream and the poller until then. */
  private rateLimitedUntil = 0;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fetchFn: typeof fetch;
  private readonly log: Logger;

  constructor(private readonly options: HermesClientOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.fetchFn = options.fetch ?? fetch;
    this.log = options.logger;
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`HermesClient already ${this.state}`);
    const period = Math.max(10, Math.min(1000, Math.floor(this.options.watchdogMs / 4)));
    this.watchdogTimer = setInterval(() => this.checkWatchdog(), period);
    this.connect();
  }

  /** Stops everything and waits for an in-flight poll to finish. */
  async stop(): Promise<void> {
    if (this.state !== 'failed') this.state = 'stopped';
    clearInterval(this.watchdogTimer);
    clearTimeout(this.reconnectTimer);
    this.closeConnection();
    this.stopPolling();
    await this.pollInFlight;
  }

  getState(): HermesClientState {
    return this.state;
  }

  isFailedOver(): boolean {
    return this.polling;
  }

  /** Time of the last event (stream or poll), ms; null before the first. */
  lastEventTime(): number | null {
    return this.lastEventAt;
  }

  /** True while the stream or the poller has delivered within the watchdog period. */
  isDelivering(): boolean {
    return (
      this.lastDeliveryAt !== null &&
      this.now() - this.lastDeliveryAt <= this.options.watchdogMs &&
      this.state !== 'failed'
    );
  }

  private active(): boolean {
    return this.state !== 'stopped' && this.state !== 'failed';
  }

  private connect(): void {
    if (!this.active()) return;
    this.state = 'connecting';
    this.connectionStartedAt = this.now();
    this.connectionDelivered = false;
    const id = ++this.connectionId;
    const guard =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A): void => {
        if (this.connectionId === id) fn(...args);
      };
    this.connection = this.options.connect(this.options.streamUrl, this.options.headers, {
      open: guard(() => {
        this.state = 'streaming';
        this.options.listener.streamStatus?.(true);
        this.log.info('hermes_stream_open');
      }),
      message: guard((data: string) => this.onStreamMessage(data)),
      serverError: guard((message: string) => {
        this.log.warn({ message }, 'hermes_stream_error_frame');
        this.onConnectionEnd({ message: `server error frame: ${message}` });
      }),
      failure: guard((failure: StreamFailure) => this.onConnectionEnd(failure)),
    });
  }

  private onStreamMessage(data: string): void {
    const at = this.now();
    if (this.state !== 'streaming') {
      this.state = 'streaming';
      this.options.listener.streamStatus?.(true);
    }
    this.connectionDelivered = true;
    this.consecutiveFailures = 0;
    this.lastEventAt = at;
    this.lastDeliveryAt = at;
    if (this.polling) {
      this.log.info('hermes_stream_recovered');
      this.stopPolling();
    }
    this.options.listener.event(data, 'stream', at);
  }

  private closeConnection(): void {
    const connection = this.connection;
    this.connection = null;
    this.connectionId++;
    connection?.close();
    this.options.listener.streamStatus?.(false);
  }

  private onConnectionEnd(failure: StreamFailure): void {
    this.closeConnection();
    if (!this.active()) return;
    const notFound = failure.status === 404 && failure.body !== undefined ? parseHermesErrorBody(failure.body) : null;
    if (notFound?.kind === 'price-ids-not-found') {
      this.fail(notFound);
      return;
    }
    // A connection that delivered counts as the first failure of a new series.
    this.consecutiveFailures = this.connectionDelivered ? 1 : this.consecutiveFailures + 1;
    const backoff = backoffDelay(this.consecutiveFailures - 1, this.options.backoff, this.random);
    if (failure.retryAfterMs !== undefined)
      this.rateLimitedUntil = Math.max(this.rateLimitedUntil, this.now() + failure.retryAfterMs);
    const delayMs = Math.max(backoff, this.rateLimitedUntil - this.now());
    this.state = 'waiting';
    this.log.warn(
      { failure: { ...failure, body: failure.body?.slice(0, 200) }, attempt: this.consecutiveFailures, delayMs },
      'hermes_stream_reconnect',
    );
    this.options.listener.reconnect?.(failure, delayMs);
    if (this.consecutiveFailures >= this.options.failoverAfterFailures && !this.polling) this.startPolling();
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  private checkWatchdog(): void {
    if (this.connection === null || !this.active()) return;
    const since = Math.max(this.connectionStartedAt, this.connectionDelivered ? (this.lastEventAt ?? 0) : 0);
    if (this.now() - since > this.options.watchdogMs) {
      this.log.warn({ silentMs: this.now() - since }, 'hermes_stream_silent');
      this.onConnectionEnd({ message: `no event for ${this.options.watchdogMs} ms` });
    }
  }

  private fail(error: UpstreamError): void {
    this.state = 'failed';
    clearTimeout(this.reconnectTimer);
    this.stopPolling();
    this.log.error({ error }, 'hermes_fatal');
    this.options.listener.fatal(error);
  }

  // ---------- fail-over polling ----------

  private startPolling(): void {
    this.polling = true;
    this.log.warn({ url: redactUrl(this.options.latestUrl) }, 'hermes_failover_polling');
    this.options.listener.failover?.(true);
    this.schedulePoll(0);
  }

  private stopPolling(): void {
    if (!this.polling) return;
    this.polling = false;
    clearTimeout(this.pollTimer);
    this.pollAbort?.abort();
    this.options.listener.failover?.(false);
  }

  private schedulePoll(delayMs: number): void {
    if (!this.polling) return;
    delayMs = Math.max(delayMs, this.rateLimitedUntil - this.now());
    this.pollTimer = setTimeout(() => {
      this.pollInFlight = this.pollOnce().then(
        (nextDelay) => this.schedulePoll(nextDelay),
        (err: unknown) => {
          this.log.error({ err }, 'hermes_poll_crashed');
          this.schedulePoll(this.options.pollIntervalMs);
        },
      );
    }, delayMs);
  }

  /** One `/latest` request; returns the delay before the next. */
  private async pollOnce(): Promise<number> {
    const abort = new AbortController();
    this.pollAbort = abort;
    const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(this.options.pollTimeoutMs)]);
    const interval = this.options.pollIntervalMs;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(this.options.latestUrl, { headers: this.options.headers, signal });
      text = await readTextCapped(response, MAX_LATEST_BODY_BYTES);
    } catch (err) {
      if (this.polling) this.log.warn({ err: (err as Error).message }, 'hermes_poll_failed');
      return interval;
    }
    if (!this.polling || !this.active()) return interval;
    if (response.status === 200) {
      const at = this.now();
      this.lastEventAt = at;
      this.lastDeliveryAt = at;
      this.options.listener.event(text, 'poll', at);
      return interval;
    }
    if (response.status === 404) {
      const error = parseHermesErrorBody(text);
      if (error?.kind === 'price-ids-not-found') {
        this.fail(error);
        return interval;
      }
    }
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.now());
    if (retryAfter !== null) this.rateLimitedUntil = Math.max(this.rateLimitedUntil, this.now() + retryAfter);
    this.log.warn(
      { status: response.status, retryAfterMs: retryAfter, body: text.slice(0, 200) },
      'hermes_poll_refused',
    );
    return Math.max(interval, retryAfter ?? 0);
  }
}

/** A URL fit for logs and headers: query parameters that carry keys are masked. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const name of [...parsed.searchParams.keys()]) {
      if (/key|token|secret|password/i.test(name)) parsed.searchParams.set(name, 'REDACTED');
    }
    if (parsed.password !== '') parsed.password = 'REDACTED';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}
