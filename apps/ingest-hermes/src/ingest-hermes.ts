// Wiring of ingest-hermes, as a factory so integration tests and the benchmark run it in-process:
// Hermes client (stream, reconnects, fail-over polling) → publisher (dedupe, map, batch) → Kafka.
import { KafkaMetrics, TopicProducer, type Kafka, type TopicSerde } from '@stableyield/kafka';
import {
  eventSourceConnector,
  HermesClient,
  HermesPublisher,
  redactUrl,
  type PublishedBatch,
  type StreamConnector,
} from '@stableyield/ingest';
import {
  metricsOf,
  type Logger,
  type ProgressMonitor,
  type Readiness,
  type Registry,
} from '@stableyield/observability';
import { type UpstreamError } from '@stableyield/upstream';
import { type Config } from './config';

export interface IngestHermesDeps {
  kafka: Kafka;
  serde: TopicSerde;
  registry: Registry;
  progress: ProgressMonitor;
  readiness: Readiness;
  connect?: StreamConnector;
  fetch?: typeof fetch;
  /** Unknown feed ids: the stream cannot work with this configuration. */
  onFatal?: (error: UpstreamError | Error) => void;
  onPublished?: (batch: PublishedBatch) => void;
}

export interface IngestHermes {
  client: HermesClient;
  publisher: HermesPublisher;
  start(): Promise<void>;
  /** Stops reading, then flushes what was accepted and closes the producer. */
  stop(): Promise<void>;
}

function priceUrl(base: string, path: string, feedIds: readonly string[]): string {
  const ids = feedIds.map((id) => `ids[]=${id}`).join('&');
  return `${base.replace(/\/+$/, '')}/v2/updates/price/${path}?${ids}&parsed=true&encoding=hex`;
}

export function createIngestHermes(config: Config, logger: Logger, deps: IngestHermesDeps): IngestHermes {
  const feedSymbols = Object.fromEntries(config.HERMES_FEEDS.map((f) => [f.id, f.symbol]));
  const alias = new Map(config.HERMES_FEEDS.map((f) => [f.id, `${f.symbol}/USD`]));
  const ids = config.HERMES_FEEDS.map((f) => f.id);
  const streamUrl = priceUrl(config.HERMES_URL, 'stream', ids);
  const latestUrl = priceUrl(config.HERMES_FALLBACK_URL ?? config.HERMES_URL, 'latest', ids);
  const headers: Record<string, string> =
    config.HERMES_API_KEY === undefined ? {} : { authorization: `Bearer ${config.HERMES_API_KEY}` };

  const kafkaMetrics = KafkaMetrics.of(deps.registry);
  const { counter, gauge } = metricsOf(deps.registry);
  const sseStatus = gauge('sse_connection_status', '1 while the Hermes SSE stream is open, else 0');
  const eventsReceived = counter('hermes_events_received_total', 'SSE messages received');
  const feedUpdates = counter('hermes_feed_updates_total', 'Price updates published, per configured feed', ['feed']);
  const reconnects = counter('hermes_reconnects_total', 'SSE reconnections');
  const queueDropped = counter(
    'hermes_publisher_dropped_total',
    'Events or dead letters dropped, oldest first, while the broker did not take them',
    ['what'],
  );
  for (const what of ['update', 'dead_letter']) queueDropped.inc({ what }, 0);
  const failoverActive = gauge('hermes_failover_active', '1 while polling the fallback Hermes endpoint');
  let client: HermesClient | null = null;
  gauge('hermes_last_event_age_seconds', 'Seconds since the last Hermes event (stream or poll)', [], function () {
    const last = client?.lastEventTime() ?? null;
    if (last !== null) this.set((Date.now() - last) / 1000);
  });

  const producer = new TopicProducer(deps.kafka, deps.serde, kafkaMetrics, logger, {
    topicPrefix: config.TOPIC_PREFIX,
  });
  const publisher = new HermesPublisher({
    sink: producer,
    dedupe: config.HERMES_DEDUPE_KEY,
    feedSymbols,
    sourceUrl: redactUrl(streamUrl),
    logger,
    onDeadLetter: () => kafkaMetrics.deadLettered.inc({ topic: 'pyth.updates', reason: 'validation' }),
    onDropped: (what, count) => queueDropped.inc({ what }, count),
    onPublished: (batch) => {
      for (const price of batch.prices) feedUpdates.inc({ feed: alias.get(price.feedId) ?? price.symbol });
      deps.onPublished?.(batch);
    },
  });

  const progressLoop = 'hermes';
  client = new HermesClient({
    streamUrl,
    latestUrl,
    headers,
    watchdogMs: config.HERMES_WATCHDOG_MS,
    backoff: { initialMs: config.HERMES_BACKOFF_INITIAL_MS, maxMs: config.HERMES_BACKOFF_MAX_MS },
    failoverAfterFailures: config.HERMES_FAILOVER_AFTER_FAILURES,
    pollIntervalMs: config.HERMES_POLL_INTERVAL_MS,
    pollTimeoutMs: config.HERMES_HTTP_TIMEOUT_MS,
    connect: deps.connect ?? eventSourceConnector(deps.fetch),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    logger: logger.child({ module: 'hermes-client' }),
    listener: {
      event: (data, via, receivedAt) => {
        if (via === 'stream') eventsReceived.inc();
        deps.progress.beat(progressLoop);
        publisher.accept(data, receivedAt);
      },
      fatal: (error) => {
        // e.g. "Price ids not found: 0x…": the configured HERMES_FEEDS name a feed Hermes does not know.
        logger.error({ error: error instanceof Error ? error.message : error }, 'hermes_failed');
        deps.onFatal?.(error);
      },
      streamStatus: (open) => sseStatus.set(open ? 1 : 0),
      failover: (active) => failoverActive.set(active ? 1 : 0),
      reconnect: () => {
        reconnects.inc();
        deps.progress.beat(progressLoop);
      },
    },
  });
  const hermes = client;
  deps.readiness.add('hermes-delivering', () => hermes.isDelivering());
  deps.readiness.add('kafka-publishing', () => publisher.error() === null);

  return {
    client: hermes,
    publisher,
    async start() {
      await producer.connect();
      // the first prices then go out without waiting for the registry (their event time is their arrival)
      await deps.serde
        .prefetch(['pyth.updates', 'pyth.prices'])
        .catch((err: unknown) => logger.warn({ err }, 'schema_prefetch_failed'));
      // Waiting for the first event (or a reconnect) is progress; a stuck client fails /live.
      deps.progress.register(progressLoop, Math.max(60_000, 3 * config.HERMES_BACKOFF_MAX_MS));
      sseStatus.set(0);
      failoverActive.set(0);
      hermes.start();
      logger.info(
        {
          url: redactUrl(streamUrl),
          feeds: config.HERMES_FEEDS.map((f) => f.symbol),
          apiKey: config.HERMES_API_KEY !== undefined,
        },
        'hermes_ingest_started',
      );
    },
    async stop() {
      await hermes.stop();
      await publisher.flush();
      await producer.disconnect();
      deps.progress.unregister(progressLoop);
    },
  };
}
