// Turns Hermes price updates into records: the whole event to `pyth.updates` (key "hermes"), each
// configured feed's scaled price to `pyth.prices` (key = feed id), repeats of (feed, publishTime)
// dropped, invalid payloads to `pyth.updates.dlq` with the reason. Sends are micro-batched: while one
// batch is in flight the next accumulates, so throughput follows the broker's round trip instead of
// paying one round trip per event; pyth.updates keeps event order (one partition, one batch at a time).
import { deadLetterRecord, type OutgoingRecord, type RawRecord } from '@stableyield/kafka';
import { type PythPrice, type PythUpdate } from '@stableyield/schemas';
import { parseHermesPriceUpdateText, type HermesRecords } from '@stableyield/upstream';
import { type Logger } from 'pino';
import { freshRecords, PublishTimeDeduper, type DedupeKey } from './dedupe';
import { type RecordSink } from './sink';

export interface HermesPublisherOptions {
  sink: RecordSink;
  dedupe?: DedupeKey;
  /** feed id → symbol of the configured feeds. */
  feedSymbols: Readonly<Record<string, string>>;
  /** URL reported in DLQ headers (no API key). */
  sourceUrl: string;
  logger: Logger;
  now?: () => number;
  /** Called after the broker acknowledged a batch (metrics, the benchmark). */
  onPublished?: (batch: PublishedBatch) => void;
  onDeadLetter?: (reason: string) => void;
  /**
   * Upper bound of one send, in bytes of payload text: the broker refuses a partition batch above its
   * message.max.bytes (1 MiB by default), and every pyth.updates record goes to one partition.
   */
  maxBatchBytes?: number;
  /**
   * Events held while the broker is unreachable; past it the oldest are dropped (a price is
   * superseded by the next one anyway) and `onDropped` is told. Default 20 000 (≈ 100 MiB).
   */
  maxQueuedEvents?: number;
  /** Dead letters held the same way (default 1 000). */
  maxQueuedDeadLetters?: number;
  onDropped?: (what: 'update' | 'dead_letter', count: number) => void;
}

const DEFAULT_MAX_QUEUED_EVENTS = 20_000;
const DEFAULT_MAX_QUEUED_DEAD_LETTERS = 1_000;
const RETRY_PAUSE_MS = 1_000;

export interface PublishedBatch {
  updates: PythUpdate[];
  prices: PythPrice[];
  ackedAt: number;
}

export type AcceptOutcome = 'queued' | 'duplicate' | 'invalid';

export class HermesPublisher {
  readonly deduper: PublishTimeDeduper;
  private updates: {
    record: OutgoingRecord<'pyth.updates'>;
    prices: OutgoingRecord<'pyth.prices'>[];
    bytes: number;
  }[] = [];
  private deadLetters: RawRecord[] = [];
  private flushing: Promise<void> | null = null;
  private readonly now: () => number;
  private lastError: unknown = null;

  constructor(private readonly options: HermesPublisherOptions) {
    this.now = options.now ?? Date.now;
    this.deduper = new PublishTimeDeduper(options.dedupe);
  }

  /** Maps one event's JSON text; queues its new records (or a dead letter) and starts a send. */
  accept(text: string, receivedAt: number): AcceptOutcome {
    const result = parseHermesPriceUpdateText(text, { feedSymbols: this.options.feedSymbols, receivedAt });
    if (!result.ok) {
      this.pushDeadLetter(
        deadLetterRecord(
          {
            sourceTopic: 'pyth.updates',
            kind: result.error === undefined ? 'invalid' : 'upstream',
            reason: result.reason,
            value: text,
            headers: { 'upstream.url': this.options.sourceUrl },
          },
          this.now(),
        ),
      );
      this.options.logger.warn({ reason: result.reason }, 'hermes_payload_invalid');
      this.options.onDeadLetter?.(result.reason);
      this.kick();
      return 'invalid';
    }
    const fresh = freshRecords(result.records, this.deduper);
    if (fresh === null) return 'duplicate';
    this.enqueue(fresh);
    this.kick();
    return 'queued';
  }

  /** Events waiting for the broker. */
  pending(): number {
    return this.updates.length + this.deadLetters.length;
  }

