import fc from 'fast-check';
import { ccPrice, healthySymbol, mktcap, toLine } from '../test/builders';
import type { IndexEvent } from './events';
import type { IndexRecord } from './record';
import {
  gridStepMs,
  InvalidInputError,
  loadEventChunks,
  loadEvents,
  runReplay,
  runReplayChunks,
  splitLines,
} from './replay';

const BASE = 1_767_225_600_000;

async function replayLines(lines: string[], intervalSeconds = 60, skipInvalid = false) {
  let out = '';
  const summary = await runReplay(lines, { intervalSeconds, skipInvalid, write: (t) => void (out += t) });
  const records = out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as IndexRecord);
  return { out, records, summary };
}

async function* chunks(...parts: (string | Uint8Array)[]) {
  for (const p of parts) yield await Promise.resolve(p);
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

describe('splitLines', () => {
  it('splits across chunk boundaries, drops CR, keeps a last line without newline', async () => {
    expect(await collect(splitLines(chunks('a\nb', 'c\r\n', '\nd')))).toEqual(['a', 'bc', '', 'd']);
  });
  it('decodes UTF-8 characters split between byte chunks', async () => {
    const bytes = new TextEncoder().encode('é\n€x');
    expect(await collect(splitLines(chunks(bytes.slice(0, 1), bytes.slice(1, 4), bytes.slice(4))))).toEqual([
      'é',
      '€x',
    ]);
  });
});

describe('loadEventChunks', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  /** Every way of cutting the bytes into 1, 2 or 3 chunks. */
  function* cuts(data: Uint8Array): Generator<Uint8Array[]> {
    for (let i = 0; i <= data.length; i++) {
      yield [data.slice(0, i), data.slice(i)];
      for (let j = i; j <= data.length; j += 7) yield [data.slice(0, i), data.slice(i, j), data.slice(j)];
    }
  }
  const events = (log: Awaited<ReturnType<typeof loadEventChunks>>['log']) =>
    Array.from({ length: log.size }, (_, i) => log.get(i));

  it('reads the same events as the line reader, however the bytes are cut', async () => {
    // a BOM, a symbol with multi-byte characters, CRLF, a blank line, and no final newline
    const text =
      '\ufeff' +
      [
        toLine(mktcap('USDC', 1e9, BASE)),
        toLine(ccPrice('USD€é', 'v', 1, BASE)),
        '',
        toLine(ccPrice('USDC', 'a', 1, BASE + 1)),
      ].join('\r\n');
    const expected = events((await loadEvents(splitLines(chunks(bytes(text))), false)).log);
    expect(expected.map((e) => e.topic === 'cc.prices' && e.symbol)).toEqual([false, 'USD€é', 'USDC']);
    for (const parts of cuts(bytes(text))) expect(events((await loadEventChunks(parts, false)).log)).toEqual(expected);
  });
  it('numbers lines as the line reader does and names the bad one', async () => {
    const text = [
      toLine(mktcap('USDC', 1e9, BASE)),
      '',
      '  ',
      '{"topic":"ex.mktcap","value":{"symbol":"USDC","marketCapUsd":-1,"ts":1}}',
      '',
    ].join('\n');
    for (const parts of cuts(bytes(text)))
      await expect(loadEventChunks(parts, false)).rejects.toThrow(/^line 4: ex.mktcap.marketCapUsd must be/);
    expect((await loadEventChunks([text], true)).invalidLines).toBe(1);
  });
  it('replays to the same text as runReplay', async () => {
    const lines = [
      ...healthySymbol('USDC', BASE),
      ...healthySymbol('DAI', BASE + 5000),
      ccPrice('USDC', 'a', 1.003, BASE + 90_000),
    ].map(toLine);
    let fromLines = '';
    let fromChunks = '';
    await runReplay(lines, { intervalSeconds: 30, skipInvalid: false, write: (t) => void (fromLines += t) });
    await runReplayChunks([bytes(lines.join('\n'))], {
      intervalSeconds: 30,
      skipInvalid: false,
      write: (t) => void (fromChunks += t),
    });
    expect(fromChunks).toBe(fromLines);
    expect(fromLines.split('\n')).toHaveLength(5); // BASE, +30 s, +60 s, +90 s and the final newline
  });
});

describe('grid', () => {
  it('rounds the interval to whole milliseconds and refuses a zero step', () => {
    expect(gridStepMs(60)).toBe(60_000);
    expect(gridStepMs(0.0015)).toBe(2);
    expect(() => gridStepMs(0.0004)).toThrow(RangeError);
  });
  it('evaluates from the first multiple at or after the smallest ts up to and including the largest', async () => {
    const events: IndexEvent[] = [...healthySymbol('USDC', BASE - 30_000), ccPrice('USDC', 'a', 1, BASE + 60_000)];
    const { records } = await replayLines(events.map(toLine));
    expect(records.map((r) => r.ts)).toEqual([BASE, BASE + 60_000]);
  });
  it('writes nothing for an empty input or one without an eligible constituent', async () => {
    expect((await replayLines([])).out).toBe('');
    expect((await replayLines([toLine(mktcap('USDC', 1e9, BASE))])).out).toBe('');
  });
  it('writes one JSON line per record with the methodology version and no rounding', async () => {
    const { out, records } = await replayLines(healthySymbol('USDC', BASE).map(toLine));
    expect(out.endsWith('\n')).toBe(true);
    expect(Object.keys(records[0]!)).toEqual([
      'ts',
      'value',
      'tbillRate',
      'rpl',
      'mode',
      'eligible',
      'methodologyVersion',
      'constituents',
    ]);
    expect(records[0]!.methodologyVersion).toBe('1');
    expect(out).toContain(`"value":${JSON.stringify(records[0]!.value)}`);
  });
});

