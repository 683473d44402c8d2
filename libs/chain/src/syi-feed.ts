// The SYI feed contract (contracts/SyiFeed.sol) from TypeScript: a syi.calculated record as a round,
// and the latest round read back.
import { type Address, type Hex, type PublicClient } from 'viem';
import { syiFeedAbi } from './syi-feed-abi';

export const SYI_FEED_DECIMALS = 8;
/** The RPL stored for a record without a T-bill rate (the contract's RPL_NONE). */
export const RPL_NONE = -(2n ** 255n);

/** What a round carries, from one syi.calculated record. */
export interface SyiRound {
  /** SYI percent × 10^8. */
  answer: bigint;
  /** RPL percent × 10^8, or RPL_NONE. */
  rpl: bigint;
  /** Index time T, seconds. */
  updatedAt: bigint;
  inputsDigest: Hex;
  digest: Hex;
}

export interface SyiRecordFields {
  /** T in milliseconds. */
  ts: number;
  /** SYI in percent. */
  value: number;
  rpl: number | null;
  inputsDigest: string;
  digest: string;
}

/** A percentage as the feed's integer answer (percent × 10^8). */
export function percentToAnswer(percent: number): bigint {
  if (!Number.isFinite(percent)) throw new Error(`not a finite percentage: ${percent}`);
  return BigInt(Math.round(percent * 10 ** SYI_FEED_DECIMALS));
}

/** A SHA-256 hex digest (64 hex characters, with or without 0x) as bytes32. */
export function digestToBytes32(digest: string): Hex {
  const hex = digest.startsWith('0x') ? digest.slice(2) : digest;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`not a 32-byte hex digest: ${digest.slice(0, 80)}`);
  return `0x${hex.toLowerCase()}`;
}

export function syiRoundOf(record: SyiRecordFields): SyiRound {
  if (record.ts % 1000 !== 0) throw new Error(`T must be whole seconds: ${record.ts}`);
  return {
    answer: percentToAnswer(record.value),
    rpl: record.rpl === null ? RPL_NONE : percentToAnswer(record.rpl),
    updatedAt: BigInt(record.ts / 1000),
    inputsDigest: digestToBytes32(record.inputsDigest),
    digest: digestToBytes32(record.digest),
  };
}

/** The latest round as the feed answers it; undefined before the first publish. */
export interface OnchainSyi {
  roundId: bigint;
  answer: bigint;
  updatedAt: bigint;
  digest: Hex;
  inputsDigest: Hex;
  rpl: bigint;
}

export async function readLatestSyi(client: PublicClient, feed: Address): Promise<OnchainSyi | undefined> {
  const roundId = await client.readContract({ address: feed, abi: syiFeedAbi, functionName: 'latestRound' });
  if (roundId === 0n) return undefined;
  const [answer, rpl, updatedAt, inputsDigest, digest] = await client.readContract({
    address: feed,
    abi: syiFeedAbi,
    functionName: 'getRoundDetails',
    args: [roundId],
  });
  return { roundId, answer, rpl, updatedAt, inputsDigest, digest };
}

/** The feed's value in percent (answer / 10^8). */
export const answerToPercent = (answer: bigint): number => Number(answer) / 10 ** SYI_FEED_DECIMALS;
