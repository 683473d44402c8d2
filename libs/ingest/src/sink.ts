// What the ingesters write to: TopicProducer satisfies it; unit tests pass an in-memory sink.
import { type OutgoingRecord, type RawRecord } from '@stableyield/kafka';
import { type DataTopic } from '@stableyield/schemas';

export interface RecordSink {
  send<T extends DataTopic>(topic: T, records: readonly OutgoingRecord<T>[]): Promise<void>;
  sendRaw(records: readonly RawRecord[]): Promise<void>;
}
