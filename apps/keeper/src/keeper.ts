// The keeper's wiring (docs/keeper.md): RPC transport and clients, nonce manager with its persisted
// in-flight record, submitter, PriceKeeper (libs/chain), fed from the one-partition input topic by a
// consumer group in which only the member assigned partition 0 is active; /health, /status and the
// metrics read the keeper's state. With SYI_FEED_ADDRESS the same replica, account and submitter
// also publish the SYI (syi-duty.ts).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  chainFromId,
  closeWebSockets,
  createChainClients,
  createRpcTransport,
  feePolicy,
  feedsOnChain,
  FileTxStateStore,
  NonceManager,
  PriceKeeper,
  startWebSocketRevival,
  TxSubmitter,
  withRetry,
  type FeedDecision,
  type HealthThresholds,
  type KeeperStatus,
  type PriceKeeperEvents,
  type SyiFeedStatus,
} from '@stableyield/chain';
import {
  ActiveStandby,
  ConsumerRunner,
  KafkaMetrics,
  TopicProducer,
  type ConsumedRecord,
  type ConsumerRunnerOptions,
  type Kafka,
  type TopicSerde,
} from '@stableyield/kafka';
import { type ExtraRoute, type Logger, type ProgressMonitor } from '@stableyield/observability';
import { type DataTopic, type PythUpdate } from '@stableyield/schemas';
import { type Registry } from 'prom-client';
import { createPublicClient, parseEther, privateKeyToAccount } from '@stableyield/chain';
import { maxGasPriceGwei, stalenessMinGainS, type Config } from './config';
import { checkFeeds } from './feed-check';
import { loadFeeds } from './feeds';
import { appHealth, type KeeperHealth } from './health';
import { createKeeperMetrics } from './metrics';
import { createSyiDuty, type SyiDuty } from './syi-duty';
import { TokenBucket } from './rate-limit';

export interface KeeperAppDeps {
  kafka: Kafka;
  serde: TopicSerde;
  registry: Registry;
  progress: ProgressMonitor;
  now?: () => number;
}

export interface KeeperStatusBody {
  role: 'active' | 'standby';
  health: KeeperHealth;
  keeper: KeeperStatus;
  /** The SYI feed duty (absent without SYI_FEED_ADDRESS). */
  syi?: SyiFeedStatus;
}

export interface KeeperApp {
  start(): Promise<void>;
  /** Stops consuming, waits for the transaction in flight (receipt, replacement or `pending`), closes. */
  stop(): Promise<void>;
  /** SIGUSR1: push every feed with a newer Hermes price now (the active keeper only). */
  forcePushAll(): boolean;
  isActive(): boolean;
  statusBody(): KeeperStatusBody;
  routes: Record<string, ExtraRoute>;
}

/** The consumer of the input topic that also tells whether this member owns partition 0 (is active). */
class InputConsumer extends ConsumerRunner {
  readonly standby: ActiveStandby;

  constructor(options: ConsumerRunnerOptions, topic: string, onChange: (active: boolean) => void) {
    super(options);
    // Pushes on-chain are not fenced: stand down the moment the membership is in doubt.
    this.standby = new ActiveStandby(this.consumer, { topic, standDownOn: 'rebalance', onChange });
  }
}