  /** Resolves when everything accepted so far has been acknowledged. */
  async flush(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
  }

  /** The error of the last failed send (null after a successful one). */
  error(): unknown {
    return this.lastError;
  }

  private pushDeadLetter(letter: RawRecord): void {
    this.deadLetters.push(letter);
    const excess = this.deadLetters.length - (this.options.maxQueuedDeadLetters ?? DEFAULT_MAX_QUEUED_DEAD_LETTERS);
    if (excess > 0) {
      this.deadLetters.splice(0, excess);
      this.options.onDropped?.('dead_letter', excess);
    }
  }

  private dropOldestUpdates(): void {
    const excess = this.updates.length - (this.options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS);
    if (excess <= 0) return;
    this.updates.splice(0, excess);
    this.options.onDropped?.('update', excess);
    this.options.logger.warn({ dropped: excess }, 'hermes_queue_full_oldest_dropped');
  }

  private enqueue(records: HermesRecords): void {
    const { update } = records;
    const bytes = update.data.reduce((n, blob) => n + blob.length, 0) + 200 * update.feeds.length;
    this.updates.push({
      record: { key: 'hermes', value: update, timestamp: update.ts },
      // Event time of a price = when it reached us: publishTime is whole seconds, up to a second
      // behind the real-time watermark of the other inputs (it stays in the record).
      prices: records.prices.map((price) => ({
        key: price.feedId,
        value: { ...price, ts: update.receivedAt },
        timestamp: update.receivedAt,
      })),
      bytes,
    });
    this.dropOldestUpdates();
  }

  private kick(): void {
    if (this.flushing !== null) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
    });
  }

  /** Takes the oldest events up to the byte bound (at least one). */
  private takeBatch(): HermesPublisher['updates'] {
    const limit = this.options.maxBatchBytes ?? 512 * 1024;
    let bytes = 0;
    let count = 0;
    while (count < this.updates.length && (count === 0 || bytes + this.updates[count]!.bytes <= limit)) {
      bytes += this.updates[count]!.bytes;
      count++;
    }
    return this.updates.splice(0, count);
  }

  /**
   * Data and dead letters go out apart: a refused dead letter must not make the data batch be
   * sent again (pyth.updates records already acknowledged would be duplicated), and data the
   * broker refuses does not hold the dead letters back.
   */
  private async drain(): Promise<void> {
    while (this.pending() > 0) {
      const [data, letters] = await Promise.all([this.sendData(), this.sendDeadLetters()]);
      if (!data || !letters) await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }

  private async sendData(): Promise<boolean> {
    if (this.updates.length === 0) return true;
    const batch = this.takeBatch();
    const updates = batch.map((b) => b.record);
    const prices = batch.flatMap((b) => b.prices);
    try {
      // The producer is idempotent and retries on its own; an error here means it gave up.
      await Promise.all([
        this.options.sink.send('pyth.updates', updates),
        this.options.sink.send('pyth.prices', prices),
      ]);
      this.lastError = null;
      this.options.onPublished?.({
        updates: updates.map((u) => u.value),
        prices: prices.map((p) => p.value),
        ackedAt: this.now(),
      });
      return true;
    } catch (err) {
      // Put the batch back in front (within the bound) and retry after a pause.
      this.lastError = err;
      this.options.logger.error({ err }, 'hermes_publish_failed');
      this.updates = [...batch, ...this.updates];
      this.dropOldestUpdates();
      return false;
    }
  }

  private async sendDeadLetters(): Promise<boolean> {
    if (this.deadLetters.length === 0) return true;
    const letters = this.deadLetters;
    this.deadLetters = [];
    try {
      await this.options.sink.sendRaw(letters);
      return true;
    } catch (err) {
      this.options.logger.error({ err }, 'hermes_dead_letter_failed');
      for (const letter of letters.reverse()) this.deadLetters.unshift(letter);
      const excess = this.deadLetters.length - (this.options.maxQueuedDeadLetters ?? DEFAULT_MAX_QUEUED_DEAD_LETTERS);
      if (excess > 0) {
        this.deadLetters.splice(0, excess);
        this.options.onDropped?.('dead_letter', excess);
      }
      return false;
    }
  }
}
