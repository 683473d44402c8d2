import { sinkConsumerOptions } from './sink-consumer';

it('maps the sink variables to its consumer options, topics under the test prefix', () => {
  const config = {
    SINK_GROUP_ID: 'sink-x',
    TOPIC_PREFIX: 't1.',
    RETRY_MAX_MS: 5_000,
    FLUSH_INTERVAL_MS: 500,
    FETCH_MIN_BYTES: 65_536,
    FETCH_MAX_BYTES_PER_PARTITION: 4_194_304,
    PARTITIONS_CONCURRENTLY: 2,
  };
  expect(sinkConsumerOptions(config, ['syi.calculated', 'cc.prices'])).toEqual({
    groupId: 'sink-x',
    topics: ['t1.syi.calculated', 't1.cc.prices'],
    retry: { initialMs: 200, maxMs: 5_000 },
    fetch: { minBytes: 65_536, maxWaitMs: 500, maxBytesPerPartition: 4_194_304 },
    partitionsConcurrently: 2,
  });
});