export function createKeeperApp(config: Config, logger: Logger, deps: KeeperAppDeps): KeeperApp {
  const now = deps.now ?? Date.now;
  const log = logger.child({ module: 'keeper' });
  const feeds = loadFeeds(config);
  const topic = config.KEEPER_INPUT_TOPIC;
  const account = privateKeyToAccount(config.PRIVATE_KEY);
  const transport = createRpcTransport(config.RPC_URL, {
    timeoutMs: config.RPC_TIMEOUT_MS,
    wsReconnectAttempts: config.WS_RECONNECT_ATTEMPTS,
    wsReconnectDelayMs: config.WS_RECONNECT_DELAY_MS,
  });
  const thresholds: HealthThresholds = {
    maxOnchainAgeS: config.MAX_STALENESS + config.HEALTH_STALENESS_GRACE_S,
    maxInputSilenceMs: config.HEALTH_MAX_INPUT_SILENCE_MS,
    maxRefreshSilenceMs: config.HEALTH_MAX_RPC_SILENCE_MS,
    minBalanceWei: parseEther(String(config.WALLET_BALANCE_FLOOR_ETH)),
    maxInFlightMs: config.HEALTH_MAX_IN_FLIGHT_MS,
    maxConsecutiveFailures: config.HEALTH_MAX_CONSECUTIVE_FAILURES,
  };

  let keeper: PriceKeeper | undefined;
  let syi: SyiDuty | undefined;
  let input: InputConsumer | undefined;
  let producer: TopicProducer | undefined;
  let stopRevival: () => void = () => undefined;
  let active = false;

  const emptyStatus = (): KeeperStatus => ({
    account: account.address,
    active: false,
    chainTimeS: Math.floor(now() / 1000),
    feeds: [],
    pushesTotal: 0,
    consecutiveFailures: 0,
    onchainRefreshFailures: 0,
    multicall: false,
  });
  const status = (): KeeperStatus => keeper?.status() ?? emptyStatus();
  const health = (): KeeperHealth => appHealth(status(), active, thresholds, now());
  const inputFlowing = (): boolean => {
    const last = status().lastSourceAtMs;
    return active && last !== undefined && now() - last <= config.HEALTH_MAX_INPUT_SILENCE_MS;
  };
  const statusBody = (): KeeperStatusBody => ({
    role: active ? 'active' : 'standby',
    health: health(),
    keeper: status(),
    ...(syi ? { syi: syi.status() } : {}),
  });

  const aliases = (ds: FeedDecision[]): string[] => ds.map((d) => d.alias);
  const metricEvents = createKeeperMetrics(
    deps.registry,
    { status, health, active: () => active, inputFlowing },
    {
      network: config.NETWORK_NAME,
      balanceFloorEth: config.WALLET_BALANCE_FLOOR_ETH,
    },
  );
  const events: PriceKeeperEvents = {
    onDecision: (ds) => metricEvents.onDecision?.(ds),
    onPush(result, pushed) {
      metricEvents.onPush?.(result, pushed);
      const tx = 'hash' in result ? { hash: result.hash, nonce: result.nonce } : {};
      const latency = 'latencyMs' in result ? { latencyMs: result.latencyMs, replacements: result.replacements } : {};
      log.info({ status: result.status, feeds: aliases(pushed), ...tx, ...latency }, 'push_completed');
    },
    onPushError(kind, err, pushed) {
      metricEvents.onPushError?.(kind, err, pushed);
      log.error({ kind, err, feeds: aliases(pushed) }, 'push_failed');
    },
    onRefreshError(err) {
      metricEvents.onRefreshError?.(err);
      log.warn({ err }, 'onchain_refresh_failed');
    },
    onSourceDropped(alias, ageS) {
      metricEvents.onSourceDropped?.(alias, ageS);
      log.warn({ feed: alias, ageS, maxSourceAgeS: config.MAX_SOURCE_AGE_S }, 'source_price_too_old');
    },
  };

  const ingest = (records: ConsumedRecord[]): Promise<void> => {
    for (const r of records) {
      log.debug({ offset: r.offset, ageMs: now() - r.timestamp }, 'input_record');
      try {
        keeper?.ingest(r.value as PythUpdate);
      } catch (err) {
        // A malformed record must not block the partition: skip it, say so.
        log.warn({ offset: r.offset, err }, 'input_record_skipped');
      }
    }
    return Promise.resolve();
  };

  const limiter = new TokenBucket(config.HEALTH_RATE_LIMIT_PER_S, config.HEALTH_RATE_LIMIT_BURST, now);
  const json = (res: ServerResponse, code: number, body: unknown): void => {
    res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const limited = (handler: (res: ServerResponse) => void) => (_req: IncomingMessage, res: ServerResponse) => {
    if (!limiter.take()) {
      res.setHeader('retry-after', '1');
      return json(res, 429, { error: 'rate limited' });
    }
    handler(res);
  };
  const routes: Record<string, ExtraRoute> = {
    '/health': limited((res) => {
      const h = health();
      json(res, h.healthy ? 200 : 503, h);
    }),
    '/status': limited((res) => json(res, 200, statusBody())),
  };

  /** Logs which configured feed ids Hermes (HERMES_URL) or the contract do not know. */
  const reportFeedCheck = async (publicClient: Parameters<typeof feedsOnChain>[0]): Promise<void> => {
    try {
      const check = await checkFeeds(feeds, {
        ...(config.HERMES_URL ? { hermesUrl: config.HERMES_URL } : {}),
        onChain: (ids) => feedsOnChain(publicClient, config.CONTRACT_ADDRESS, ids),
      });
      for (const f of check.unknownOnHermes ?? []) log.error({ feed: f.alias, id: f.id }, 'feed_unknown_on_hermes');
      if (check.hermesError) log.warn({ err: check.hermesError }, 'feed_check_hermes_failed');
      for (const f of check.notOnChain) log.warn({ feed: f.alias, id: f.id }, 'feed_not_on_chain_yet');
    } catch (err) {
      log.warn({ err }, 'feed_check_failed');
    }
  };

  return {
    routes,
    statusBody,
    isActive: () => active,
    forcePushAll() {
      if (!active || !keeper) return false;
      log.info({}, 'force_push_requested');
      keeper.forcePushAll();
      return true;
    },

    async start() {
      const probe = createPublicClient({ transport });
      const chainId = await withRetry(() => probe.getChainId(), { attempts: Math.max(config.RETRY_ATTEMPTS, 5) });
      const { publicClient, walletClient } = createChainClients({
        transport,
        chain: chainFromId(chainId),
        account,
        pollingIntervalMs: 1_000,
      });
      const stateFile =
        config.KEEPER_STATE_FILE ??
        join(tmpdir(), 'stableyield-keeper', `${chainId}-${account.address.toLowerCase()}.json`);
      const stateStore = new FileTxStateStore(stateFile, ({ keptAt, reason }) =>
        log.error({ stateFile, keptAt, reason }, 'state_file_corrupt_ignored'),
      );
      const submitter = new TxSubmitter(
        {
          publicClient,
          walletClient,
          contract: config.CONTRACT_ADDRESS,
          nonces: new NonceManager(publicClient, account.address, stateStore),
          policy: feePolicy({
            maxGasPriceGwei: maxGasPriceGwei(config, chainId),
            marketFeeCapMultiple: config.FEE_CAP_MARKET_MULTIPLE,
            gasMode: config.GAS_MODE,
            baseFeeMultiplier: config.BASE_FEE_MULTIPLIER,
            priorityFeeMultiplier: config.PRIORITY_FEE_MULTIPLIER,
            replacementMultiplier: config.REPLACEMENT_MULTIPLIER,
          }),
          logger: logger.child({ module: 'submitter' }),
          now,
        },
        {
          stuckAfterMs: config.STUCK_AFTER_MS,
          receiptPollMs: config.RECEIPT_POLL_MS,
          maxReplacements: config.MAX_REPLACEMENTS,
          retryAttempts: config.RETRY_ATTEMPTS,
          gasMultiplier: config.GAS_LIMIT_MULTIPLIER,
          updateFeeMultiplier: config.UPDATE_FEE_MULTIPLIER,
          confirmations: config.CONFIRMATIONS,
          ...(config.GAS_LIMIT !== undefined ? { gasLimit: BigInt(config.GAS_LIMIT) } : {}),
        },
      );
      keeper = new PriceKeeper(
        {
          feeds,
          decision: {
            maxStalenessS: config.MAX_STALENESS,
            stalenessMinGainS: stalenessMinGainS(config),
            includeEarly: config.EARLY_UPDATES,
            earlyFraction: config.EARLY_FRACTION,
          },
          debounceMs: config.DEBOUNCE_MS,
          onchainRefreshMs: config.ONCHAIN_REFRESH_MS,
          maxSourceAgeS: config.MAX_SOURCE_AGE_S,
          refreshAttempts: config.ONCHAIN_REFRESH_ATTEMPTS,
          multicall: config.MULTICALL,
          // Nothing is pushed until the consumer group assigns us the input partition.
          startActive: false,
        },
        { publicClient, contract: config.CONTRACT_ADDRESS, submitter, events },
      );
      await keeper.start();
      if (config.SYI_FEED_ADDRESS) {
        syi = createSyiDuty(config.SYI_FEED_ADDRESS, config, logger, { ...deps, publicClient, submitter });
        await syi.start();
      }
      await reportFeedCheck(publicClient);
      stopRevival = startWebSocketRevival(config.RPC_URL, config.WS_REVIVE_INTERVAL_MS);
      log.info(
        {
          account: account.address,
          chainId,
          contract: config.CONTRACT_ADDRESS,
          syiFeed: config.SYI_FEED_ADDRESS ?? null,
          feeds: feeds.length,
          stateFile,
          topic,
        },
        'keeper_started',
      );

      const metrics = KafkaMetrics.of(deps.registry);
      producer = new TopicProducer(deps.kafka, deps.serde, metrics, logger);
      await producer.connect();
      deps.progress.register('consumer', 60_000);
      input = new InputConsumer(
        {
          kafka: deps.kafka,
          serde: deps.serde,
          metrics,
          logger,
          producer,
          groupId: config.KEEPER_GROUP_ID,
          topics: [topic as DataTopic],
          // Only the newest price matters: a new group starts at the end, not at a week of history.
          fromBeginning: false,
          sessionTimeoutMs: config.KEEPER_SESSION_TIMEOUT_MS,
          onProgress: () => deps.progress.beat('consumer'),
          handle: ingest,
        },
        topic,
        (isActive) => {
          active = isActive;
          // A demoted replica must not push on its stale prices (its timer keeps refreshing for /health).
          keeper?.setActive(isActive);
          syi?.setActive(isActive);
          log.info({ topic, group: config.KEEPER_GROUP_ID }, isActive ? 'keeper_active' : 'keeper_standby');
        },
      );
      await input.start();
    },

    async stop() {
      await input?.stop();
      active = false;
      syi?.setActive(false);
      await syi?.stop();
      await keeper?.stop();
      stopRevival();
      closeWebSockets(config.RPC_URL);
      await producer?.disconnect();
    },
  };
}
