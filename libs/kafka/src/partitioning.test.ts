import type { Kafka } from 'kafkajs';
import { chunkBySize, partitionForKey, PartitionRouter, sizeOf } from './partitioning';

/** A stand-in admin client answering the partition count, as the broker would. */
function fakeKafka(partitions: Record<string, number>): { kafka: Kafka; lookups: () => number } {
  let lookups = 0;
  const admin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    fetchTopicMetadata: ({ topics }: { topics: string[] }) => {
      lookups++;
      return Promise.resolve({
        topics: topics.map((name) => ({
          name,
          partitions: Array.from({ length: partitions[name] ?? 0 }, (_, i) => ({ partitionId: i })),
        })),
      });
    },
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, lookups: () => lookups };
}

describe('PartitionRouter', () => {
  it('splits writes into one batch per partition, keyed like the Java client (murmur2)', async () => {
    const { kafka, lookups } = fakeKafka({ 'cc.prices': 12 });
    const router = new PartitionRouter(kafka);
    const messages = ['USDC-binance', 'USDT-binance', 'USDC-binance', 'DAI-cryptocompare'].map((key) => ({
      key,
      value: 'v',
    }));
    const batches = await router.split([{ topic: 'cc.prices', messages }]);
    const partitionOf = (key: string) => batches.find((b) => b.messages.some((m) => m.key === key))!.partition;
    // Same key, same partition, and the batch carries both records in order.
    expect(
      batches
        .find((b) => b.partition === partitionOf('USDC-binance'))!
        .messages.filter((m) => m.key === 'USDC-binance'),
    ).toHaveLength(2);
    expect(batches.reduce((n, b) => n + b.messages.length, 0)).toBe(4);
    for (const b of batches) for (const m of b.messages) expect(m.partition).toBe(b.partition);
    for (const b of batches) expect(b.partition).toBeLessThan(12);
    await router.split([{ topic: 'cc.prices', messages }]);
    expect(lookups()).toBe(1); // partition counts are cached
  });

  it('keeps an explicit partition', async () => {
    const router = new PartitionRouter(fakeKafka({ t: 6 }).kafka);
    const [batch] = await router.split([{ topic: 't', messages: [{ key: 'x', value: 'v', partition: 5 }] }]);
    expect(batch!.partition).toBe(5);
  });

  it('fails clearly for a topic without partitions', async () => {
    const router = new PartitionRouter(fakeKafka({}).kafka);
    await expect(router.split([{ topic: 'missing', messages: [{ key: 'x', value: 'v' }] }])).rejects.toThrow(
      'topic missing has no partitions (does it exist?)',
    );
  });
});

describe('chunkBySize', () => {
  it('cuts a partition batch into requests under the size limit, keeping order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(100) }));
    const chunks = chunkBySize(messages, 400);
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 2, 2, 2]);
    expect(chunks.flat().map((m) => m.key)).toEqual(messages.map((m) => m.key));
  });

  it('counts headers: dead letters with long reasons stay under the limit too', () => {
    const letter = {
      key: 'k',
      value: 'v',
      headers: { reason: 'r'.repeat(150), source: [Buffer.from('s'.repeat(40))] },
    };
    expect(sizeOf(letter)).toBeGreaterThan(150 + 40);
    const chunks = chunkBySize(
      Array.from({ length: 6 }, () => letter),
      600,
    );
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 2]);
  });

  it('sends a single oversized message on its own', () => {
    const chunks = chunkBySize(
      [
        { key: 'a', value: 'x'.repeat(1000) },
        { key: 'b', value: 'y' },
      ],
      400,
    );
    expect(chunks.map((c) => c.map((m) => m.key))).toEqual([['a'], ['b']]);
  });
});

describe('partitionForKey', () => {
  it('names the partition the router sends a keyed record to', async () => {
    const { kafka } = fakeKafka({ 'syi.peg': 6 });
    const router = new PartitionRouter(kafka);
    const symbols = ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe'];
    const batches = await router.split([{ topic: 'syi.peg', messages: symbols.map((key) => ({ key, value: key })) }]);
    for (const b of batches) for (const m of b.messages) expect(partitionForKey(String(m.key), 6)).toBe(b.partition);
    expect(new Set(symbols.map((s) => partitionForKey(s, 6))).size).toBeGreaterThan(1);
  });
});
