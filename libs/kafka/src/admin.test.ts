import type { Kafka } from 'kafkajs';
import { partitionOffsets } from './admin';

/** A kafkajs-like error: protocol errors carry `retriable`. */
function kafkaError(message: string, retriable: boolean): Error {
  return Object.assign(new Error(message), { retriable });
}

/** A Kafka whose admin clients answer fetchTopicOffsets from `answers` in turn, one per client. */
function fakeKafka(answers: (Error | { partition: number; low: string; high: string }[])[]) {
  const clients: { connected: boolean; disconnected: boolean }[] = [];
  const kafka = {
    admin: () => {
      const client = { connected: false, disconnected: false };
      clients.push(client);
      return {
        connect: () => Promise.resolve(void (client.connected = true)),
        disconnect: () => Promise.resolve(void (client.disconnected = true)),
        fetchTopicOffsets: () => {
          const answer = answers.shift();
          return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, clients };
}

describe('partitionOffsets', () => {
  it('asks again on a fresh client after a retriable error (a leader that moved)', async () => {
    const { kafka, clients } = fakeKafka([
      kafkaError('This server is not the leader for that topic-partition', true),
      [{ partition: 0, low: '3', high: '10' }],
    ]);
    await expect(partitionOffsets(kafka, 't')).resolves.toEqual([{ partition: 0, low: 3, high: 10 }]);
    expect(clients).toHaveLength(2);
    expect(clients.every((c) => c.connected && c.disconnected)).toBe(true);
  });

  it('throws a non-retriable error at once', async () => {
    const { kafka, clients } = fakeKafka([kafkaError('Not authorized to access topics', false)]);
    await expect(partitionOffsets(kafka, 't')).rejects.toThrow('Not authorized');
    expect(clients).toHaveLength(1);
    expect(clients[0]!.disconnected).toBe(true);
  });
});
