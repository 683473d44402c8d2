// The keeper's SYI duty (docs/keeper.md, "The SYI feed"): every replica follows syi.calculated
// (a consumer group of its own, so a standby holds the newest record when it is promoted) into a
// SyiPublisher that sends through the keeper's TxSubmitter; it is active exactly when the replica
// owns the Pyth input partition (one active keeper, one account, one nonce sequence).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { defaultSyiTriggers, SyiPublisher, type SyiFeedStatus, type TxSubmitter } from '@stableyield/chain';
import { KafkaMetrics, TopicFollower, type Kafka, type TopicSerde } from '@stableyield/kafka';
import { type Logger, type ProgressMonitor } from '@stableyield/observability';
import { type Registry } from 'prom-client';
import { type Address, type PublicClient } from 'viem';
import { type Config } from './config';
import { createSyiMetrics } from './syi-metrics';

export interface SyiDuty {
  start(): Promise<void>;
  stop(): Promise<void>;
  setActive(active: boolean): void;
  status(): SyiFeedStatus;
}

export interface SyiDutyDeps {
  kafka: Kafka;
  serde: TopicSerde;
  registry: Registry;
  progress: ProgressMonitor;
  publicClient: PublicClient;
  submitter: TxSubmitter;
}

export type SyiDutyConfig = Pick<
  Config,
  | 'SYI_DEVIATION_BPS'
  | 'SYI_HEARTBEAT_S'
  | 'SYI_MIN_INTERVAL_S'
  | 'SYI_INPUT_TOPIC'
  | 'ONCHAIN_REFRESH_MS'
  | 'ONCHAIN_REFRESH_ATTEMPTS'
  | 'DEBOUNCE_MS'
>;

export function createSyiDuty(feed: Address, config: SyiDutyConfig, logger: Logger, deps: SyiDutyDeps): SyiDuty {
  const log = logger.child({ module: 'syi-duty' });
  // The metrics read the publisher's status; the publisher reports to the metrics.
  let publisher: SyiPublisher | undefined = undefined;
  const status = (): SyiFeedStatus =>
    publisher?.status() ?? {
      feed,
      active: false,
      triggers: defaultSyiTriggers,
      chainTimeS: Math.floor(Date.now() / 1000),
      publishesTotal: 0,
      recordsRejected: 0,
    };
  const metrics = createSyiMetrics(deps.registry, status);
  const created = new SyiPublisher(
    {
      feed,
      triggers: {
        deviationBps: config.SYI_DEVIATION_BPS,
        heartbeatS: config.SYI_HEARTBEAT_S,
        minIntervalS: config.SYI_MIN_INTERVAL_S,
      },
      refreshMs: config.ONCHAIN_REFRESH_MS,
      refreshAttempts: config.ONCHAIN_REFRESH_ATTEMPTS,
      debounceMs: config.DEBOUNCE_MS,
      startActive: false,
    },
    {
      publicClient: deps.publicClient,
      submitter: deps.submitter,
      events: {
        onPublish(result, round, decision) {
          metrics.onPublish(result, round, decision);
          const tx = 'hash' in result ? { hash: result.hash, nonce: result.nonce } : {};
          const gas = 'receipt' in result ? { gasUsed: Number(result.receipt.gasUsed) } : {};
          log.info(
            {
              status: result.status,
              trigger: decision.reason,
              t: Number(round.updatedAt),
              answer: round.answer.toString(),
              ...tx,
              ...gas,
            },
            'syi_publish_completed',
          );
        },
        onPublishError(kind, err) {
          metrics.onPublishError(kind, err);
          log.error({ kind, err }, 'syi_publish_failed');
        },
        onRefreshError(err) {
          log.warn({ err }, 'syi_feed_refresh_failed');
        },
        onRecordRejected(reason) {
          log.warn({ reason }, 'syi_record_rejected');
        },
      },
    },
  );
  publisher = created;
  const follower = new TopicFollower({
    kafka: deps.kafka,
    serde: deps.serde,
    logger,
    // A prefixed copy (tests) carries the same Avro values; the catalog name types them.
    topic: config.SYI_INPUT_TOPIC as 'syi.calculated',
    groupId: `keeper-syi-${hostname()}-${randomUUID().slice(0, 8)}`,
    metrics: KafkaMetrics.of(deps.registry),
    onProgress: () => deps.progress.beat('syi-input'),
    onRecords: (records) => {
      for (const r of records) created.ingest(r.value);
    },
  });

  return {
    status,
    setActive: (active) => created.setActive(active),
    async start() {
      await created.start();
      deps.progress.register('syi-input', 60_000);
      await follower.start();
      log.info({ feed, topic: config.SYI_INPUT_TOPIC }, 'syi_duty_started');
    },
    async stop() {
      await follower.stop();
      await created.stop();
    },
  };
}
