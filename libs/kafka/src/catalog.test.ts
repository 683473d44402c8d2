import { CATALOG, DATA_TOPICS, DLQ_TOPICS, dlqTopicOf, topicConfigEntries, topicSpec } from './catalog';

describe('the topic catalog', () => {
  it(
    'has the partitions of ARCHITECTURE.md; ' + 'inputs are never compacted (exact recomputation needs every record)',
    () => {
      const byName = Object.fromEntries(DATA_TOPICS.map((t) => [t.name, [t.partitions, t.cleanupPolicy]]));
      expect(byName).toEqual({
        'pyth.updates': [1, 'delete'],
        'pyth.prices': [12, 'delete'],
        'cc.prices': [12, 'delete'],
        'cc.orderbook': [12, 'delete'],
        'dl.apy': [6, 'delete'],
        'ex.mktcap': [3, 'delete'],
        'trad.tbill': [1, 'delete'],
        'syi.peg': [6, 'delete'],
        'syi.liquidity': [6, 'delete'],
        'ray.calculated': [6, 'delete'],
        'syi.calculated': [1, 'delete'],
      });
      expect(topicSpec('trad.tbill').retentionMs).toBe(14 * 24 * 3_600_000);
      expect(topicSpec('cc.orderbook').retentionMs).toBe(8 * 24 * 3_600_000);
    },
  );

  it('gives every data topic a one-partition dead-letter topic kept 30 days', () => {
    expect(DLQ_TOPICS.map((t) => t.name)).toEqual(DATA_TOPICS.map((t) => `${t.name}.dlq`));
    for (const t of DLQ_TOPICS)
      expect([t.partitions, t.cleanupPolicy, t.retentionMs]).toEqual([1, 'delete', 30 * 24 * 3_600_000]);
    expect(dlqTopicOf('cc.prices')).toBe('cc.prices.dlq');
    expect(CATALOG).toHaveLength(22);
  });

  it('refuses a topic that is not in the catalog', () => {
    expect(() => topicSpec('cc.price')).toThrow('unknown topic "cc.price": not in the catalog');
  });

  it('asks for two in-sync replicas once there are three copies', () => {
    const spec = topicSpec('syi.calculated');
    expect(topicConfigEntries(spec, 3)).toContainEqual({ name: 'min.insync.replicas', value: '2' });
    expect(topicConfigEntries(spec, 1)).toContainEqual({ name: 'min.insync.replicas', value: '1' });
  });
});
