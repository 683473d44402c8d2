import { judgeDeadLetters, withoutLetters, type ReadDeadLetter } from './dead-letters';

const letter = (over: Partial<ReadDeadLetter>): ReadDeadLetter => ({
  topic: 'pyth.prices.dlq',
  kind: 'late',
  processor: 'processor-peg',
  reason: 'late event: ts 1',
  value: { ts: 1 },
  ...over,
});

describe('judgeDeadLetters', () => {
  it('finds nothing wrong in no letters', () => {
    expect(judgeDeadLetters([], { 'pyth.prices': 10 })).toEqual({
      problems: [],
      summary: 'no dead letters',
      lateForIndex: [],
    });
  });

  it('lets a few late events pass, and hands processor-syi’s to the replay to leave out', () => {
    const syi = letter({ processor: 'processor-syi', value: { ts: 2 } });
    const judged = judgeDeadLetters([letter({}), syi], { 'pyth.prices': 1000 });
    expect(judged.problems).toEqual([]);
    expect(judged.lateForIndex).toEqual([syi]);
    expect(judged.summary).toBe('pyth.prices.dlq late by processor-peg: 1; pyth.prices.dlq late by processor-syi: 1');
  });

  it('counts more than 10 % of a topic’s inputs late as a problem', () => {
    const judged = judgeDeadLetters([letter({}), letter({})], { 'pyth.prices': 19 });
    expect(judged.problems).toEqual([
      'pyth.prices.dlq: 2 late events of 19 inputs (more than 10 %), the first: late event: ts 1',
    ]);
  });

  it('counts every letter that is not late as a problem, with its reason', () => {
    const judged = judgeDeadLetters(
      [letter({ topic: 'cc.prices.dlq', kind: 'undecodable', processor: '', reason: 'unknown magic byte' })],
      { 'cc.prices': 1000 },
    );
    expect(judged.problems).toEqual([
      'cc.prices.dlq undecodable by an ingester: 1 dead letter(s), the first: unknown magic byte',
    ]);
  });
});

describe('withoutLetters', () => {
  it('drops one input per letter, matched by topic and value', () => {
    const inputs = [
      { topic: 'pyth.prices', value: { ts: 1 } },
      { topic: 'pyth.prices', value: { ts: 1 } },
      { topic: 'cc.prices', value: { ts: 1 } },
      { topic: 'pyth.prices', value: { ts: 2 } },
    ];
    expect(withoutLetters(inputs, [letter({})])).toEqual([inputs[1], inputs[2], inputs[3]]);
  });
});
