/**
 * The deployables and what each needs at run time: ports, topics, secrets, upstreams,
 * scaling. One table feeds the generated Kubernetes base (k8s/base/apps), the Helm values
 * (helm/stableyield/values.yaml) and the checks of docker-compose.yml, so the three agree.
 */

export type DataStore = 'kafka' | 'registry' | 'timescale' | 'clickhouse';

/**
 * A variable read from a Secret (never a literal value). With `asFile` the Secret key is mounted
 * read-only under SECRET_MOUNT_PATH and the app gets `<name>_FILE`: the value is then in no
 * process environment (`/proc/<pid>/environ`, crash dumps, child processes).
 */
export interface SecretEnv {
  readonly name: string;
  readonly secret: string;
  readonly key: string;
  readonly optional?: boolean;
  readonly asFile?: boolean;
}

/** Where file-mounted secrets appear in a container: `<SECRET_MOUNT_PATH>/<secret>/<key>`. */
export const SECRET_MOUNT_PATH = '/var/run/secrets/stableyield';

export type Scaling =
  | { readonly kind: 'fixed'; readonly replicas: number; readonly why: string }
  | { readonly kind: 'cpu'; readonly min: number; readonly max: number; readonly cpuPercent: number }
  | { readonly kind: 'connections'; readonly min: number; readonly max: number; readonly perPod: number }
  | {
      readonly kind: 'consumerLag';
      readonly min: number;
      readonly max: number;
      readonly group: string;
      readonly lagPerPod: number;
    };

export interface AppSpec {
  readonly name: string;
  /** Port of /metrics, /live, /ready (keeper: /health, /status, /metrics). */
  readonly healthPort: number;
  /** Client-facing port, if the app serves one. */
  readonly mainPort?: number;
  /** Variable that sets the health port (apps differ: market-sim and keeper have their own). */
  readonly healthPortVar: string;
  readonly livePath: string;
  readonly readyPath: string;
  readonly stores: readonly DataStore[];
  /** Reaches the public internet over HTTPS (upstream APIs, RPC). */
  readonly internet: boolean;
  readonly env: Readonly<Record<string, string>>;
  readonly secretEnv: readonly SecretEnv[];
  readonly scaling: Scaling;
  readonly cpu: { readonly request: string; readonly limit: string };
  readonly memory: { readonly request: string; readonly limit: string };
  /** Local test double: deployed by the dev overlay and docker-compose only. */
  readonly devOnly?: boolean;
  /**
   * SIGTERM's bound on the app's own shutdown (its SHUTDOWN_TIMEOUT_MS); the pod's
   * terminationGracePeriodSeconds is set above it. Default: the apps' 15 s.
   */
  readonly shutdownTimeoutMs?: number;
  /** Apps whose health port this app calls (e.g. the api asks the auditor's /status); the network policies allow it. */
  readonly callsHealthOf?: readonly string[];
  /** State that must survive a restart: a PersistentVolumeClaim mounted at `mountPath`. */
  readonly stateVolume?: {
    readonly mountPath: string;
    readonly size: string;
    readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
  };
}

/** The apps' SHUTDOWN_TIMEOUT_MS default (libs/config commonSchema). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 15_000;
/** Time Kubernetes gives a pod beyond the app's own shutdown bound (preStop, log flushing, slack). */
export const TERMINATION_SLACK_SECONDS = 15;

export const IMAGE = 'ghcr.io/stableyield/stableyield';
export const APP_NAMESPACE = 'stableyield';
export const DATA_NAMESPACE = 'stableyield-data';
export const MONITORING_NAMESPACE = 'monitoring';
export const RUN_AS_USER = 1001;

