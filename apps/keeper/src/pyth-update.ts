// A pyth.updates record (the whole Hermes event as ingest-hermes wrote it) in the shape the keeper
// library ingests: hex blobs (base64 ones are converted) and the parsed prices as integer strings.
import { type HermesPriceUpdate } from '@stableyield/chain';
import { type PythUpdate } from '@stableyield/schemas';

export function hermesUpdateFromRecord(record: PythUpdate): HermesPriceUpdate {
  const hex = record.encoding === 'base64';
  if (!hex && record.encoding !== 'hex') throw new Error(`unsupported encoding ${record.encoding}`);
  return {
    binary: { encoding: 'hex', data: hex ? record.data.map((b) => Buffer.from(b, 'base64').toString('hex')) : record.data },
    parsed: record.feeds.map((f) => ({
      id: f.feedId,
      price: { price: f.price, conf: f.conf, expo: f.expo, publish_time: f.publishTime },
    })),
  };
}
