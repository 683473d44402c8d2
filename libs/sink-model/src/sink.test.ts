import pino from 'pino';
import { Registry } from 'prom-client';
import { KafkaMetrics, type ConsumedRecord, type TopicProducer, type TopicSerde } from '@stableyield/kafka';
import { createSinkHandler, SinkMetrics, type SinkWriter, type WriteOutcome } from './sink';

const info = { topic: 'p.syi.peg', partition: 2, firstOffset: '10', lastOffset: '11' };
const record = (offset: string): ConsumedRecord => ({
  topic: info.topic,
  partition: 2,
  offset,
  key: 'USDC',
  value: { symbol: 'USDC' },
  timestamp: 0,
  headers: {},
});

let clock = 0;

function setup(results: (() => Promise<WriteOutcome>)[]) {
  const registry = new Registry();
  const metrics = new SinkMetrics(registry);
  const sent: unknown[] = [];
  const writer: SinkWriter = {
    sink: 'timescale',
    write: jest.fn(() => results.shift()!()),
    isConnectionError: (err) => (err as Error).message === 'down',
  };
  const producer = {
    sendRaw: jest.fn((r: unknown[]) => {
      sent.push(...r);
      return Promise.resolve();
    }),
  } as unknown as TopicProducer;
  const serde = { serialize: jest.fn(() => Promise.resolve(Buffer.from('avro'))) } as unknown as TopicSerde;
  const handle = createSinkHandler({
    writer,
    metrics,
    kafkaMetrics: new KafkaMetrics(registry),
    producer,
    serde,
    logger: pino({ level: 'silent' }),
    topicPrefix: 'p.',
    now: () => clock,
  });
  return { handle, registry, sent, writer };
}

const value = async (registry: Registry, name: string) =>
  (await registry.getSingleMetric(name)!.get()).values.reduce((s, v) => s + v.value, 0);

describe('createSinkHandler', () => {
  it('writes under the catalog topic name and counts rows per table', async () => {
    const { handle, registry, writer } = setup([
      () => Promise.resolve({ rowsByTable: new Map([['syi_peg', 2]]), rejected: [] }),
    ]);
    await handle([record('10'), record('11')], info);
    expect(writer.write).toHaveBeenCalledWith('syi.peg', expect.any(Array));
    expect(await value(registry, 'sink_rows_written_total')).toBe(2);
    expect(await value(registry, 'sink_retries_total')).toBe(0);
  });

  it(
    'rethrows a failure (so nothing is committed), ' + 'counts connection errors, and counts the redo as a retry',
    async () => {
      const { handle, registry } = setup([
        () => {
          clock += 1_000;
          return Promise.reject(new Error('down'));
        },
        () => {
          clock += 200;
          return Promise.resolve({ rowsByTable: new Map([['syi_peg', 2]]), rejected: [] });
        },
      ]);
      await expect(handle([record('10'), record('11')], info)).rejects.toThrow('down');
      expect(await value(registry, 'db_connection_errors_total')).toBe(1);
      await handle([record('10'), record('11')], info);
      expect(await value(registry, 'sink_retries_total')).toBe(1);
      // The batch duration spans the failed attempt too.
      const hist = await registry.getSingleMetric('sink_batch_duration_seconds')!.get();
      expect(
        hist.values.find((v) => (v as { metricName?: string }).metricName === 'sink_batch_duration_seconds_sum')?.value,
      ).toBeCloseTo(1.2, 6);
    },
  );

  it('counts the retries of partitions that fail in turn (consumed concurrently)', async () => {
    const down = () => Promise.reject(new Error('down'));
    const ok = () => Promise.resolve({ rowsByTable: new Map([['syi_peg', 2]]), rejected: [] });
    const { handle, registry } = setup([down, down, down, down, ok, ok]);
    const other = { ...info, partition: 5, firstOffset: '40', lastOffset: '41' };
    for (let round = 0; round < 2; round++) {
      await expect(handle([record('10'), record('11')], info)).rejects.toThrow('down');
      await expect(handle([record('40'), record('41')], other)).rejects.toThrow('down');
    }
    await handle([record('10'), record('11')], info);
    await handle([record('40'), record('41')], other);
    // Every call after a partition's first failure redoes that partition's batch.
    expect(await value(registry, 'sink_retries_total')).toBe(4);
  });

  it('dead-letters rejected records with their reason, source position and the record re-encoded', async () => {
    const { handle, registry, sent } = setup([
      () =>
        Promise.resolve({
          rowsByTable: new Map([['syi_peg', 1]]),
          rejected: [{ record: record('11'), reason: '23514 violates check' }],
        }),
    ]);
    await handle([record('10'), record('11')], info);
    expect(sent).toEqual([
      expect.objectContaining({
        topic: 'p.syi.peg.dlq',
        key: 'USDC',
        value: Buffer.from('avro'),
        headers: expect.objectContaining({
          'dlq.reason': '23514 violates check',
          'dlq.kind': 'constraint',
          'dlq.source.offset': '11',
          'dlq.source.partition': '2',
        }),
      }),
    ]);
    expect(await value(registry, 'dlq_records_total')).toBe(1);
  });
});
