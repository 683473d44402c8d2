import { z } from 'zod';

/** Reusable variable types: they accept the string forms an environment holds. */
export const port = z.coerce.number().int().min(0).max(65_535);
export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeInt = z.coerce.number().int().nonnegative();
export const positiveNumber = z.coerce.number().positive().finite();
export const nonNegativeNumber = z.coerce.number().nonnegative().finite();

/** `true/false/1/0/yes/no` — z.coerce.boolean would turn "false" into true. */
export const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A comma-separated list, blanks dropped. */
export const commaList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  )
  .pipe(z.array(z.string()).min(1, 'must list at least one value'));

export const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Variables every app shares. */
export const commonSchema = {
  LOG_LEVEL: logLevel.default('info'),
  HEALTH_HOST: z.string().default('127.0.0.1'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(15_000),
};

/** `TOPIC_PREFIX`: prefix of every topic name ('' in production; tests isolate runs with it). */
export const topicPrefix = z
  .string()
  .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only')
  .default('');

/** Variables of every app that talks to Kafka and the schema registry. */
export const kafkaSchema = {
  KAFKA_BROKERS: commaList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  SCHEMA_REGISTRY_URL: httpUrl.default('http://127.0.0.1:8081/apis/ccompat/v7'),
  /** Production setting 3; the local single-node stack uses 1. */
  KAFKA_REPLICATION_FACTOR: positiveInt.default(1),
  /**
   * Authentication to the brokers (each app has its own principal and ACLs): unset, none (the
   * local stack). With a mechanism, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or _FILE) are needed.
   */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers; KAFKA_TLS_CA_FILE names the CA bundle when it is not a public one. */
  KAFKA_TLS: booleanFlag.default(false),
  KAFKA_TLS_CA_FILE: z.string().min(1).optional(),
  /**
   * The deployment's name on its Kafka cluster (in Kubernetes its namespace; a second checkout or a
   * tool on a shared broker takes its own): part of every transactional id (`transactionalIdOf`).
   * Every instance of one deployment has the same one.
   */
  DEPLOYMENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only')
    .default('local'),
  TOPIC_PREFIX: topicPrefix,
  /**
   * false: the topics exist already (Kubernetes and Helm set it: Strimzi's topic operator makes them,
   * and an app's ACLs do not let it create or reconfigure one). Every app still registers the schemas.
   */
  PROVISION_TOPICS: booleanFlag.default(true),
};

/** Variables of every app on Kafka: the ones every app shares and Kafka's. */
export const kafkaAppSchema = { ...commonSchema, ...kafkaSchema };

/** A service on Kafka: `kafkaAppSchema` and the port of its /health, /ready and /metrics. */
export function kafkaServiceSchema(healthPort: number) {
  return { ...kafkaAppSchema, HEALTH_PORT: port.default(healthPort) };
}

/** A service on Kafka that serves HTTP on HOST:PORT too (api, ws-gateway), with its health port beside. */
export function httpServiceSchema(ports: { port: number; healthPort: number }) {
  return {
    ...kafkaAppSchema,
    HOST: z.string().default('0.0.0.0'),
    PORT: port.default(ports.port),
    HEALTH_PORT: port.default(ports.healthPort),
  };
}

/**
 * A processor's Kafka transactional id: `<TOPIC_PREFIX><app>.<DEPLOYMENT_ID>` (a measure shard
 * appends `-<shard>`). Instances of one deployment — a restart, a hot standby, the next owner of a
 * shard — share it, so the newcomer fences a predecessor that is still running; another
 * deployment on the same broker has its own, so it never fences this one. The app's name comes
 * first: the Kafka ACLs allow each app the transactional ids under its name.
 */
export function transactionalIdOf(
  config: { readonly TOPIC_PREFIX: string; readonly DEPLOYMENT_ID: string },
  app: string,
): string {
  return `${config.TOPIC_PREFIX}${app}.${config.DEPLOYMENT_ID}`;
}

/**
 * The grid step the index is evaluated on unless GRID_INTERVAL_MS says otherwise: four times a
 * second, so that an input event waits at most 250 ms for the grid point that reflects it.
 */
export const DEFAULT_GRID_INTERVAL_MS = 250;
/**
 * The per-symbol measure processors' default grid step (peg, liquidity, RAY): every second. Their
 * topics keep 90 days of one record per symbol and grid point, and no live client waits on them;
 * every one of their grid points is also one of the index's.
 */
export const MEASURE_GRID_INTERVAL_MS = 1000;
/** How late an input may reach a processor and still count (ALLOWED_LATENESS_MS's default). */
export const DEFAULT_ALLOWED_LATENESS_MS = 200;

/**
 * The evaluation grid and its event-time rules, one definition for every app that evaluates or
 * checks the index (processor-syi, the measure processors, `syi verify`, the auditor).
 */
export const eventTimeSchema = {
  /** the methodology's grid step I in ms: the index is evaluated at every multiple of it */
  GRID_INTERVAL_MS: positiveInt.default(DEFAULT_GRID_INTERVAL_MS),
  ALLOWED_LATENESS_MS: nonNegativeInt.default(DEFAULT_ALLOWED_LATENESS_MS),
  /**
   * 0 (default): a partition with unread records always holds the watermark. > 0: one that
   * delivers nothing this long stops holding it — liveness over exactness (its later records may be late).
   */
  IDLE_TIMEOUT_MS: nonNegativeInt.default(0),
  /**
   * Between events, how far past the newest one the clock may carry the watermark once every input
   * is read to its end (0: only events move it). The price: an ingester or broker stalled for longer
   * than ALLOWED_LATENESS_MS makes the events it held late (dead-lettered) instead of delaying the index.
   */
  WATERMARK_CLOCK_MAX_MS: nonNegativeInt.default(2_000),
};

/** The stream processors' variables (processor-syi and the measure processors): event time, commits, lease. */
export const processorSchema = {
  ...eventTimeSchema,
  MIN_COMMIT_INTERVAL_MS: nonNegativeInt.default(0),
  COMMIT_INTERVAL_MS: positiveInt.default(1000),
  TICK_MS: positiveInt.default(20),
  /** session timeout of the lease: how long a dead instance keeps its role (syi: active; measures: shards) */
  LEASE_SESSION_TIMEOUT_MS: positiveInt.default(10_000),
};

/**
 * A stream processor's whole schema: processor-syi's, and each measure processor's (which passes
 * its own default grid step).
 */
export function processorConfigSchema(healthPort: number, gridIntervalMs = DEFAULT_GRID_INTERVAL_MS) {
  return z.object({
    ...kafkaServiceSchema(healthPort),
    ...processorSchema,
    GRID_INTERVAL_MS: positiveInt.default(gridIntervalMs),
    /**
     * How long the broker holds a fetch that finds nothing new (unset: a tenth of the grid step,
     * `fetchMaxWaitOf`). Its empty answer is what tells the processor its inputs are read to their
     * end, so between events the watermark moves on in steps of about this much.
     */
    FETCH_MAX_WAIT_MS: positiveInt.optional(),
  });
}
export type ProcessorConfig = z.output<ReturnType<typeof processorConfigSchema>>;

/** A processor's fetch wait: FETCH_MAX_WAIT_MS, or a tenth of its grid step (at least 10 ms). */
export const fetchMaxWaitOf = (config: Pick<ProcessorConfig, 'FETCH_MAX_WAIT_MS' | 'GRID_INTERVAL_MS'>): number =>
  config.FETCH_MAX_WAIT_MS ?? Math.max(10, Math.round(config.GRID_INTERVAL_MS / 10));

/** The sinks' consumer: retries of a failed batch and the batching of fetches (sink-timescale, sink-clickhouse). */
export const sinkConsumerSchema = {
  /** Back-off cap between retries of a failed batch (e.g. while the database is down). */
  RETRY_MAX_MS: positiveInt.default(5_000),
  /** Batching by age and size: a fetch waits up to FLUSH_INTERVAL_MS for FETCH_MIN_BYTES of records. */
  FLUSH_INTERVAL_MS: positiveInt.default(500),
  FETCH_MIN_BYTES: positiveInt.default(65_536),
  FETCH_MAX_BYTES_PER_PARTITION: positiveInt.default(4_194_304),
  /** Partitions whose batches are written at the same time (each its own DB transaction). */
  PARTITIONS_CONCURRENTLY: positiveInt.default(2),
};