const small = { cpu: { request: '50m', limit: '500m' }, memory: { request: '128Mi', limit: '256Mi' } };
const medium = { cpu: { request: '100m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } };
/**
 * The processors allocate per event and scavenges were their largest single cost: a larger young
 * generation took the 1M-event benchmark of all four from 17.9k to 20.8–22.1k events/s.
 */
const PROCESSOR_ENV = { NODE_OPTIONS: '--max-semi-space-size=32' };
const standard = { healthPortVar: 'HEALTH_PORT', livePath: '/live', readyPath: '/ready' };

/** Scaling on the consumer lag of the app's own group, 5000 records per pod. */
const lagScaling = (group: string, max: number): Scaling => ({
  kind: 'consumerLag',
  min: 2,
  max,
  group,
  lagPerPod: 5000,
});

/** A processor: reads and writes Kafka (with the registry), no internet, no secrets. */
const processor = (name: string, healthPort: number, scaling: Scaling): AppSpec => ({
  name,
  healthPort,
  ...standard,
  stores: ['kafka', 'registry'],
  internet: false,
  env: PROCESSOR_ENV,
  secretEnv: [],
  ...medium,
  scaling,
});

/** Symbols are sharded over 6 shards (4 hold constituents): more than 4 replicas would idle. */
const shardedProcessor = (name: string, healthPort: number): AppSpec =>
  processor(name, healthPort, lagScaling(name, 4));

export const APPS: readonly AppSpec[] = [
  {
    name: 'market-sim',
    healthPort: 9212,
    mainPort: 7100,
    ...standard,
    healthPortVar: 'MARKET_SIM_HEALTH_PORT',
    stores: [],
    internet: false,
    env: { MARKET_SIM_HOST: '0.0.0.0', MARKET_SIM_PORT: '7100' },
    secretEnv: [],
    ...small,
    devOnly: true,
    scaling: { kind: 'fixed', replicas: 1, why: 'test double of the upstream APIs' },
  },
  {
    name: 'ingest-hermes',
    healthPort: 9201,
    ...standard,
    stores: ['kafka', 'registry'],
    internet: true,
    env: { HERMES_URL: 'https://hermes.pyth.network', HERMES_FALLBACK_URL: 'https://pyth.dourolabs.app/hermes' },
    secretEnv: [{ name: 'HERMES_API_KEY', secret: 'upstream-api-keys', key: 'pyth-api-key', optional: true }],
    ...small,
    scaling: {
      kind: 'fixed',
      replicas: 2,
      why: 'two SSE readers for failover; ingesters have no consumer group to measure lag on',
    },
  },
  {
    name: 'ingest-market',
    healthPort: 9202,
    ...standard,
    stores: ['kafka', 'registry'],
    internet: true,
    env: {
      CRYPTOCOMPARE_URL: 'https://min-api.cryptocompare.com',
      BINANCE_URL: 'https://api.binance.com',
      DEFILLAMA_YIELDS_URL: 'https://yields.llama.fi',
      DEFILLAMA_STABLECOINS_URL: 'https://stablecoins.llama.fi',
      FRED_URL: 'https://api.stlouisfed.org',
    },
    secretEnv: [
      { name: 'CRYPTOCOMPARE_API_KEY', secret: 'upstream-api-keys', key: 'cryptocompare-api-key' },
      { name: 'FRED_API_KEY', secret: 'upstream-api-keys', key: 'fred-api-key' },
    ],
    ...small,
    scaling: { kind: 'fixed', replicas: 1, why: 'one poller per upstream keeps within the API rate limits' },
  },
  shardedProcessor('processor-peg', 9203),
  shardedProcessor('processor-liquidity', 9204),
  shardedProcessor('processor-ray', 9205),
  processor('processor-syi', 9206, {
    kind: 'fixed',
    replicas: 2,
    why:
      'the index is one global calculation (syi.calculated has 1 partition): one active, one ' +
      'standby in the consumer group',
  }),
  {
    // Reads syi.calculated, the inputs and their dead letters; writes nothing. Its replay state
    // and the inputs after it are in memory.
    name: 'auditor',
    healthPort: 9213,
    ...standard,
    stores: ['kafka', 'registry'],
    internet: false,
    env: {},
    secretEnv: [],
    ...medium,
    scaling: {
      kind: 'fixed',
      replicas: 1,
      why:
        'a checker off the serving path: a restart re-reads the retained topics and judges the ' +
        'same records the same way',
    },
  },
  {
    // /health answers 503 for conditions a restart does not fix (stale oracle, low balance), so
    // probes use /live (the main loop progresses) and /ready (the RPC answers); /health feeds alerts.
    name: 'keeper',
    healthPort: 9090,
    healthPortVar: 'METRICS_PORT',
    livePath: '/live',
    readyPath: '/ready',
    stores: ['kafka', 'registry'],
    internet: true,
    env: {
      CONTRACT_ADDRESS: '0x4305FB66699C3B2702D4d05CF36551390A4c69C6',
      WALLET_BALANCE_FLOOR_ETH: '0.1',
      // The SYI feed (contracts/SyiFeed.sol) the keeper publishes to: the address syi-feed-cli.ts
      // printed on this chain; empty: no SYI duty (docs/keeper.md, "The SYI feed").
      SYI_FEED_ADDRESS: '',
      // SIGTERM waits for the transaction in flight; the in-flight record survives restarts and is
      // shared with the standby (docs/keeper.md), so it lives on the persistent volume.
      SHUTDOWN_TIMEOUT_MS: '120000',
      KEEPER_STATE_FILE: '/var/lib/stableyield-keeper/in-flight.json',
    },
    shutdownTimeoutMs: 120_000,
    stateVolume: { mountPath: '/var/lib/stableyield-keeper', size: '1Gi', accessMode: 'ReadWriteMany' },
    secretEnv: [
      { name: 'PRIVATE_KEY', secret: 'keeper-secrets', key: 'private-key', asFile: true },
      { name: 'RPC_URL', secret: 'keeper-secrets', key: 'rpc-url', asFile: true },
    ],
    ...small,
    scaling: {
      kind: 'fixed',
      replicas: 2,
      why: 'one active keeper (owner of the single pyth.updates partition) and one standby',
    },
  },
  {
    name: 'sink-timescale',
    healthPort: 9208,
    ...standard,
    stores: ['kafka', 'registry', 'timescale'],
    internet: false,
    env: {},
    secretEnv: [{ name: 'DATABASE_URL', secret: 'database-credentials', key: 'timescale-uri' }],
    ...medium,
    scaling: lagScaling('sink-timescale', 6),
  },
  {
    name: 'sink-clickhouse',
    healthPort: 9209,
    ...standard,
    stores: ['kafka', 'registry', 'clickhouse'],
    internet: false,
    env: {
      CLICKHOUSE_URL: 'http://clickhouse.stableyield-data.svc:8123',
      CLICKHOUSE_USER: 'stableyield',
      CLICKHOUSE_DATABASE: 'stableyield_analytics',
    },
    secretEnv: [{ name: 'CLICKHOUSE_PASSWORD', secret: 'database-credentials', key: 'clickhouse-password' }],
    ...medium,
    scaling: lagScaling('sink-clickhouse', 6),
  },
  {
    // internet: /api/index/onchain reads the SYI feed from the chain's RPC endpoint (HTTPS).
    name: 'api',
    healthPort: 9210,
    mainPort: 8080,
    ...standard,
    stores: ['kafka', 'registry', 'timescale'],
    internet: true,
    // One ingress hop in front: the client IP is the last X-Forwarded-For entry, the one the
    // ingress appended; anything before it was sent by the client.
    // SYI_FEED_ADDRESS: the feed /api/index/onchain reads (empty: the route answers 503); the RPC URL
    // is the keeper's (providers put API keys in it), mounted as a file.
    env: {
      PORT: '8080',
      HOST: '0.0.0.0',
      TRUST_PROXY: '1',
      AUDITOR_URL: 'http://auditor-metrics.stableyield.svc:9213',
      SYI_FEED_ADDRESS: '',
    },
    // /api/index/verify and /api/index/audit report the auditor's /status
    callsHealthOf: ['auditor'],
    // API keys live hashed in the database (api_keys, `npm run api-keys`), not in a Secret.
    secretEnv: [
      { name: 'DATABASE_URL', secret: 'database-credentials', key: 'timescale-uri' },
      { name: 'RPC_URL', secret: 'keeper-secrets', key: 'rpc-url', asFile: true },
    ],
    ...medium,
    scaling: { kind: 'cpu', min: 3, max: 10, cpuPercent: 70 },
  },
  {
    // The key store for WS_AUTH_REQUIRED=true is the api's table in TimescaleDB.
    name: 'ws-gateway',
    healthPort: 9211,
    mainPort: 8090,
    ...standard,
    stores: ['kafka', 'registry', 'timescale'],
    internet: false,
    env: { PORT: '8090', HOST: '0.0.0.0', TRUST_PROXY: '1' },
    secretEnv: [{ name: 'DATABASE_URL', secret: 'database-credentials', key: 'timescale-uri' }],
    ...medium,
    scaling: { kind: 'connections', min: 2, max: 10, perPod: 1000 },
  },
];

/** Variables every app shares (ConfigMap `stableyield-config`). */
export const SHARED_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'info',
  HEALTH_HOST: '0.0.0.0',
  KAFKA_BROKERS: `stableyield-kafka-bootstrap.${DATA_NAMESPACE}.svc:9092`,
  SCHEMA_REGISTRY_URL: `http://schema-registry.${DATA_NAMESPACE}.svc:8080/apis/ccompat/v7`,
  KAFKA_REPLICATION_FACTOR: '3',
  /** Strimzi's topic operator owns the topics (KafkaTopic resources); apps do not create them. */
  PROVISION_TOPICS: 'false',
};

/** Ports of the data plane, for the network policies. */
export const STORE_ENDPOINTS: Readonly<
  Record<DataStore, { readonly podLabels: Readonly<Record<string, string>>; readonly port: number }>
> = {
  kafka: { podLabels: { 'strimzi.io/cluster': 'stableyield', 'strimzi.io/kind': 'Kafka' }, port: 9092 },
  registry: { podLabels: { 'app.kubernetes.io/name': 'schema-registry' }, port: 8080 },
  timescale: { podLabels: { 'cnpg.io/cluster': 'timescaledb' }, port: 5432 },
  clickhouse: { podLabels: { 'app.kubernetes.io/name': 'clickhouse' }, port: 8123 },
};

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly cleanupPolicy: 'delete' | 'compact' | 'compact,delete';
  readonly retentionDays: number;
}

