// Active-standby over a Kafka consumer group, the one primitive for every single-active service: the
// member assigned partition 0 of a topic is the active one. processor-syi's Lease runs it on a lease
// topic nobody writes to; the keeper on its one-partition input topic.
import { type Consumer } from 'kafkajs';

/**
 * What ends activity before the group hands partition 0 elsewhere.
 * - 'crash': a fenced member (its writes are transactional; a new holder fences them) rides through a
 *   rebalance and stands down only when the next join moves the partition, or when its consumer crashes.
 * - 'rebalance': an unfenced member (the keeper's on-chain pushes) stands down as soon as its membership
 *   is in doubt (a rebalance starts, a crash, a stop, a disconnect) until the next join gives it back.
 */
export type StandDownOn = 'crash' | 'rebalance';

export interface ActiveStandbyOptions {
  topic: string;
  standDownOn: StandDownOn;
  /** Called when this member becomes active or stops being active, with why. */
  onChange: (active: boolean, why: string) => void;
  /** Called after every group join, changed or not (operators watch a standby join). */
  onJoin?: (active: boolean) => void;
}

export class ActiveStandby {
  private current = false;

  /** Attaches to `consumer`'s group events; construct it before the consumer joins. */
  constructor(
    consumer: Consumer,
    private readonly options: ActiveStandbyOptions,
  ) {
    const { events } = consumer;
    consumer.on(events.GROUP_JOIN, (e) => {
      const mine = (e.payload.memberAssignment[options.topic] ?? []).includes(0);
      options.onJoin?.(mine);
      this.set(mine, mine ? 'partition assigned' : 'partition revoked');
    });
    consumer.on(events.CRASH, (e) => this.set(false, `consumer crashed: ${String(e.payload.error)}`));
    if (options.standDownOn === 'rebalance') {
      // Between losing the group and the next join nobody may act on our behalf.
      consumer.on(events.REBALANCING, () => this.set(false, 'rebalancing'));
      consumer.on(events.STOP, () => this.set(false, 'consumer stopped'));
      consumer.on(events.DISCONNECT, () => this.set(false, 'consumer disconnected'));
    }
  }

  get active(): boolean {
    return this.current;
  }

  /** Stops being active without calling onChange: a clean stop, not a loss. */
  resign(): void {
    this.current = false;
  }

  private set(active: boolean, why: string): void {
    if (active === this.current) return;
    this.current = active;
    this.options.onChange(active, why);
  }
}
