// The SYI duty's test setup beside harness.ts: SyiFeed on the test anvil (updater: the keeper's
// account), a per-test syi.calculated topic, and records produced into it.
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { syiFeedAbi } from '@stableyield/chain';
import { deployTestSyiFeed } from '@stableyield/chain/testing';
import { connectTestProducer, provisionTestTopics } from '@stableyield/kafka/testing';
import { syiRecord } from '@stableyield/live-feed/testing';
import { type Address } from 'viem';
import { type Env } from './harness';

const SOLC_CACHE = join(process.env['STACK_CACHE'] ?? join(homedir(), '.cache', 'stableyield'), 'solc');

export interface SyiEnv {
  feed: Address;
  topic: string;
  /** Produces a syi.calculated record at T (seconds) with this value (percent). */
  produce(tS: number, value: number): Promise<void>;
  /** SyiPublished events: round ids and T in order. */
  rounds(): Promise<{ roundId: bigint; updatedAt: number; answer: bigint }[]>;
  env(): Record<string, string>;
  close(): Promise<void>;
}

export async function startSyiEnv(env: Env): Promise<SyiEnv> {
  const feed = await deployTestSyiFeed(env.anvil, env.keeperAddress, SOLC_CACHE);
  const prefix = `test-keeper-syi-${randomUUID().slice(0, 8)}.`;
  const topic = `${prefix}syi.calculated`;
  const { stack } = env;
  await provisionTestTopics(stack, prefix, ['syi.calculated']);
  const producer = await connectTestProducer(stack);
  let seq = 0;
  const hex = (): string => (++seq).toString(16).padStart(64, '0');
  return {
    feed,
    topic,
    produce: (tS, value) =>
      producer.send(topic as 'syi.calculated', [
        {
          key: 'syi',
          value: syiRecord({ ts: tS * 1000, value, rpl: value - 3.88, inputsDigest: hex(), digest: hex() }),
        },
      ]),
    async rounds() {
      const logs = await env.anvil.client.getContractEvents({
        address: feed,
        abi: syiFeedAbi,
        eventName: 'SyiPublished',
        fromBlock: 0n,
      });
      return logs.map((l) => ({
        roundId: l.args.roundId!,
        updatedAt: Number(l.args.updatedAt),
        answer: l.args.answer!,
      }));
    },
    env: () => ({ SYI_FEED_ADDRESS: feed, SYI_INPUT_TOPIC: topic, SYI_MIN_INTERVAL_S: '0' }),
    close: () => producer.disconnect(),
  };
}

/** Round ids 1, 2, 3… and every T strictly above the one before. */
export function strictlyIncreasing(rounds: { roundId: bigint; updatedAt: number }[]): boolean {
  return rounds.every((r, i) => r.roundId === BigInt(i + 1) && (i === 0 || r.updatedAt > rounds[i - 1]!.updatedAt));
}
