// The whole system as `npm start` runs it, for the end-to-end test, the fault run and the system
// benchmark: the market simulator as every upstream, both ingesters, the four processors, the
// keeper (on an anvil of its own with MockPyth), both sinks, the API and the WebSocket gateway,
// every app a child process on the 3-broker Kafka cluster (replication factor 3; or one broker, or
// a SCRAM broker of the run's own with every app on its own ACLs: SystemOptions.kafka), the registry,
// PostgreSQL and ClickHouse. One run is isolated by a topic prefix (or its own broker), a fresh
// PostgreSQL database, a ClickHouse database and its own chain. `verify()` checks every promise the
// system makes and returns what failed (nothing, when all is well).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythAbi, syiFeedAbi } from '@stableyield/chain';
import { DEFAULT_ALLOWED_LATENESS_MS, DEFAULT_GRID_INTERVAL_MS, MEASURE_GRID_INTERVAL_MS } from '@stableyield/config';
import {
  anvilTestAccount,
  deployTestMockPyth,
  deployTestSyiFeed,
  startAnvil,
  type TestAnvil,
} from '@stableyield/chain/testing';
import { topicManifests } from '@stableyield/deployment';
import { createTestDatabase } from '@stableyield/postgres/testing';
import {
  aclRules,
  APP_ACCESS,
  CATALOG,
  createKafka,
  createTopicsWithLeaders,
  DLQ_HEADERS,
  kafkaAcl,
  partitionOffsets,
  prefixedSpecs,
  prefixedTopic,
  provisionTopics,
  readDeadLetterHeaders,
  TopicFollower,
} from '@stableyield/kafka';
import {
  readTopic,
  startScramBroker,
  testStack,
  waitFor,
  type ScramBroker,
  type TestStack,
} from '@stableyield/kafka/testing';
import { ASSETS, simulatedMarketUpstreams } from '@stableyield/market-model';
import {
  createRegistryClient,
  registerSchemas,
  VALUE_SCHEMAS,
  type DataTopic,
  type PythPrice,
  type SyiRecord,
} from '@stableyield/schemas';
import { DEFAULT_CLOCK_ADVANCE_MAX_MS, processorStateTopics, verifyChain, type AuditStatus } from '@stableyield/stream';
import {
  dumpInputs,
  httpOk,
  repoRoot,
  INPUT_TOPIC_NAMES,
  matchesReplay,
  randomTestPort,
  recordCount,
  replayWithCommand,
  splitAtInputsEnd,
  uniquePrefix,
} from '@stableyield/stream/testing';
import { toHex, type Address } from 'viem';
import { judgeDeadLetters, withoutLetters, type ReadDeadLetter } from './dead-letters';
import { subscribe, type StreamClient } from './live-stream';
import { RpcProxy } from './rpc-proxy';
import { checkClickHouseIndex, checkPostgresIndex, checkStreams, dropClickHouseDatabase } from './store-checks';
import { AppSupervisor, SYSTEM_APPS, type SystemApp } from './supervisor';

/** The grid the system runs on: the apps' default (`npm start`'s). */
export const GRID_MS = DEFAULT_GRID_INTERVAL_MS;
/** The keeper's signer: anvil's second test account (the first deploys MockPyth). */
const KEEPER_ACCOUNT = anvilTestAccount(1);

/**
 * The processors' allowed lateness in the test runs (SystemOptions.latenessMs). Production's 200 ms holds on the
 * latency benchmark's quiet machine; here twelve apps, three brokers and the databases share two cores,
 * and a DefiLlama or FRED batch (event time = when it was fetched) took longer than 200 ms to
 * reach the replicated topics: 45 of 48 pool records went to the DLQ as late in a first run.
 */
export const LATENESS_MS = 2000;

