// Runs the calls of one source: fetch (timeout, retry, rate limits) → validate and map → publish, or the
// whole body to `<topic>.dlq` with the reason. Nothing here throws for upstream trouble: the app keeps
// running and the next interval tries again.
import { deadLetterRecord, type DeadLetterKind } from '@stableyield/kafka';
import { type DataTopic } from '@stableyield/schemas';
import { parseJsonText } from '@stableyield/upstream';
import { type Logger } from 'pino';
import { fetchWithRetry, type FetchDeps, type RetryPolicy } from './http-fetch';
import { type MarketCall, type TopicBatch } from './market-sources';
import { type RecordSink } from './sink';

export type FetchOutcomeLabel = 'success' | 'error' | 'rate_limited';

export interface MarketPollerHooks {
  /** One upstream call finished (metrics: ingest_fetch_total, ingest_fetch_duration_seconds). */
  fetched?(call: MarketCall, outcome: FetchOutcomeLabel, seconds: number): void;
  deadLettered?(topic: DataTopic, kind: DeadLetterKind): void;
  published?(call: MarketCall, records: number): void;
}

export interface MarketPollerOptions {
  sink: RecordSink;
  retry: RetryPolicy;
  timeoutMs: number;
  logger: Logger;
  /** Pause after a rate-limit error reported in a body (CryptoCompare Type 99, Binance -1003). */
  rateLimitPauseMs: number;
  hooks?: MarketPollerHooks;
  fetchDeps?: Omit<FetchDeps, 'signal'>;
  now?: () => number;
}

export interface CallResult {
  outcome: FetchOutcomeLabel | 'invalid';
  records: number;
  /** Pause the source should take before its next run. */
  delayMs?: number;
}

async function sendBatch(sink: RecordSink, batch: TopicBatch): Promise<void> {
  await sink.send(batch.topic, batch.records);
}

export class MarketPoller {
  private readonly now: () => number;

  constructor(private readonly options: MarketPollerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Runs the calls one after another (a source's rate limit is per source); returns the pause to take. */
  async runAll(calls: readonly MarketCall[], signal?: AbortSignal): Promise<{ delayMs?: number }> {
    let delayMs: number | undefined;
    for (const c of calls) {
      if (signal?.aborted === true) break;
      const result = await this.run(c, signal);
      if (result.delayMs !== undefined) delayMs = Math.max(delayMs ?? 0, result.delayMs);
      if (result.outcome === 'rate_limited') break;
    }
    return delayMs === undefined ? {} : { delayMs };
  }

  async run(c: MarketCall, signal?: AbortSignal): Promise<CallResult> {
    const { logger, hooks } = this.options;
    const started = this.now();
    const outcome = await fetchWithRetry(
      { url: c.url, headers: c.headers, timeoutMs: this.options.timeoutMs },
      this.options.retry,
      {
        ...this.options.fetchDeps,
        ...(signal === undefined ? {} : { signal }),
        onRateLimited: (retryAfterMs) => logger.warn({ call: c.name, retryAfterMs }, 'upstream_rate_limited'),
      },
    );
    const seconds = (this.now() - started) / 1000;
    const fetchedAt = this.now();
    switch (outcome.kind) {
      case 'rate-limited':
        hooks?.fetched?.(c, 'rate_limited', seconds);
        return { outcome: 'rate_limited', records: 0, delayMs: outcome.retryAfterMs };
      case 'failed':
        hooks?.fetched?.(c, 'error', seconds);
        logger.warn(
          { call: c.name, url: c.logUrl, err: outcome.error, attempts: outcome.attempts },
          'upstream_fetch_failed',
        );
        return { outcome: 'error', records: 0 };
      case 'response':
        break;
    }
    const throttle = c.throttle?.(outcome.headers, this.now()) ?? undefined;
    const json = parseJsonText(c.source, outcome.text);
    const mapped = json.ok ? c.map(json.records, fetchedAt) : json;
    if (mapped.ok && outcome.status >= 200 && outcome.status < 300) {
      let count = 0;
      for (const batch of mapped.records) {
        await sendBatch(this.options.sink, batch);
        count += batch.records.length;
      }
      hooks?.fetched?.(c, 'success', seconds);
      hooks?.published?.(c, count);
      logger.debug({ call: c.name, records: count }, 'upstream_published');
      return {
        outcome: 'success',
        records: count,
        ...(throttle === undefined || throttle === null ? {} : { delayMs: throttle }),
      };
    }
    if (!mapped.ok && mapped.error !== undefined && 'kind' in mapped.error && mapped.error.kind === 'rate-limit') {
      // Rate limits reported in the body (HTTP 200 on CryptoCompare) are waited out, not dead-lettered.
      hooks?.fetched?.(c, 'rate_limited', seconds);
      logger.warn({ call: c.name, reason: mapped.reason }, 'upstream_rate_limited');
      return { outcome: 'rate_limited', records: 0, delayMs: this.options.rateLimitPauseMs };
    }
    const reason = mapped.ok
      ? `${c.source}: HTTP ${outcome.status}`
      : outcome.status >= 300
        ? `${c.source}: HTTP ${outcome.status}: ${mapped.reason}`
        : mapped.reason;
    const kind: DeadLetterKind =
      !mapped.ok && mapped.error === undefined && outcome.status < 300 ? 'invalid' : 'upstream';
    await this.options.sink.sendRaw([
      deadLetterRecord(
        {
          sourceTopic: c.topic,
          kind,
          reason,
          value: outcome.text,
          headers: { 'upstream.url': c.logUrl, 'upstream.status': String(outcome.status) },
        },
        fetchedAt,
      ),
    ]);
    hooks?.fetched?.(c, 'error', seconds);
    hooks?.deadLettered?.(c.topic, kind);
    logger.warn({ call: c.name, url: c.logUrl, reason }, 'upstream_payload_dead_lettered');
    return {
      outcome: 'invalid',
      records: 0,
      ...(throttle === undefined || throttle === null ? {} : { delayMs: throttle }),
    };
  }
}
