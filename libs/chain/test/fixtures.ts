// Shared setup for the integration tests: a private anvil with MockPyth and a keeper wallet
// (anvil test account 1; account 0 deploys).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { http, type Address, type Hex, type Transport } from 'viem';
import {
  chainFromId,
  createChainClients,
  encodeMockPriceFeedUpdate,
  feePolicy,
  MemoryTxStateStore,
  NonceManager,
  TxSubmitter,
  defaultSubmitterOptions,
  type ChainClients,
  type FeePolicy,
  type FeedId,
  type SubmitterOptions,
  type TxStateStore,
  type UpdateBatch,
} from '../src';
import { anvilTestAccount, deployTestMockPyth, startAnvil, type TestAnvil } from '../src/testing';

export const SOLC_CACHE = join(process.env['STACK_CACHE'] ?? join(homedir(), '.cache', 'stableyield'), 'solc');

export const FEEDS = {
  usdc: '0xeaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a',
  usdt: '0x2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b',
  dai: '0xb0948a5e5313200c632b51bb5ca32f6de0d36e9950a942d19751e833f70dabfd',
} as const satisfies Record<string, FeedId>;

export interface Chain {
  anvil: TestAnvil;
  contract: Address;
  keeper: Address;
  clients(transport?: Transport): ChainClients;
  submitter(opts?: Partial<SubmitterOptions>, store?: TxStateStore, transport?: Transport, policy?: FeePolicy): TxSubmitter;
}

export async function startChain(anvilArgs: string[] = []): Promise<Chain> {
  const anvil = await startAnvil(anvilArgs);
  const contract = await deployTestMockPyth(anvil, SOLC_CACHE);
  const account = anvilTestAccount(1);
  const clients = (transport: Transport = http(anvil.httpUrl)): ChainClients =>
    createChainClients({ transport, chain: chainFromId(anvil.chainId), account, pollingIntervalMs: 100 });
  return {
    anvil,
    contract,
    keeper: account.address,
    clients,
    submitter: (opts = {}, store = new MemoryTxStateStore(), transport, policy = feePolicy({ maxGasPriceGwei: 500 })) => {
      const { publicClient, walletClient } = clients(transport);
      return new TxSubmitter(
        {
          publicClient,
          walletClient,
          contract,
          nonces: new NonceManager(publicClient, account.address, store),
          policy,
        },
        { ...defaultSubmitterOptions, receiptPollMs: 50, stuckAfterMs: 5_000, ...opts },
      );
    },
  };
}

export interface TestPrice {
  id: FeedId;
  price: bigint;
  conf?: bigint;
  publishTime: number;
}

/** A batch for MockPyth: one `abi.encode(PriceFeed, prevPublishTime)` blob per feed. */
export function batchOf(prices: TestPrice[]): UpdateBatch {
  return {
    updateData: prices.map(
      (p): Hex => encodeMockPriceFeedUpdate({ id: p.id, price: p.price, conf: p.conf ?? 1_000n, expo: -8, publishTime: p.publishTime }),
    ),
    priceIds: prices.map((p) => p.id),
    publishTimes: prices.map((p) => BigInt(p.publishTime)),
  };
}

export const nowS = (): number => Math.floor(Date.now() / 1000);