describe('invalid input', () => {
  const good = healthySymbol('USDC', BASE).map(toLine);
  it('names the line number (blank lines count) and the problem', async () => {
    const lines = [
      good[0]!,
      '',
      '{"topic":"cc.prices","value":{"symbol":"USDC","venue":"x","price":"1","ts":1}}',
      ...good.slice(1),
    ];
    const error = await replayLines(lines).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe('line 3: cc.prices.price must be a finite number > 0 (got a string)');
  });
  it('reports malformed JSON and unknown topics', async () => {
    await expect(replayLines(['{oops'])).rejects.toThrow(/^line 1: malformed JSON/);
    await expect(replayLines([...good, '{"topic":"nope","value":{}}'])).rejects.toThrow(
      `line ${good.length + 1}: unknown topic "nope"`,
    );
  });
  it('skips and counts invalid lines with skipInvalid; they do not extend the grid', async () => {
    const late = JSON.stringify({
      topic: 'cc.prices',
      value: { symbol: 'USDC', venue: 'a', price: -1, ts: BASE + 600_000 },
    });
    const { records, summary } = await replayLines([...good, late, 'not json'], 60, true);
    expect(summary.invalidLines).toBe(2);
    expect(records.map((r) => r.ts)).toEqual([BASE]);
  });
  it('loadEvents ignores blank lines without counting them as invalid', async () => {
    const { log, invalidLines } = await loadEvents(['', '  ', good[0]!], true);
    expect(log.size).toBe(1);
    expect(invalidLines).toBe(0);
  });
});

describe('replay properties', () => {
  const SYMBOLS = ['DAI', 'USDC', 'USDT', 'USDe'] as const;
  // A healthy start at BASE for every symbol (offset 0), then random events on a few identity keys
  // with unique times per key.
  const start = SYMBOLS.flatMap((s, i) => healthySymbol(s, BASE, (i + 1) * 3e9, 3 + i));
  const scenario = fc
    .uniqueArray(
      fc.record({
        kind: fc.constantFrom('price', 'pyth', 'book', 'pool', 'mktcap', 'tbill'),
        symbol: fc.constantFrom(...SYMBOLS),
        venue: fc.constantFrom('c', 'd'),
        offset: fc.integer({ min: 1, max: 300_000 }),
        level: fc.double({ min: 0.97, max: 1.03, noNaN: true }),
        size: fc.double({ min: 1e6, max: 1e9, noNaN: true }),
      }),
      {
        minLength: 1,
        maxLength: 120,
        selector: (e) => {
          const key =
            e.kind === 'tbill'
              ? 'tbill'
              : e.kind === 'pool' || e.kind === 'mktcap' || e.kind === 'pyth'
                ? `${e.kind}:${e.symbol}`
                : `${e.kind}:${e.symbol}:${e.venue}`;
          return `${key}@${e.offset}`;
        },
      },
    )
    .map((specs) => [
      ...start,
      ...specs.map((e): IndexEvent => {
        const ts = BASE + e.offset;
        switch (e.kind) {
          case 'price':
            return { topic: 'cc.prices', ts, symbol: e.symbol, venue: e.venue, price: e.level, volume24hUsd: e.size };
          case 'pyth':
            return { topic: 'pyth.prices', ts, symbol: e.symbol, price: e.level };
          case 'book':
            return {
              topic: 'cc.orderbook',
              ts,
              symbol: e.symbol,
              venue: e.venue,
              bids: [[e.level - 0.001, e.size / 100]],
              asks: [[e.level + 0.001, e.size / 100]],
            };
          case 'pool':
            return {
              topic: 'dl.apy',
              ts,
              pool: `random-${e.symbol}`,
              symbol: e.symbol,
              tvlUsd: e.size,
              apyBase: (e.level - 0.97) * 200,
            };
          case 'mktcap':
            return { topic: 'ex.mktcap', ts, symbol: e.symbol, marketCapUsd: e.size * 10 };
          case 'tbill':
            return { topic: 'trad.tbill', ts, rate: e.level * 4 };
        }
      }),
    ]);

  it('shuffling lines whose times are unique per identity key gives the same output', async () => {
    let runsWithRecords = 0;
    await fc.assert(
      fc.asyncProperty(scenario, fc.array(fc.nat(), { minLength: 140, maxLength: 140 }), async (events, keys) => {
        const lines = events.map(toLine);
        const shuffled = lines
          .map((l, i) => [keys[i]!, l] as const)
          .sort((a, b) => a[0] - b[0])
          .map(([, l]) => l);
        const a = await replayLines(lines, 30);
        const b = await replayLines(shuffled, 30);
        expect(b.out).toBe(a.out);
        if (a.records.length > 0) runsWithRecords++;
      }),
      { numRuns: 60 },
    );
    expect(runsWithRecords).toBeGreaterThan(5); // the property is not vacuous
  });

  it('every record lies between its smallest and largest RAY, with weights summing to 1', async () => {
    let recordsSeen = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (events) => {
        const { records } = await replayLines(events.map(toLine), 15);
        for (const r of records) {
          const rays = r.constituents.map((c) => c.ray);
          expect(r.value).toBeGreaterThanOrEqual(Math.min(...rays) - 1e-12);
          expect(r.value).toBeLessThanOrEqual(Math.max(...rays) + 1e-12);
          expect(Math.abs(r.constituents.reduce((s, c) => s + c.weight, 0) - 1)).toBeLessThan(1e-12);
          recordsSeen++;
        }
      }),
      { numRuns: 60 },
    );
    expect(recordsSeen).toBeGreaterThan(20);
  });
});
