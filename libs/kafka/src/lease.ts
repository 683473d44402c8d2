import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

export interface LeaseOptions {
  kafka: Kafka;
  logger: Logger;
  /** a one-partition topic nobody writes to */
  topic: string;
  groupId: string;
  /** how long a dead holder keeps the lease */
  sessionTimeoutMs?: number;
}

/**
 * Leader election for a single-active processor with hot standbys: every instance joins one
 * consumer group on a one-partition topic, and the member the group assigns partition 0 holds
 * the lease. When the holder dies its session expires and the group hands the partition to a
 * standby; when it stops cleanly it leaves the group and the hand-over is immediate.
 */
export class Lease {
  private readonly consumer: Consumer;
  private held = false;

  constructor(private readonly options: LeaseOptions) {
    const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      rebalanceTimeout: sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
      allowAutoTopicCreation: false,
    });
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Resolves when this instance holds the lease; `onLost` is called if it loses it later. */
  async acquire(onLost: (why: string) => void): Promise<void> {
    const { topic, logger } = this.options;
    let granted: () => void = () => undefined;
    const acquired = new Promise<void>((resolve) => (granted = resolve));
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      const mine = (e.payload.memberAssignment[topic] ?? []).includes(0);
      logger.info({ topic, holder: mine }, mine ? 'lease_acquired' : 'lease_standby');
      if (mine && !this.held) {
        this.held = true;
        granted();
      } else if (!mine && this.held) {
        this.held = false;
        onLost('partition revoked');
      }
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (this.held) {
        this.held = false;
        onLost(`lease consumer crashed: ${String(e.payload.error)}`);
      }
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: false });
    await this.consumer.run({ autoCommit: false, eachBatch: () => Promise.resolve() });
    await acquired;
  }

  async release(): Promise<void> {
    this.held = false;
    await this.consumer.disconnect();
  }
}
