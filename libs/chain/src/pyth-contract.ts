// Reads from the Pyth contract. A feed that was never pushed reverts PriceFeedNotFound; that is
// "no on-chain price" (undefined), not an error.
import { BaseError, ContractFunctionRevertedError, type Address, type Hex, type PublicClient } from 'viem';
import { pythAbi } from './pyth-abi';
import { type FeedId, type PriceInfo } from './price-feed';

/** The custom-error name of a contract revert anywhere in a viem error chain, if any. */
export function revertErrorName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
}

export async function readOnchainPrice(
  client: PublicClient,
  contract: Address,
  id: FeedId,
): Promise<PriceInfo | undefined> {
  try {
    const p = await client.readContract({ address: contract, abi: pythAbi, functionName: 'getPriceUnsafe', args: [id] });
    return { price: p.price, conf: p.conf, expo: p.expo, publishTime: Number(p.publishTime) };
  } catch (err) {
    if (revertErrorName(err) === 'PriceFeedNotFound') return undefined;
    throw err;
  }
}

/** On-chain prices of several feeds, read in parallel. */
export async function readOnchainPrices(
  client: PublicClient,
  contract: Address,
  ids: readonly FeedId[],
): Promise<Map<FeedId, PriceInfo | undefined>> {
  const prices = await Promise.all(ids.map((id) => readOnchainPrice(client, contract, id)));
  return new Map(ids.map((id, i) => [id, prices[i]]));
}

export async function readUpdateFee(client: PublicClient, contract: Address, updateData: readonly Hex[]): Promise<bigint> {
  return client.readContract({ address: contract, abi: pythAbi, functionName: 'getUpdateFee', args: [updateData] });
}
