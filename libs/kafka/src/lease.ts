import { AssignerProtocol, type Consumer, type Kafka, type PartitionAssigner } from 'kafkajs';
import type { Logger } from 'pino';
import { ActiveStandby } from './standby';

export interface LeaseOptions {
  kafka: Kafka;
  logger: Logger;
  /** a one-partition topic nobody writes to */
  topic: string;
  groupId: string;
  /** how long a dead holder keeps the lease */
  sessionTimeoutMs?: number;
}

const ASSIGNER = 'StickyLeaseAssigner';
const HOLDER = Buffer.from('holder');
const CANDIDATE = Buffer.from('candidate');

/**
 * Gives partition 0 of the lease topic to the member that says it holds it, so a standby
 * joining never takes the lease from a live holder (kafkajs's round-robin would hand it to
 * whichever member id sorts first). With no holder in the group the first member id wins.
 * Each member states whether it holds the lease in its join metadata, read at every join.
 */
export function stickyLeaseAssigner(isHeld: () => boolean): PartitionAssigner {
  return () => ({
    name: ASSIGNER,
    version: 1,
    assign({ members, topics }) {
      const holders = members.filter(
        (m) => AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData.equals(HOLDER) === true,
      );
      const ids = (holders.length > 0 ? holders : members).map((m) => m.memberId).sort();
      const winner = ids[0];
      return Promise.resolve(
        members.map(({ memberId }) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: Object.fromEntries(topics.map((t) => [t, memberId === winner ? [0] : []])),
            userData: Buffer.alloc(0),
          }),
        })),
      );
    },
    protocol({ topics }) {
      return {
        name: ASSIGNER,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: isHeld() ? HOLDER : CANDIDATE,
        }),
      };
    },
  });
}

/** A member of a group on a topic nobody writes to: the group's assignment is all it is for. */
function groupMember(options: LeaseOptions, partitionAssigners?: PartitionAssigner[]): Consumer {
  const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
  return options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout,
    rebalanceTimeout: sessionTimeout,
    heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
    allowAutoTopicCreation: false,
    ...(partitionAssigners ? { partitionAssigners } : {}),
  });
}

async function joinGroup(consumer: Consumer, topic: string): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({ autoCommit: false, eachBatch: () => Promise.resolve() });
}

/**
 * Leader election for a single-active processor with hot standbys: every instance joins one
 * consumer group on a one-partition topic, and the member assigned partition 0 holds the lease
 * (ActiveStandby). The assignment is sticky (stickyLeaseAssigner): a joining standby never takes the
 * lease from a live holder. When the holder dies its session expires and the group hands the
 * partition to a standby; when it stops cleanly it leaves the group and the hand-over is immediate.
 */
export class Lease {
  private readonly consumer: Consumer;
  private readonly holder: ActiveStandby;
  private granted: () => void = () => undefined;
  private lost: (why: string) => void = () => undefined;

  constructor(private readonly options: LeaseOptions) {
    const { topic, logger } = options;
    this.consumer = groupMember(options, [stickyLeaseAssigner(() => this.isHeld)]);
    this.holder = new ActiveStandby(this.consumer, {
      topic,
      // The processor's writes are transactional: a holder may ride through a rebalance.
      standDownOn: 'crash',
      onJoin: (held) => logger.info({ topic, holder: held }, held ? 'lease_acquired' : 'lease_standby'),
      onChange: (held, why) => (held ? this.granted() : this.lost(why)),
    });
  }

  get isHeld(): boolean {
    return this.holder.active;
  }

  /** Resolves when this instance holds the lease; `onLost` is called if it loses it later. */
  async acquire(onLost: (why: string) => void): Promise<void> {
    this.lost = onLost;
    const acquired = new Promise<void>((resolve) => (this.granted = resolve));
    await joinGroup(this.consumer, this.options.topic);
    await acquired;
  }

  async release(): Promise<void> {
    this.holder.resign();
    await this.consumer.disconnect();
  }
}

export interface ShardLeaseOptions {
  kafka: Kafka;
  logger: Logger;
  /** a topic nobody writes to, with one partition per shard */
  topic: string;
  groupId: string;
  sessionTimeoutMs?: number;
  /** called with the shards this member owns after every rebalance (serially, awaited) */
  onAssignment: (shards: readonly number[]) => Promise<void>;
}

/**
 * Shard ownership for a scaled-out processor: every instance joins one consumer group on a
 * topic with one partition per shard, and owns the shards whose partitions it is assigned
 * (kafkajs's round-robin spreads them). A member that dies loses its shards when its session
 * expires; one that stops cleanly leaves and they move at once.
 */
export class ShardLease {
  private readonly consumer: Consumer;
  private owned: readonly number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: ShardLeaseOptions) {
    this.consumer = groupMember(options);
  }

  get shards(): readonly number[] {
    return this.owned;
  }

  /** Joins the group; resolves once the first assignment has been handled. */
  async join(onFailed: (why: string) => void): Promise<void> {
    const { topic, logger } = this.options;
    let first: () => void = () => undefined;
    const assigned = new Promise<void>((resolve) => (first = resolve));
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      const shards = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      logger.info({ topic, shards }, 'shards_assigned');
      this.queue = this.queue
        .then(() => this.options.onAssignment(shards))
        .then(() => {
          this.owned = shards;
          first();
        })
        .catch((err: unknown) =>
          onFailed(`shard assignment failed: ${err instanceof Error ? err.message : String(err)}`),
        );
    });
    // kafkajs restarts a consumer after a retriable crash (a broker gone, a coordinator moving):
    // the group then rebalances as usual. Only a crash it will not restart from ends the process.
    // While it rejoins, the shards run on; if they move meanwhile, their new owner fences them.
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      const why = `shard lease consumer crashed: ${String(e.payload.error)}`;
      if (e.payload.restart) logger.warn({ topic, err: e.payload.error }, 'shard_lease_consumer_restarting');
      else onFailed(why);
    });
    await joinGroup(this.consumer, topic);
    await assigned;
  }

  async leave(): Promise<void> {
    await this.consumer.disconnect();
    await this.queue;
  }
}
