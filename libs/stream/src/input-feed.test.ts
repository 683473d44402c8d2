import { PauseVotes } from './input-feed';

describe('PauseVotes', () => {
  it('pauses a partition only once every subscriber asks, and resumes it when any one withdraws', () => {
    const votes = new PauseVotes<string>(3);
    expect(votes.pause('cc.prices/0', 'a')).toBe(false);
    expect(votes.pause('cc.prices/0', 'b')).toBe(false);
    expect(votes.pause('cc.prices/0', 'b')).toBe(false); // asking twice is one vote
    expect(votes.pause('cc.prices/1', 'c')).toBe(false); // another partition
    expect(votes.pause('cc.prices/0', 'c')).toBe(true);
    expect(votes.pause('cc.prices/0', 'c')).toBe(false); // already paused
    expect(votes.resume('cc.prices/0', 'a')).toBe(true);
    expect(votes.resume('cc.prices/0', 'b')).toBe(false); // already resumed
    expect(votes.pause('cc.prices/0', 'a')).toBe(false);
  });

  it('a single subscriber pauses and resumes at once; withdrawing without a vote does nothing', () => {
    const votes = new PauseVotes<string>(1);
    expect(votes.resume('x/0', 'a')).toBe(false);
    expect(votes.pause('x/0', 'a')).toBe(true);
    expect(votes.resume('x/0', 'a')).toBe(true);
    votes.reset(2);
    expect(votes.pause('x/0', 'a')).toBe(false);
  });
});
