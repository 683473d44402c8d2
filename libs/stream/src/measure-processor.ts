// processor-peg, processor-liquidity and processor-ray: the constituent measures of §2 per
// symbol and grid point, scaled out by symbol. The symbols are split into shards — shard p
// holds the symbols the producer's partitioner sends to partition p of the output topic — and
// each shard is an EventTimeProcessor of its own: its own transactional producer
// (`<transactional id>-<p>`, so the next owner of the shard fences a zombie) and its own
// checkpoint (partition p of `<app>.changelog`), keeping only the events of its symbols. The
// shards of one instance read the inputs through one InputFeed, which fetches and decodes each
// record once for all of them. Instances share the shards through a ShardLease group.
//
// RAY is computed from the same raw inputs as peg and liquidity (plus dl.apy), in the same
// IndexState, rather than by joining the published syi.peg and syi.liquidity streams: a join
// would be a second event-time stage (another lateness window, another place to be late) for
// numbers the state already holds, and the values are bit-identical either way (tested).
import type { Logger } from 'pino';
import type { ConstituentMeasures, IndexEvent, InputTopic } from '@stableyield/index-engine';
import { changelogTopicSpec, partitionForKey, prefixedTopic } from '@stableyield/kafka';
import type { TopicValues } from '@stableyield/schemas';
import {
  EventTimeProcessor,
  processorFeedOptions,
  type EventTimeProcessorOptions,
  type ProcessorOutput,
} from './event-time-processor';
import { InputFeed } from './input-feed';
import { ProcessorMetrics } from './processor-metrics';

export type MeasureKind = 'peg' | 'liquidity' | 'ray';

export const MEASURE_TOPIC = { peg: 'syi.peg', liquidity: 'syi.liquidity', ray: 'ray.calculated' } as const;
type MeasureTopic = (typeof MEASURE_TOPIC)[MeasureKind];

/** Shards = partitions of the output topics (libs/kafka catalog). */
export const MEASURE_SHARDS = 6;

const MEASURE_INPUTS: Record<MeasureKind, readonly InputTopic[]> = {
  peg: ['cc.prices', 'pyth.prices'],
  liquidity: ['cc.orderbook', 'cc.prices', 'ex.mktcap'],
  ray: ['cc.prices', 'pyth.prices', 'cc.orderbook', 'ex.mktcap', 'dl.apy'],
};

export const measureChangelog = (kind: MeasureKind) => `processor-${kind}.changelog`;

export function measureChangelogSpec(kind: MeasureKind, prefix: string) {
  return changelogTopicSpec(prefixedTopic(prefix, measureChangelog(kind)), MEASURE_SHARDS);
}

/** The symbols of shard p: those whose output records go to partition p. */
export function shardSymbols(shard: number, symbols: readonly string[], shards = MEASURE_SHARDS): string[] {
  return symbols.filter((s) => partitionForKey(s, shards) === shard);
}

/**
 * Whether a shard applies an event: its symbols' records, and every pool (a pool's next record may change its
 * symbol).
 */
export function shardAccepts(symbols: ReadonlySet<string>, event: IndexEvent): boolean {
  switch (event.topic) {
    case 'dl.apy':
      return true;
    case 'trad.tbill':
      return false;
    case 'cc.prices':
    case 'pyth.prices':
    case 'cc.orderbook':
    case 'ex.mktcap':
      return symbols.has(event.symbol);
  }
}

/** The published record of one kind for one constituent's measures at T. */
export function measureRecord<K extends MeasureKind>(
  kind: K,
  m: ConstituentMeasures,
  ts: number,
  methodologyVersion: string,
): TopicValues[(typeof MEASURE_TOPIC)[K]] {
  const record =
    kind === 'peg'
      ? {
          symbol: m.symbol,
          ts,
          price: m.price,
          devBps: m.devBps,
          pegScore: m.pegScore,
          sigmaBps: m.sigmaBps,
          sampleCount: m.sampleCount,
          methodologyVersion,
        }
      : kind === 'liquidity'
        ? {
            symbol: m.symbol,
            ts,
            depthUsd: m.depthUsd,
            volume24hUsd: m.volume24hUsd,
            marketCapUsd: m.marketCapUsd,
            liquidityScore: m.liquidityScore,
            methodologyVersion,
          }
        : {
            symbol: m.symbol,
            ts,
            apyEff: m.apyEff,
            pegScore: m.pegScore,
            liquidityScore: m.liquidityScore,
            counterpartyScore: m.counterpartyScore,
            rayNormal: m.rayNormal,
            rayHighVol: m.rayHighVol,
            methodologyVersion,
          };
  return record as TopicValues[(typeof MEASURE_TOPIC)[K]];
}

export interface MeasureShardOptions extends Omit<EventTimeProcessorOptions, 'transactionalId'> {
  kind: MeasureKind;
  shard: number;
  symbols: readonly string[];
  /** the shard's transactional id is `<prefix>-<shard>` */
  transactionalIdPrefix: string;
}