export interface SystemOptions {
  /** the keeper's deviation threshold, percent */
  keeperDeviationPct?: number;
  /** the keeper's MAX_STALENESS, seconds */
  keeperMaxStalenessS?: number;
  /** ws-gateway worker processes */
  wsWorkers?: number;
  /** WebSocket clients the run keeps */
  wsClients?: number;
  /** CryptoCompare poll interval (the simulator answers at once) */
  ccIntervalMs?: number;
  /** the processors' allowed lateness (default LATENESS_MS; the benchmark runs production's 200) */
  latenessMs?: number;
  /**
   * ingest-hermes's HERMES_DEDUPE_KEY: `publish-time` (production: one record per feed and second)
   * or `slot` (one per simulator slot: the benchmark's way to raise the input rate with the tick rate)
   */
  hermesDedupe?: 'publish-time' | 'slot';
  /**
   * `cluster` (default): the 3-broker cluster, replication factor 3. `single`: the stack's one
   * broker (KAFKA_BROKERS), replication factor 1 — three broker JVMs less on the machine's cores.
   * `kubernetes`: a broker of the run's own with SCRAM and the standard authorizer, replication
   * factor 1, run as Kubernetes runs the apps: each logs in as its own principal with the ACLs of
   * APP_ACCESS and PROVISION_TOPICS=false, on the topics of the KafkaTopic manifests
   * (libs/deployment), under no topic prefix. The keeper also publishes the index to a SyiFeed.
   */
  kafka?: 'cluster' | 'single' | 'kubernetes';
  /**
   * Every app with the settings `npm start` gives it (its own defaults, the processors' Node options),
   * only ports, topics and databases of the run's own: the benchmark's "as a user runs it". The
   * options above that set an app's behaviour (lateness, Hermes dedupe, poll intervals, keeper
   * thresholds, ws workers) are then not passed on.
   */
  appDefaults?: boolean;
}

/**
 * The variables that tie an app to this run (where things are, and secrets) rather than tune it:
 * all an app gets with `appDefaults`.
 */
const RUN_SPECIFIC = new RegExp(
  '^(' +
    [
      'KAFKA_BROKERS|SCHEMA_REGISTRY_URL|TOPIC_PREFIX|KAFKA_REPLICATION_FACTOR',
      '.*PORT|DATABASE_URL|CLICKHOUSE_(URL|DATABASE)|SINK_GROUP_ID',
      'PRIVATE_KEY|RPC_URL|CONTRACT_ADDRESS|SYI_FEED_ADDRESS|KEEPER_(INPUT_TOPIC|GROUP_ID|STATE_FILE)',
      'HERMES_URL|CRYPTOCOMPARE_URL|BINANCE_URL|DEFILLAMA_(YIELDS|STABLECOINS)_URL|FRED_URL|FRED_API_KEY',
      'MARKET_SIM_SEED',
    ].join('|') +
    ')$',
);

export interface Verification {
  /** the recorded input records the replay ran over */
  inputs: { topic: string; value: unknown }[];
  counts: Record<string, number>;
  published: number;
  problems: string[];
}

export class System {
  stack: TestStack;
  readonly prefix: string;
  readonly clickhouseUrl = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
  private readonly apps = new AppSupervisor();
  /** crashes the supervisor restarted, as a deployment's restart policy would: "app exited N: last log" */
  readonly restarts = this.apps.restarts;
  // consecutive from a random base; the ~40 ports a run takes stay below the ephemeral range
  private nextPort = randomTestPort() - 100;
  private database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  private anvil: TestAnvil | undefined;
  private contract: Address | undefined;
  readonly streams: StreamClient[] = [];
  /** the newest Hermes price seen (a follower started with the system) */
  private latestPythMs = 0;
  private hermesFollower: TopicFollower<'pyth.prices'> | undefined;
  /** the keeper's WebSocket RPC goes through this (the fault run cuts it) */
  rpcProxy!: RpcProxy;
  /** the feeds the keeper pushes without a price config: every simulated asset with a Pyth id */
  readonly keeperFeedIds = ASSETS.flatMap((a) => (a.pythId ? [a.pythId] : []));
  readonly options: Required<SystemOptions>;

  brokers: string;
  private readonly replicationFactor: number;
  /** the run's own broker (`kafka: 'kubernetes'`) */
  private scram: ScramBroker | undefined;
  /** the SyiFeed the keeper publishes the index to (`kafka: 'kubernetes'`) */
  private syiFeed: Address | undefined;

