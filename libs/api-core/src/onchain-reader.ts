// The chain side of /api/index/onchain: the SYI feed's latest round through viem.
import { getAddress, readLatestSyi, syiFeedAbi } from '@stableyield/chain';
import { type Address, type PublicClient } from 'viem';
import { type OnchainIndex, type OnchainIndexReader } from './onchain';

/** Chain id and decimals are read once, on the first request (the API starts while the chain is down). */
export function chainOnchainReader(client: PublicClient, feed: Address): OnchainIndexReader {
  let decimals: number | undefined;
  let chainId: number | undefined;
  return async () => {
    chainId ??= await client.getChainId();
    decimals ??= await client.readContract({ address: feed, abi: syiFeedAbi, functionName: 'decimals' });
    const round = await readLatestSyi(client, feed);
    if (!round) return undefined;
    const value: OnchainIndex = {
      address: getAddress(feed),
      chainId,
      decimals,
      roundId: round.roundId.toString(),
      answer: round.answer.toString(),
      value: Number(round.answer) / 10 ** decimals,
      updatedAt: Number(round.updatedAt),
      digest: round.digest,
    };
    return value;
  };
}
