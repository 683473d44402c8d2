import { type Consumer } from 'kafkajs';
import { ActiveStandby, type StandDownOn } from './standby';

const TOPIC = 'keeper.input';
const EVENTS = {
  GROUP_JOIN: 'join',
  CRASH: 'crash',
  REBALANCING: 'rebalancing',
  STOP: 'stop',
  DISCONNECT: 'disconnect',
};

/** Just the event surface ActiveStandby uses, with a way to fire events. */
function fakeConsumer() {
  const listeners = new Map<string, ((e: unknown) => void)[]>();
  const consumer = {
    events: EVENTS,
    on: (event: string, listener: (e: unknown) => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    },
  } as unknown as Consumer;
  const fire = (event: string, payload: unknown = {}) => listeners.get(event)?.forEach((l) => l({ payload }));
  const join = (partitions: number[]) => fire(EVENTS.GROUP_JOIN, { memberAssignment: { [TOPIC]: partitions } });
  return { consumer, fire, join };
}

function follow(standDownOn: StandDownOn) {
  const fake = fakeConsumer();
  const changes: [boolean, string][] = [];
  const joins: boolean[] = [];
  const standby = new ActiveStandby(fake.consumer, {
    topic: TOPIC,
    standDownOn,
    onChange: (active, why) => changes.push([active, why]),
    onJoin: (active) => joins.push(active),
  });
  return { ...fake, standby, changes, joins };
}

describe('ActiveStandby', () => {
  it('is active while partition 0 is assigned; reports every join and each change once', () => {
    const s = follow('crash');
    s.join([]);
    s.join([0]);
    s.join([0]);
    expect(s.standby.active).toBe(true);
    s.join([]);
    expect(s.joins).toEqual([false, true, true, false]);
    expect(s.changes).toEqual([
      [true, 'partition assigned'],
      [false, 'partition revoked'],
    ]);
  });

  it("'crash': rides through a rebalance, stands down on a crash", () => {
    const s = follow('crash');
    s.join([0]);
    s.fire(EVENTS.REBALANCING);
    s.fire(EVENTS.DISCONNECT);
    expect(s.standby.active).toBe(true);
    s.fire(EVENTS.CRASH, { error: new Error('boom') });
    expect(s.changes.at(-1)).toEqual([false, 'consumer crashed: Error: boom']);
  });

  const doubts = [EVENTS.REBALANCING, EVENTS.CRASH, EVENTS.STOP, EVENTS.DISCONNECT];
  it.each(doubts)("'rebalance': stands down on %s", (event) => {
    const s = follow('rebalance');
    s.join([0]);
    s.fire(event, { error: 'x' });
    expect(s.standby.active).toBe(false);
    expect(s.changes.map(([active]) => active)).toEqual([true, false]);
  });

  it('resigns without reporting a loss', () => {
    const s = follow('rebalance');
    s.join([0]);
    s.standby.resign();
    s.fire(EVENTS.DISCONNECT);
    expect(s.standby.active).toBe(false);
    expect(s.changes).toEqual([[true, 'partition assigned']]);
  });
});