  constructor(options: SystemOptions = {}) {
    this.options = {
      keeperDeviationPct: 0.05,
      keeperMaxStalenessS: 30,
      wsWorkers: 2,
      wsClients: 4,
      ccIntervalMs: 10_000,
      latenessMs: LATENESS_MS,
      hermesDedupe: 'publish-time',
      kafka: 'cluster',
      appDefaults: false,
      ...options,
    };
    const cluster = this.options.kafka === 'cluster';
    this.brokers =
      this.options.kafka === 'single'
        ? (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
        : (process.env.KAFKA_CLUSTER_BROKERS ?? '127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096');
    this.replicationFactor = cluster ? 3 : 1;
    // the run's own broker holds nothing else: the production names, as Kubernetes has them
    this.prefix = this.kubernetes ? '' : uniquePrefix('sys');
    this.stack = testStack({ ...process.env, KAFKA_BROKERS: this.brokers });
  }

  private get kubernetes(): boolean {
    return this.options.kafka === 'kubernetes';
  }

  /** processor-syi's allowed lateness in this run */
  get latenessMs(): number {
    return this.options.appDefaults ? DEFAULT_ALLOWED_LATENESS_MS : this.options.latenessMs;
  }

  get simUrl(): string {
    return `http://127.0.0.1:${this.apps.env('market-sim').MARKET_SIM_PORT}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apps.env('api').PORT}`;
  }

  get databaseUrl(): string {
    return this.database!.url;
  }

  /** the PostgreSQL database's name, also the sink's ClickHouse database */
  get databaseName(): string {
    return this.database!.name;
  }

  get chain(): { anvil: TestAnvil; contract: Address } {
    return { anvil: this.anvil!, contract: this.contract! };
  }

  /** Starts everything but the ingesters, each ready, and the WebSocket clients. */
  async start(): Promise<void> {
    if (this.kubernetes) await this.startScramBroker();
    this.database = await createTestDatabase('sys');
    this.anvil = await startAnvil();
    const solcCache = join(process.env.STACK_CACHE ?? join(homedir(), '.cache', 'stableyield'), 'solc');
    this.contract = await deployTestMockPyth(this.anvil, solcCache);
    if (this.kubernetes) this.syiFeed = await deployTestSyiFeed(this.anvil, KEEPER_ACCOUNT.address, solcCache);
    this.rpcProxy = new RpcProxy(this.anvil.port);
    await this.rpcProxy.start();
    const registry = createRegistryClient(this.stack.registryUrl);
    await registerSchemas(registry);
    // the keeper reads a prefixed pyth.updates: its subject needs the schema
    await registerSchemas(registry, { [prefixedTopic(this.prefix, 'pyth.updates')]: VALUE_SCHEMAS['pyth.updates']! });
    await this.provisionCluster();
    for (const app of SYSTEM_APPS) {
      if (app === 'ingest-hermes' || app === 'ingest-market') continue;
      this.apps.launch(app, this.envOf(app));
      // the simulator first, so that no ingester ever meets a missing upstream
      if (app === 'market-sim') await this.apps.ready(app);
    }
    for (const app of this.apps.names()) await this.apps.ready(app);
    await this.follow();
    this.apps.supervise();
    for (let i = 0; i < this.options.wsClients; i++)
      this.streams.push(subscribe(`ws://127.0.0.1:${this.apps.env('ws-gateway').PORT}/stream/syi/live`));
  }

  /**
   * Every topic the apps use, created up front (in the Kubernetes mode as Strimzi would, with
   * the ACLs), and the cluster's group coordinator warmed up. Right after a topic is created, the
   * other brokers may not know it for a moment ("This server does not host this
   * topic-partition"), and on a new cluster the offsets topic is created by the first group;
   * several apps starting at once met both and exited.
   */
  private async provisionCluster(): Promise<void> {
    const { kafka, logger } = this.stack;
    const topics = [...prefixedSpecs(this.prefix, CATALOG), ...processorStateTopics(this.prefix)];
    if (this.kubernetes) await this.provisionAsKubernetes();
    else await provisionTopics(kafka, logger, { replicationFactor: this.replicationFactor, topics });
    await waitFor(
      'every broker to know every topic',
      async () => {
        for (const t of topics) await partitionOffsets(kafka, t.name);
        return true;
      },
      60_000,
      500,
    );
    const warmUp = kafka.consumer({ groupId: `${this.prefix}warm-up` });
    await warmUp.connect();
    await warmUp.subscribe({ topic: prefixedTopic(this.prefix, 'trad.tbill'), fromBeginning: true });
    await warmUp.run({ eachMessage: () => Promise.resolve() });
    await waitFor('the group coordinator', async () => (await warmUp.describeGroup()).state === 'Stable', 60_000, 500);
    await warmUp.disconnect();
  }

  /** The run's own SCRAM broker, and the harness's client on it as its super user. */
  private async startScramBroker(): Promise<void> {
    this.scram = await startScramBroker(
      APP_ACCESS.map((a) => a.principal),
      { jvm: 'system' },
    );
    this.brokers = this.scram.bootstrap;
    const stack = testStack({ ...process.env, KAFKA_BROKERS: this.brokers });
    const admin = {
      mechanism: 'scram-sha-512' as const,
      username: 'admin',
      password: this.scram.passwords.get('admin')!,
    };
    const settings = { brokers: [this.brokers], clientId: 'system-admin', sasl: admin, privateBroker: true };
    this.stack = { ...stack, kafka: createKafka(settings, stack.logger) };
  }

  /**
   * What Strimzi makes of k8s/base: a topic per KafkaTopic manifest (its configuration, replication
   * factor 1 here) and the ACLs of every app's KafkaUser.
   */
  private async provisionAsKubernetes(): Promise<void> {
    const admin = this.stack.kafka.admin();
    try {
      await waitFor(
        'the SCRAM broker',
        async () => {
          await admin.connect();
          return (await admin.describeCluster()).brokers.length > 0;
        },
        120_000,
        1_000,
      );
      const topics = topicManifests().map((m) => {
        const spec = m.spec as { topicName: string; partitions: number; config: Record<string, string | number> };
        const config = { ...spec.config, 'min.insync.replicas': 1 };
        return {
          topic: spec.topicName,
          numPartitions: spec.partitions,
          replicationFactor: 1,
          configEntries: Object.entries(config).map(([name, value]) => ({ name, value: String(value) })),
        };
      });
      await createTopicsWithLeaders(admin, { topics });
      await admin.createAcls({
        acl: APP_ACCESS.flatMap((a) => aclRules(a).map((rule) => kafkaAcl(rule, a.principal))),
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** An app's Kafka login on the run's own broker, as its Kubernetes Deployment has it. */
  private kubernetesKafkaEnv(app: SystemApp): Record<string, string> {
    if (!this.kubernetes || app === 'market-sim') return {};
    return {
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: app,
      KAFKA_SASL_PASSWORD: this.scram!.passwords.get(app)!,
      PROVISION_TOPICS: 'false',
      // the broker is the run's own: the apps write the production topic names
      STABLEYIELD_TEST: '0',
    };
  }

  /** Follows pyth.prices in the background (the fault run's Hermes recovery check). */
  private async follow(): Promise<void> {
    const { kafka, serde, logger } = this.stack;
    this.hermesFollower = new TopicFollower({
      kafka,
      serde,
      logger,
      topic: prefixedTopic(this.prefix, 'pyth.prices') as 'pyth.prices',
      groupId: `${this.prefix}follow-pyth`,
      lookback: 1,
      maxWaitMs: 200,
      onRecords: (records) => {
        for (const r of records) this.latestPythMs = Math.max(this.latestPythMs, r.value.ts);
      },
    });
    await this.hermesFollower.start();
  }

  /**
   * Whether the index is current, from processor-syi's own metrics: its watermark within
   * `withinMs` of the wall clock and a record published within that time. (A consumer of
   * syi.calculated would be a worse witness: its group is itself disturbed by broker faults.)
   */
  async indexCurrent(withinMs: number): Promise<boolean> {
    const text = await this.metrics('processor-syi');
    if (text === '') return false;
    const gauge = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    const lag = gauge(/^processor_watermark_lag_seconds\{[^}]*processor="syi"[^}]*\} (\S+)$/m);
    const published = gauge(/^syi_last_published_timestamp_seconds(?:\{[^}]*\})? (\S+)$/m);
    return lag * 1000 <= withinMs && published * 1000 >= Date.now() - withinMs;
  }

  /** When the newest Hermes price was received (ms, 0 before any). */
  get lastHermesPrice(): number {
    return this.latestPythMs;
  }

  startIngesters(): void {
    for (const app of ['ingest-hermes', 'ingest-market'] as const) this.apps.launch(app, this.envOf(app));
  }

  async stopIngesters(): Promise<void> {
    for (const app of ['ingest-hermes', 'ingest-market'] as const) await this.apps.stopForGood(app, 'SIGTERM');
  }

  /** Loads a market-sim scenario (its clock starts now). */
  async scenario(scenario: { name: string; events: unknown[] }): Promise<void> {
    const res = await fetch(`${this.simUrl}/_control/scenario`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(scenario),
    });
    if (res.status !== 200) throw new Error(`scenario refused: ${res.status} ${await res.text()}`);
  }

  /** SIGKILLs an app and starts it again with the same settings; resolves once it is ready. */
  killAndRestart(app: SystemApp): Promise<void> {
    return this.restart(app, 'SIGKILL', this.apps.env(app));
  }

  /**
   * Stops an app with `signal` and starts it with `env` (e.g. its settings plus a skewed clock:
   * `{ ...system.envOfRunning(app), ...faketimeEnv('+60s') }`); resolves once it is ready.
   */
  restart(app: SystemApp, signal: NodeJS.Signals, env: Record<string, string>): Promise<void> {
    return this.apps.restart(app, signal, env);
  }

  /** The settings a running app was started with. */
  envOfRunning(app: SystemApp): Record<string, string> {
    return { ...this.apps.env(app) };
  }

  /** How many transactions the keeper's account has sent (its nonce on the chain). */
  async keeperNonce(): Promise<number> {
    return this.anvil!.client.getTransactionCount({ address: KEEPER_ACCOUNT.address, blockTag: 'latest' });
  }

  /**
   * A reorg-like nonce gap under the keeper: the chain forgets its last transaction's nonce (as if
   * a reorg had undone it; evm_revert would also wind the chain's clock back, which no reorg does).
   */
  async openKeeperNonceGap(): Promise<void> {
    const nonce = await this.keeperNonce();
    await this.anvil!.rpc('anvil_setNonce', [KEEPER_ACCOUNT.address, `0x${Math.max(0, nonce - 1).toString(16)}`]);
  }

  isReady(app: SystemApp): Promise<boolean> {
    return this.apps.isReady(app);
  }

  /** The chain's clock minus the keeper's host clock as the keeper measured it (/status), if it has. */
  async keeperClockOffsetS(): Promise<number | undefined> {
    const res = await fetch(`${this.apps.health('keeper')}/status`).catch(() => null);
    if (!res?.ok) return undefined;
    return ((await res.json()) as { keeper?: { chainClockOffsetS?: number } }).keeper?.chainClockOffsetS;
  }

  /** The keeper's own /health: pushing, RPC reachable, oracle fresh. */
  keeperHealthy(): Promise<boolean> {
    return httpOk(`${this.apps.health('keeper')}/health`);
  }

  /** Apps that exited on their own (not stopped by the harness), restarted or not. */
  crashed(): string[] {
    return this.apps.crashed();
  }

  /** The process id of every running app. */
  pids(): Map<SystemApp, number> {
    return this.apps.pids();
  }

  /** An app's Prometheus metrics text ('' when it does not answer). */
  metrics(app: SystemApp): Promise<string> {
    return this.apps.metrics(app);
  }

  /** Hermes slots per second of the simulator (each slot updates every feed). */
  async tickRate(tickRate: number): Promise<void> {
    const res = await fetch(`${this.simUrl}/_control/tick-rate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tickRate }),
    });
    if (res.status !== 200) throw new Error(`tick rate refused: ${res.status} ${await res.text()}`);
  }

  output(app: SystemApp): string {
    return this.apps.output(app);
  }

  async stop(): Promise<void> {
    this.apps.stopSupervising();
    for (const s of this.streams) s.close();
    await this.hermesFollower?.stop().catch(() => undefined);
    await this.apps.killAll();
    await this.rpcProxy?.stop();
    await this.anvil?.stop();
    if (this.database) await dropClickHouseDatabase(this.clickhouseUrl, this.database.name).catch(() => undefined);
    await this.database?.drop().catch(() => undefined);
    if (this.scram) await this.scram.stop();
    else if (process.env.SYSTEM_KEEP_TOPICS !== '1') await this.deleteTopics().catch(() => undefined);
  }

  /**
   * Deletes this run's topics: a cluster that keeps every run's topics restarts a broker ever more
   * slowly (it replays the whole metadata log; at ~1 900 partitions node 2 took over 90 s).
   */
  private async deleteTopics(): Promise<void> {
    const admin = this.stack.kafka.admin();
    await admin.connect();
    try {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(this.prefix));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 30_000 });
    } finally {
      await admin.disconnect();
    }
  }

  /** On-chain publish time (s) of every feed the keeper pushes (undefined: never pushed). */
  async onchainPublishTimes(feedIds: readonly string[]): Promise<Map<string, number | undefined>> {
    const out = new Map<string, number | undefined>();
    for (const id of feedIds) {
      const p = await this.anvil!.client.readContract({
        address: this.contract!,
        abi: pythAbi,
        functionName: 'getPriceUnsafe',
        args: [`0x${id}`],
      }).catch(() => null);
      out.set(id, p === null ? undefined : Number(p.publishTime));
    }
    return out;
  }

  /**
   * After the ingesters stopped: waits for every consumer to catch up, then checks the index
   * against the replay, every store and API against the index, the oracle against Hermes, and
   * the dead-letter topics.
   */
  async verify(): Promise<Verification> {
    const problems: string[] = [];
    const { stack, prefix } = this;
    problems.push(...this.crashed());

    const inputs = await dumpInputs(stack, prefix);
    const counts = Object.fromEntries(INPUT_TOPIC_NAMES.map((t) => [t, inputs.filter((r) => r.topic === t).length]));
    for (const topic of INPUT_TOPIC_NAMES) if (!(counts[topic]! > 0)) problems.push(`no ${topic} records`);
    const maxTs = Math.max(...inputs.map((r) => (r.value as { ts: number }).ts));
    // processor-syi goes on by the clock up to DEFAULT_CLOCK_ADVANCE_MAX_MS past the newest input, less the lateness
    const lastGrid = Math.floor((maxTs + DEFAULT_CLOCK_ADVANCE_MAX_MS - this.latenessMs) / GRID_MS) * GRID_MS;
    const messages = await readTopic(stack.kafka, prefixedTopic(prefix, 'syi.calculated'), {
      done: (m) => m.length > 0 && Number(m[m.length - 1]!.timestamp) >= lastGrid,
      timeoutMs: 120_000,
    });
    const live = await Promise.all(messages.map((m) => stack.serde.deserialize('syi.calculated', m.value as Buffer)));
    if (!((live.at(-1)?.ts ?? 0) >= lastGrid))
      problems.push(`syi.calculated ends at ${live.at(-1)?.ts}, the inputs allow ${lastGrid}`);
    problems.push(...verifyChain(live, null).map((e) => `digest chain: ${JSON.stringify(e)}`));
    const letters = judgeDeadLetters(await this.deadLetters(), counts);
    process.stdout.write(`dead letters: ${letters.summary}\n`);
    problems.push(...letters.problems);
    // records the clock carried past the newest input: the auditor and `syi verify` below recompute them
    const { comparable, problems: pastTheClock } = splitAtInputsEnd(live, inputs);
    problems.push(...pastTheClock);
    const expected = replayWithCommand(withoutLetters(inputs, letters.lateForIndex), GRID_MS).filter(
      (r) => r.ts <= (comparable.at(-1)?.ts ?? 0),
    );
    const liveTs = comparable.map((r) => r.ts);
    const expectedTs = new Set(expected.map((r) => r.ts));
    const missing = expected.filter((r) => !liveTs.includes(r.ts)).length;
    const extra = liveTs.filter((t) => !expectedTs.has(t)).length;
    const duplicates = liveTs.length - new Set(liveTs).size;
    if (missing + extra + duplicates > 0)
      problems.push(`grid points: ${missing} missing, ${extra} not in the replay, ${duplicates} duplicated`);
    else
      problems.push(
        ...comparable
          .map((r, i) => matchesReplay(r, expected[i] as never))
          .filter((m): m is string => m !== null)
          .slice(0, 20),
      );
    if (!live.some((r) => r.eligible > 0)) problems.push('no record with an eligible constituent');

    problems.push(...(await this.checkStores(live)));
    problems.push(...(await this.checkVerification(live.at(-1)?.ts ?? 0)));
    const latest = (await (await fetch(`${this.apiUrl}/api/index/latest`)).json()) as SyiRecord;
    if (latest.ts !== live.at(-1)?.ts || latest.value !== live.at(-1)?.value)
      problems.push(`/api/index/latest is ${latest.ts}=${latest.value}, the topic ends ${live.at(-1)?.ts}`);
    problems.push(...(await checkStreams(this.streams, live)));
    problems.push(...(await this.checkOracle()));

    return { inputs, counts, published: live.length, problems };
  }

  /** Every dead letter of the run, its payload decoded with the source topic's schema where it can be. */
  async deadLetters(): Promise<ReadDeadLetter[]> {
    const { stack, prefix } = this;
    const out: ReadDeadLetter[] = [];
    for (const spec of CATALOG.filter((t) => t.name.endsWith('.dlq'))) {
      const n = await recordCount(stack.kafka, prefix, spec.name);
      if (n === 0) continue;
      const messages = await readTopic(stack.kafka, prefixedTopic(prefix, spec.name), {
        done: (m) => m.length >= n,
        timeoutMs: 30_000,
      });
      for (const m of messages) {
        const h = readDeadLetterHeaders(m.headers);
        const source = spec.name.replace(/\.dlq$/, '');
        const value = await stack.serde
          .deserialize(source as DataTopic, m.value as Buffer)
          .catch(() => m.value?.toString('base64'));
        out.push({
          topic: spec.name,
          kind: h[DLQ_HEADERS.kind] ?? '',
          processor: h[DLQ_HEADERS.processor] ?? '',
          reason: h[DLQ_HEADERS.reason] ?? '',
          value,
        });
      }
    }
    return out;
  }

  /**
   * PostgreSQL and ClickHouse `syi_index` hold exactly the (ts, value) of these records (waiting for the sinks to catch
   * up).
   */
  async checkStores(records: readonly SyiRecord[]): Promise<string[]> {
    const index = records.map((r): [number, number] => [r.ts, r.value]);
    return [
      ...(await checkPostgresIndex(this.database!.url, index)),
      ...(await checkClickHouseIndex(this.clickhouseUrl, this.database!.name, index)),
    ];
  }

  /**
   * The index recomputes from its inputs over the whole run: the auditor has judged every record
   * up to `lastTs` with no mismatch, and `syi verify --recompute` over the run reports nothing.
   */
  async checkVerification(lastTs: number): Promise<string[]> {
    const problems: string[] = [];
    const status = async () => (await (await fetch(`${this.apps.health('auditor')}/status`)).json()) as AuditStatus;
    await waitFor(
      'the auditor to judge every record',
      async () => ((await status()).checkedThrough ?? 0) >= lastTs,
      180_000,
      1_000,
    ).catch(() => undefined);
    const audit = await status();
    if ((audit.checkedThrough ?? 0) < lastTs)
      problems.push(`auditor: checked through ${audit.checkedThrough}, the index ends at ${lastTs}`);
    if (audit.mismatched > 0)
      problems.push(`auditor: ${audit.mismatched} mismatch(es), the last ${JSON.stringify(audit.lastMismatch)}`);
    if (audit.matched === 0) problems.push('auditor: no record matched');
    const verify = spawnSync(
      'npm',
      ['run', '--silent', 'syi', '--', 'verify', '--from', '0', '--to', String(lastTs), '--recompute', '60'],
      {
        cwd: repoRoot(),
        encoding: 'utf8',
        env: {
          ...process.env,
          KAFKA_BROKERS: this.brokers,
          SCHEMA_REGISTRY_URL: this.stack.registryUrl,
          TOPIC_PREFIX: this.prefix,
          GRID_INTERVAL_MS: String(GRID_MS),
          // as an operator runs it on the cluster: the syi-verify principal and its ACLs
          ...(this.scram
            ? {
                KAFKA_SASL_MECHANISM: 'scram-sha-512',
                KAFKA_SASL_USERNAME: 'syi-verify',
                KAFKA_SASL_PASSWORD: this.scram.passwords.get('syi-verify')!,
              }
            : {}),
        },
      },
    );
    if (verify.status !== 0)
      problems.push(
        `syi verify exited ${verify.status}: ` +
          (verify.stdout + verify.stderr).trim().split('\n').slice(0, 30).join(' | '),
      );
    return problems;
  }

  /** How many (feed, publish time) pairs the keeper pushed more than once, and how many pushes there were. */
  async keeperPushes(): Promise<{ pushes: number; twice: number }> {
    const updates = await this.anvil!.client.getContractEvents({
      address: this.contract!,
      abi: pythAbi,
      eventName: 'PriceFeedUpdate',
      fromBlock: 0n,
    });
    const pushed = updates.map((l) => `${String(l.args.id)}@${String(l.args.publishTime)}`);
    return { pushes: pushed.length, twice: pushed.length - new Set(pushed).size };
  }

  /**
   * Each feed on chain within the keeper's deviation of the last Hermes price; no (feed, publish time) pushed
   * twice.
   */
  private async checkOracle(): Promise<string[]> {
    const hermes = new Map<string, PythPrice>();
    for (const m of await readTopic(this.stack.kafka, prefixedTopic(this.prefix, 'pyth.prices'), {
      done: () => false,
      timeoutMs: 5_000,
    })) {
      const p = await this.stack.serde.deserialize('pyth.prices', m.value as Buffer);
      if ((hermes.get(p.feedId)?.publishTime ?? -1) <= p.publishTime) hermes.set(p.feedId, p);
    }
    if (hermes.size === 0) return ['no Hermes prices recorded'];
    let off: string[] = [];
    await waitFor(
      'every feed on chain within the deviation threshold',
      async () => {
        off = [];
        for (const [feedId, p] of hermes) {
          const onchain = await this.anvil!.client.readContract({
            address: this.contract!,
            abi: pythAbi,
            functionName: 'getPriceUnsafe',
            args: [`0x${feedId}`],
          }).catch(() => null);
          const price = onchain === null ? NaN : Number(onchain.price) * 10 ** onchain.expo;
          if (!((Math.abs(price - p.price) / p.price) * 100 <= this.options.keeperDeviationPct))
            off.push(`oracle ${p.symbol}: on chain ${price}, Hermes ${p.price}`);
        }
        return off.length === 0;
      },
      60_000,
      1_000,
    ).catch(() => undefined);
    const { pushes, twice } = await this.keeperPushes();
    return [
      ...off,
      ...(pushes === 0 ? ['the keeper pushed nothing'] : []),
      ...(twice > 0 ? [`${twice} (feed, publish time) pushed twice`] : []),
      ...(await this.checkSyiFeed()),
    ];
  }

  /** The keeper published the index to the SyiFeed (it read syi.calculated with its own principal). */
  private async checkSyiFeed(): Promise<string[]> {
    if (this.syiFeed === undefined) return [];
    const latestRound = () =>
      this.anvil!.client.readContract({ address: this.syiFeed!, abi: syiFeedAbi, functionName: 'latestRound' });
    return waitFor('a SyiFeed round', async () => (await latestRound()) > 0n, 60_000, 1_000).then(
      () => [],
      () => ['SyiFeed: the keeper published no round'],
    );
  }

  private port(): string {
    return String(this.nextPort++);
  }

  private envOf(app: SystemApp): Record<string, string> {
    const env = this.testEnvOf(app);
    if (this.options.appDefaults) {
      for (const name of Object.keys(env)) if (!RUN_SPECIFIC.test(name)) delete env[name];
      // as scripts/run-local.sh starts them
      if (app.startsWith('processor-')) env.NODE_OPTIONS = '--max-semi-space-size=32';
    }
    return { ...env, ...this.kubernetesKafkaEnv(app) };
  }

  private testEnvOf(app: SystemApp): Record<string, string> {
    const kafka = {
      KAFKA_BROKERS: this.brokers,
      SCHEMA_REGISTRY_URL: this.stack.registryUrl,
      TOPIC_PREFIX: this.prefix,
      KAFKA_REPLICATION_FACTOR: String(this.replicationFactor),
    };
    const processor = {
      ...kafka,
      GRID_INTERVAL_MS: String(GRID_MS),
      ALLOWED_LATENESS_MS: String(this.options.latenessMs),
      LEASE_SESSION_TIMEOUT_MS: '6000',
      HEALTH_PORT: this.port(),
    };
    const sim = () => this.simUrl;
    switch (app) {
      case 'market-sim':
        return { MARKET_SIM_PORT: this.port(), MARKET_SIM_HEALTH_PORT: this.port(), MARKET_SIM_SEED: '5' };
      case 'processor-syi':
        return processor;
      case 'processor-peg':
      case 'processor-liquidity':
      case 'processor-ray':
        return { ...processor, GRID_INTERVAL_MS: String(MEASURE_GRID_INTERVAL_MS) };
      case 'auditor':
        return { ...kafka, HEALTH_PORT: this.port() };
      case 'sink-timescale':
        return {
          ...kafka,
          HEALTH_PORT: this.port(),
          DATABASE_URL: this.database!.url,
          SINK_GROUP_ID: `${this.prefix}sink-timescale`,
        };
      case 'sink-clickhouse':
        return {
          ...kafka,
          HEALTH_PORT: this.port(),
          CLICKHOUSE_URL: this.clickhouseUrl,
          CLICKHOUSE_DATABASE: this.database!.name,
          SINK_GROUP_ID: `${this.prefix}sink-clickhouse`,
        };
      case 'api':
        return {
          ...kafka,
          PORT: this.port(),
          HEALTH_PORT: this.port(),
          DATABASE_URL: this.database!.url,
          RATE_LIMIT_PER_IP: '0',
          RATE_LIMIT_PER_KEY: '0',
        };
      case 'ws-gateway':
        return { ...kafka, PORT: this.port(), HEALTH_PORT: this.port(), WORKERS: String(this.options.wsWorkers) };
      case 'keeper':
        return {
          ...kafka,
          METRICS_PORT: this.port(),
          PRIVATE_KEY: toHex(KEEPER_ACCOUNT.getHdKey().privateKey!),
          RPC_URL: `ws://127.0.0.1:${this.rpcProxy.port},${this.anvil!.httpUrl}`,
          CONTRACT_ADDRESS: this.contract!,
          KEEPER_INPUT_TOPIC: prefixedTopic(this.prefix, 'pyth.updates'),
          KEEPER_GROUP_ID: `${this.prefix}keeper`,
          MIN_PRICE_CHANGE_PERCENT: String(this.options.keeperDeviationPct),
          MAX_STALENESS: String(this.options.keeperMaxStalenessS),
          KEEPER_STATE_FILE: join(mkdtempSync(join(tmpdir(), 'sys-keeper-')), 'in-flight.json'),
          ...(this.syiFeed ? { SYI_FEED_ADDRESS: this.syiFeed } : {}),
        };
      case 'ingest-hermes':
        return {
          ...kafka,
          HEALTH_PORT: this.port(),
          HERMES_URL: `${sim()}/hermes`,
          HERMES_DEDUPE_KEY: this.options.hermesDedupe,
        };
      case 'ingest-market':
        return {
          ...kafka,
          HEALTH_PORT: this.port(),
          ...simulatedMarketUpstreams(sim()),
          CRYPTOCOMPARE_INTERVAL_MS: String(this.options.ccIntervalMs),
          DEFILLAMA_YIELDS_INTERVAL_MS: '60000',
          DEFILLAMA_STABLECOINS_INTERVAL_MS: '60000',
        };
    }
  }
}
