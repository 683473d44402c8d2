import { canonicalParams, METHODOLOGY_V1, methodologyVersionOf, type MethodologyParams } from './params';
import { IndexState } from './state';

describe('methodology parameters', () => {
  it('v1 is frozen all the way down', () => {
    expect(Object.isFrozen(METHODOLOGY_V1)).toBe(true);
    expect(Object.isFrozen(METHODOLOGY_V1.counterparty.scores)).toBe(true);
    expect(() => {
      (METHODOLOGY_V1.weights as { singleCap: number }).singleCap = 0.5;
    }).toThrow(TypeError);
  });
  it('labels v1, and an identical copy in another order, as "1"', () => {
    expect(methodologyVersionOf(METHODOLOGY_V1)).toBe('1');
    const copy: MethodologyParams = JSON.parse(
      JSON.stringify({ ...METHODOLOGY_V1, constituents: [...METHODOLOGY_V1.constituents].reverse() }),
    );
    expect(methodologyVersionOf(copy)).toBe('1');
  });
  it('gives any other parameter set a distinct, stable custom label', () => {
    const fewer = { ...METHODOLOGY_V1, constituents: ['USDC', 'USDT'] };
    const looserCap = { ...METHODOLOGY_V1, weights: { ...METHODOLOGY_V1.weights, singleCap: 0.5 } };
    const otherScore = {
      ...METHODOLOGY_V1,
      counterparty: { ...METHODOLOGY_V1.counterparty, scores: { ...METHODOLOGY_V1.counterparty.scores, USDe: 0.71 } },
    };
    const labels = [fewer, looserCap, otherScore].map(methodologyVersionOf);
    for (const label of labels) expect(label).toMatch(/^1-custom\+[0-9a-f]{8}$/);
    expect(new Set(labels).size).toBe(3);
    expect(methodologyVersionOf({ ...fewer })).toBe(labels[0]);
  });
  it('records computed with a custom set carry the custom label', () => {
    const state = new IndexState({ ...METHODOLOGY_V1, constituents: ['USDC'] });
    expect(state.methodologyVersion).toBe(methodologyVersionOf({ ...METHODOLOGY_V1, constituents: ['USDC'] }));
    expect(state.methodologyVersion).not.toBe('1');
  });
  it('rejects unusable sets', () => {
    expect(() => new IndexState({ ...METHODOLOGY_V1, constituents: [] })).toThrow('constituents must not be empty');
    expect(() => new IndexState({ ...METHODOLOGY_V1, constituents: ['DAI', 'DAI'] })).toThrow('listed twice');
    expect(() => new IndexState({ ...METHODOLOGY_V1, peg: { ...METHODOLOGY_V1.peg, windowMs: 90_000 } })).toThrow(
      'multiple',
    );
  });
  it('canonical form does not depend on key order', () => {
    const reordered = Object.fromEntries(Object.entries(METHODOLOGY_V1).reverse()) as unknown as MethodologyParams;
    expect(canonicalParams(reordered)).toBe(canonicalParams(METHODOLOGY_V1));
  });
});
