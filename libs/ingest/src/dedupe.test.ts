import { type HermesRecords } from '@stableyield/upstream';
import { freshRecords, PublishTimeDeduper } from './dedupe';

function records(feeds: [id: string, publishTime: number, slot?: number][]): HermesRecords {
  return {
    update: {
      encoding: 'hex',
      data: ['ab'],
      feeds: feeds.map(([feedId, publishTime, slot]) => ({
        feedId,
        symbol: feedId.toUpperCase(),
        price: '1',
        conf: '1',
        expo: -8,
        publishTime,
        emaPrice: '1',
        emaConf: '1',
        slot: slot ?? null,
        prevPublishTime: null,
      })),
      receivedAt: 0,
      ts: 0,
    },
    prices: feeds.map(([feedId, publishTime]) => ({
      symbol: feedId.toUpperCase(),
      feedId,
      price: 1,
      conf: 0,
      publishTime,
      ts: publishTime * 1000,
    })),
  };
}

describe('PublishTimeDeduper', () => {
  it('accepts only newer publish times per feed', () => {
    const d = new PublishTimeDeduper();
    expect([d.accept('a', 10), d.accept('a', 10), d.accept('a', 9), d.accept('b', 10), d.accept('a', 11)]).toEqual([
      true,
      false,
      false,
      true,
      true,
    ]);
    expect(d.lastPublishTime('a')).toBe(11);
  });

  it('by slot: several slots of one second pass once each', () => {
    const d = new PublishTimeDeduper('slot');
    expect([
      d.accept('a', 10, 100),
      d.accept('a', 10, 101),
      d.accept('a', 10, 101),
      d.accept('a', 10, 99),
      d.accept('a', 11, 1),
    ]).toEqual([true, true, false, false, true]);
  });
});

describe('freshRecords', () => {
  it('keeps new feeds, drops repeats, and drops an event whose feeds are all repeats', () => {
    const d = new PublishTimeDeduper();
    const first = records([
      ['a', 10],
      ['b', 10],
    ]);
    expect(freshRecords(first, d)).toBe(first);
    expect(
      freshRecords(
        records([
          ['a', 10],
          ['b', 10],
        ]),
        d,
      ),
    ).toBeNull();
    const mixed = freshRecords(
      records([
        ['a', 10],
        ['b', 11],
      ]),
      d,
    )!;
    expect(mixed.update.feeds.map((f) => f.feedId)).toEqual(['b']);
    expect(mixed.prices.map((p) => p.feedId)).toEqual(['b']);
    expect(mixed.update.data).toEqual(['ab']);
  });
});