/** The topic catalog of ARCHITECTURE.md; each topic also gets `<topic>.dlq` (1 partition, delete 30d). */
export const TOPICS: readonly TopicSpec[] = [
  { name: 'pyth.updates', partitions: 1, cleanupPolicy: 'delete', retentionDays: 7 },
  // inputs: every record kept for the methodology's look-back plus the 7-day verification horizon
  // (libs/kafka VERIFICATION_HORIZON_MS; generated.test.ts checks the two catalogs agree)
  { name: 'pyth.prices', partitions: 12, cleanupPolicy: 'delete', retentionDays: 8 },
  { name: 'cc.prices', partitions: 12, cleanupPolicy: 'delete', retentionDays: 8 },
  { name: 'cc.orderbook', partitions: 12, cleanupPolicy: 'delete', retentionDays: 8 },
  { name: 'dl.apy', partitions: 6, cleanupPolicy: 'delete', retentionDays: 8 },
  { name: 'ex.mktcap', partitions: 3, cleanupPolicy: 'delete', retentionDays: 8 },
  { name: 'trad.tbill', partitions: 1, cleanupPolicy: 'delete', retentionDays: 14 },
  { name: 'syi.peg', partitions: 6, cleanupPolicy: 'delete', retentionDays: 90 },
  { name: 'syi.liquidity', partitions: 6, cleanupPolicy: 'delete', retentionDays: 90 },
  { name: 'ray.calculated', partitions: 6, cleanupPolicy: 'delete', retentionDays: 90 },
  { name: 'syi.calculated', partitions: 1, cleanupPolicy: 'delete', retentionDays: 365 },
];

export const DLQ_TOPIC: Omit<TopicSpec, 'name'> = { partitions: 1, cleanupPolicy: 'delete', retentionDays: 30 };

export function allTopics(): TopicSpec[] {
  return TOPICS.flatMap((t) => [t, { name: `${t.name}.dlq`, ...DLQ_TOPIC }]);
}

export function appByName(name: string): AppSpec {
  const app = APPS.find((a) => a.name === name);
  if (!app) throw new Error(`unknown app ${name}`);
  return app;
}

/** The bundle each app's container runs (CMD of the image). */
export function terminationGracePeriodSeconds(app: AppSpec): number {
  return Math.ceil((app.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS) / 1000) + TERMINATION_SLACK_SECONDS;
}

export function entrypoint(app: AppSpec): string {
  return `apps/${app.name}/dist/main.js`;
}