/** One shard of a measure processor. */
export class MeasureShard extends EventTimeProcessor<MeasureTopic> {
  constructor(options: MeasureShardOptions) {
    const symbols = new Set(options.symbols);
    const { kind, shard } = options;
    const output: ProcessorOutput<MeasureTopic> = {
      name: kind,
      topic: MEASURE_TOPIC[kind],
      changelog: measureChangelog(kind),
      changelogPartition: shard,
      checkpointKey: `shard-${shard}`,
      trackInputs: false,
      // processor-syi reads every input and dead-letters malformed records once; shards would repeat it
      deadLettersInvalid: false,
      inputs: MEASURE_INPUTS[kind],
      accepts: (event) => shardAccepts(symbols, event),
      evaluate: (state, T) =>
        state
          .measuresAt(T)
          .filter((m) => symbols.has(m.symbol))
          .map((m) => measureRecord(kind, m, T, state.methodologyVersion)),
      keyOf: (r) => r.symbol,
      tsOf: (r) => r.ts,
    };
    super({ ...options, transactionalId: `${options.transactionalIdPrefix}-${shard}` }, output);
  }
}

export interface ShardedMeasureProcessorOptions extends Omit<
  MeasureShardOptions,
  'shard' | 'symbols' | 'onFatal' | 'metrics'
> {
  /** the constituents to publish (methodology order) */
  symbols: readonly string[];
  logger: Logger;
  /** a shard this instance still owns failed: the process must stop (a restart restores) */
  onFatal: (err: unknown) => void;
}

/**
 * The shards one instance owns, started and stopped as the ShardLease assigns them. A shard
 * that moves away is stopped (it commits what it has); if the new owner fenced it first, that
 * commit fails and is ignored — the new owner restores from the last committed checkpoint.
 * When the shards change, the feed is restarted from the lowest position any shard needs.
 */
export class ShardedMeasureProcessor {
  private readonly running = new Map<number, MeasureShard>();
  private readonly stopping = new Set<MeasureShard>();
  private readonly metrics: ProcessorMetrics;
  private feed: InputFeed | undefined;

  constructor(private readonly options: ShardedMeasureProcessorOptions) {
    this.metrics = new ProcessorMetrics(options.registry);
  }

  /** Every owned shard with symbols restored and reading. */
  get isReady(): boolean {
    return [...this.running.values()].every((s) => s.isReady);
  }

  get shards(): number[] {
    return [...this.running.keys()].sort((a, b) => a - b);
  }

  /** Brings the running shards to `assigned` (shards without symbols are not run). */
  async assign(assigned: readonly number[]): Promise<void> {
    const { logger, symbols } = this.options;
    const wanted = new Set(assigned.filter((p) => shardSymbols(p, symbols).length > 0));
    const removed = [...this.running.keys()].filter((p) => !wanted.has(p));
    const added = [...wanted].filter((p) => !this.running.has(p));
    if (removed.length === 0 && added.length === 0) return;
    await this.stopFeed();
    for (const p of removed) {
      const shard = this.running.get(p) as MeasureShard;
      this.running.delete(p);
      await this.stopShard(p, shard);
    }
    const restoring = added.map(async (p) => {
      const shard: MeasureShard = new MeasureShard({
        ...this.options,
        shard: p,
        symbols: shardSymbols(p, symbols),
        metrics: this.metrics,
        onFatal: (err) => {
          if (this.stopping.has(shard)) logger.warn({ err, shard: p }, 'moved_shard_failed_to_commit_ignored');
          else this.options.onFatal(err);
        },
      });
      this.running.set(p, shard);
      await shard.restore();
      logger.info(
        { shard: p, symbols: shardSymbols(p, symbols), lastEvaluated: shard.lastEvaluated },
        'shard_restored',
      );
    });
    await Promise.all(restoring);
    if (this.running.size > 0) await this.startFeed();
  }

  /** False while the shards' reader waits for the schema registry (reading held, nothing dead-lettered). */
  get registryAvailable(): boolean {
    return this.feed?.registryAvailable ?? true;
  }

  async stop(): Promise<void> {
    await this.stopFeed();
    for (const [p, shard] of this.running) await this.stopShard(p, shard);
    this.running.clear();
  }

  /** One reader for every running shard, from the lowest position any of them needs. */
  private async startFeed(): Promise<void> {
    const { kind, transactionalIdPrefix } = this.options;
    const feed = new InputFeed(processorFeedOptions(this.options, kind, MEASURE_INPUTS[kind], transactionalIdPrefix));
    const shards = [...this.running.values()];
    for (const shard of shards) shard.attach(feed.controlFor(shard));
    this.feed = feed;
    const joinStarted = Date.now();
    await feed.start(shards);
    this.options.logger.info({ shards: this.shards, joinMs: Date.now() - joinStarted }, 'reader_started');
  }

  private async stopFeed(): Promise<void> {
    const feed = this.feed;
    this.feed = undefined;
    await feed?.stop();
  }

  private async stopShard(p: number, shard: MeasureShard): Promise<void> {
    this.stopping.add(shard);
    try {
      await shard.stop();
      this.options.logger.info({ shard: p }, 'shard_stopped');
    } catch (err) {
      this.options.logger.warn({ err, shard: p }, 'shard_stop_failed_new_owner_restores');
    } finally {
      this.stopping.delete(shard);
    }
  }
}
