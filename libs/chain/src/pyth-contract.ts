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
    const p = await client.readContract({
      address: contract,
      abi: pythAbi,
      functionName: 'getPriceUnsafe',
      args: [id],
    });
    return { price: p.price, conf: p.conf, expo: p.expo, publishTime: Number(p.publishTime) };
  } catch (err) {
    if (revertErrorName(err) === 'PriceFeedNotFound') return undefined;
    throw err;
  }
}

/** Multicall3's address: the same on every chain that has it (https://www.multicall3.com). */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';

/** True when the chain has code at Multicall3's address. */
export async function hasMulticall3(client: PublicClient, address: Address = MULTICALL3_ADDRESS): Promise<boolean> {
  const code = await client.getCode({ address });
  return code !== undefined && code !== '0x';
}

/** On-chain prices of several feeds in ONE eth_call through Multicall3 (a never-pushed feed is undefined). */
export async function readOnchainPricesMulticall(
  client: PublicClient,
  contract: Address,
  ids: readonly FeedId[],
  multicallAddress: Address = MULTICALL3_ADDRESS,
): Promise<Map<FeedId, PriceInfo | undefined>> {
  const results = await client.multicall({
    multicallAddress,
    allowFailure: true,
    contracts: ids.map(
      (id) => ({ address: contract, abi: pythAbi, functionName: 'getPriceUnsafe', args: [id] }) as const,
    ),
  });
  return new Map(
    ids.map((id, i) => {
      const r = results[i];
      if (r?.status === 'success') {
        const p = r.result;
        return [id, { price: p.price, conf: p.conf, expo: p.expo, publishTime: Number(p.publishTime) }];
      }
      if (revertErrorName(r?.error) === 'PriceFeedNotFound') return [id, undefined];
      throw r?.error ?? new Error(`multicall returned no result for ${id}`);
    }),
  );
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

/** Which of these feeds the contract knows (priceFeedExists: pushed at least once). */
export async function feedsOnChain(
  client: PublicClient,
  contract: Address,
  ids: readonly FeedId[],
): Promise<Map<FeedId, boolean>> {
  const exists = await Promise.all(
    ids.map((id) =>
      client.readContract({ address: contract, abi: pythAbi, functionName: 'priceFeedExists', args: [id] }),
    ),
  );
  return new Map(ids.map((id, i) => [id, exists[i] === true]));
}

export async function readUpdateFee(
  client: PublicClient,
  contract: Address,
  updateData: readonly Hex[],
): Promise<bigint> {
  return client.readContract({ address: contract, abi: pythAbi, functionName: 'getUpdateFee', args: [updateData] });
}
