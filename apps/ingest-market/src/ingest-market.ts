// Wiring of ingest-market, as a factory for main.ts and the integration tests: one scheduler per source,
// each with its own interval and timeout, all publishing through one idempotent producer.
import { KafkaMetrics, TopicProducer, type Kafka, type TopicSerde } from '@stableyield/kafka';
import {
  binanceCalls,
  cryptoCompareCalls,
  defiLlamaStablecoinsCalls,
  defiLlamaYieldsCalls,
  fredCalls,
  MarketPoller,
  PollScheduler,
  type MarketCall,
  type MarketPollerHooks,
} from '@stableyield/ingest';
import {
  Counter,
  Histogram,
  LATENCY_BUCKETS_SECONDS,
  type Logger,
  type ProgressMonitor,
  type Readiness,
  type Registry,
} from '@stableyield/observability';
import { type Config, type SourceName } from './config';

export interface IngestMarketDeps {
  kafka: Kafka;
  serde: TopicSerde;
  registry: Registry;
  progress: ProgressMonitor;
  readiness: Readiness;
  fetch?: typeof fetch;
  hooks?: MarketPollerHooks;
}

export interface IngestMarket {
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface SourcePlan {
  name: SourceName;
  intervalMs: number;
  timeoutMs: number;
  calls: MarketCall[];
}

function plans(config: Config): SourcePlan[] {
  const all: Record<SourceName, () => SourcePlan> = {
    cryptocompare: () => ({
      name: 'cryptocompare',
      intervalMs: config.CRYPTOCOMPARE_INTERVAL_MS,
      timeoutMs: config.CRYPTOCOMPARE_TIMEOUT_MS,
      calls: cryptoCompareCalls({
        baseUrl: config.CRYPTOCOMPARE_URL,
        apiKey: config.CRYPTOCOMPARE_API_KEY,
        symbols: config.CRYPTOCOMPARE_SYMBOLS,
      }),
    }),
    binance: () => ({
      name: 'binance',
      intervalMs: config.BINANCE_INTERVAL_MS,
      timeoutMs: config.BINANCE_TIMEOUT_MS,
      calls: binanceCalls({
        baseUrl: config.BINANCE_URL,
        apiKey: config.BINANCE_API_KEY,
        pairs: config.BINANCE_PAIRS,
        depthLimit: config.BINANCE_DEPTH_LIMIT,
        weightLimitPerMinute: config.BINANCE_WEIGHT_LIMIT_PER_MINUTE,
      }),
    }),
    'defillama-yields': () => ({
      name: 'defillama-yields',
      intervalMs: config.DEFILLAMA_YIELDS_INTERVAL_MS,
      timeoutMs: config.DEFILLAMA_YIELDS_TIMEOUT_MS,
      calls: defiLlamaYieldsCalls({ baseUrl: config.DEFILLAMA_YIELDS_URL, symbols: config.CONSTITUENTS }),
    }),
    'defillama-stablecoins': () => ({
      name: 'defillama-stablecoins',
      intervalMs: config.DEFILLAMA_STABLECOINS_INTERVAL_MS,
      timeoutMs: config.DEFILLAMA_STABLECOINS_TIMEOUT_MS,
      calls: defiLlamaStablecoinsCalls({ baseUrl: config.DEFILLAMA_STABLECOINS_URL, symbols: config.CONSTITUENTS }),
    }),
    fred: () => ({
      name: 'fred',
      intervalMs: config.FRED_INTERVAL_MS,
      timeoutMs: config.FRED_TIMEOUT_MS,
      // The schema refuses a missing key while fred is enabled.
      calls: fredCalls({ baseUrl: config.FRED_URL, apiKey: config.FRED_API_KEY ?? '', series: config.FRED_SERIES }),
    }),
  };
  return config.INGEST_SOURCES.map((name) => all[name]());
}

export function createIngestMarket(config: Config, logger: Logger, deps: IngestMarketDeps): IngestMarket {
  const registers = [deps.registry];
  const kafkaMetrics = KafkaMetrics.of(deps.registry);
  const fetches = new Counter({
    name: 'ingest_fetch_total',
    help: 'Upstream calls by source and outcome',
    labelNames: ['source', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'ingest_fetch_duration_seconds',
    help: 'Upstream call duration',
    labelNames: ['source'],
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const producer = new TopicProducer(deps.kafka, deps.serde, kafkaMetrics, logger, {
    topicPrefix: config.TOPIC_PREFIX,
  });
  const lastSuccess = new Map<SourceName, number>();

  const schedulers = plans(config).map((plan) => {
    const poller = new MarketPoller({
      sink: producer,
      timeoutMs: plan.timeoutMs,
      retry: {
        retries: config.HTTP_RETRIES,
        backoff: { initialMs: config.HTTP_BACKOFF_INITIAL_MS, maxMs: config.HTTP_BACKOFF_MAX_MS },
        maxRetryAfterMs: config.HTTP_MAX_RETRY_AFTER_MS,
      },
      rateLimitPauseMs: config.RATE_LIMIT_PAUSE_MS,
      logger: logger.child({ source: plan.name }),
      ...(deps.fetch === undefined ? {} : { fetchDeps: { fetch: deps.fetch } }),
      hooks: {
        fetched: (c, outcome, seconds) => {
          fetches.inc({ source: c.source, outcome });
          duration.observe({ source: c.source }, seconds);
          if (outcome === 'success') lastSuccess.set(plan.name, Date.now());
          deps.hooks?.fetched?.(c, outcome, seconds);
        },
        deadLettered: (topic, kind) => {
          kafkaMetrics.deadLettered.inc({ topic, reason: 'validation' });
          deps.hooks?.deadLettered?.(topic, kind);
        },
        published: (c, records) => deps.hooks?.published?.(c, records),
      },
    });
    // /live: every source must complete a run (any outcome) within a few of its intervals.
    const loop = `source:${plan.name}`;
    const scheduler = new PollScheduler(
      plan.name,
      plan.intervalMs,
      async (signal) => {
        const result = await poller.runAll(plan.calls, signal);
        deps.progress.beat(loop);
        return result;
      },
      logger,
    );
    return { plan, loop, scheduler };
  });

  // Ready once every source has delivered at least once (and Kafka took it).
  deps.readiness.add('sources-delivered', () => schedulers.every((s) => lastSuccess.has(s.plan.name)));

  return {
    async start() {
      await producer.connect();
      // the first poll's records then go out without waiting for the registry (their event time is the fetch)
      const topics = [...new Set(schedulers.flatMap(({ plan }) => plan.calls.map((c) => c.topic)))];
      await deps.serde.prefetch(topics).catch((err: unknown) => logger.warn({ err }, 'schema_prefetch_failed'));
      for (const { plan, loop, scheduler } of schedulers) {
        deps.progress.register(
          loop,
          Math.max(60_000, 3 * plan.intervalMs + plan.timeoutMs * (config.HTTP_RETRIES + 1)),
        );
        scheduler.start();
        logger.info(
          { source: plan.name, intervalMs: plan.intervalMs, calls: plan.calls.map((c) => c.logUrl) },
          'source_scheduled',
        );
      }
    },
    async stop() {
      await Promise.all(schedulers.map((s) => s.scheduler.stop()));
      for (const s of schedulers) deps.progress.unregister(s.loop);
      await producer.disconnect();
    },
  };
}
