// Shared setup for the integration tests: a private anvil with MockPyth and a keeper wallet
// (anvil test account 1; account 0 deploys).
import { homedir } from 'node:os';
import { join } from 'node:path';
import solc from 'solc';
import { custom, http, type Address, type EIP1193RequestFn, type Hex, type Transport } from 'viem';
import {
  chainFromId,
  createChainClients,
  encodeMockPriceFeedUpdate,
  feePolicy,
  MemoryTxStateStore,
  MULTICALL3_ADDRESS,
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
  submitter(
    opts?: Partial<SubmitterOptions>,
    store?: TxStateStore,
    transport?: Transport,
    policy?: FeePolicy,
  ): TxSubmitter;
}

/** A private anvil with MockPyth; `evmVersion` compiles MockPyth for an older EVM (e.g. a berlin chain). */
export async function startChain(anvilArgs: string[] = [], evmVersion?: string): Promise<Chain> {
  const anvil = await startAnvil(anvilArgs);
  const contract = await deployTestMockPyth(anvil, SOLC_CACHE, evmVersion);
  const account = anvilTestAccount(1);
  const clients = (transport: Transport = http(anvil.httpUrl)): ChainClients =>
    createChainClients({ transport, chain: chainFromId(anvil.chainId), account, pollingIntervalMs: 100 });
  return {
    anvil,
    contract,
    keeper: account.address,
    clients,
    submitter: (
      opts = {},
      store = new MemoryTxStateStore(),
      transport,
      policy = feePolicy({ maxGasPriceGwei: 500 }),
    ) => {
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
    updateData: prices.map((p): Hex =>
      encodeMockPriceFeedUpdate({
        id: p.id,
        price: p.price,
        conf: p.conf ?? 1_000n,
        expo: -8,
        publishTime: p.publishTime,
      }),
    ),
    priceIds: prices.map((p) => p.id),
    publishTimes: prices.map((p) => BigInt(p.publishTime)),
  };
}

export const nowS = (): number => Math.floor(Date.now() / 1000);

/** Polls `ok` every 20 ms until it holds; fails with `what` after `ms`. */
export async function until(ok: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A test's keeper stopped, then its chain's anvil (either may be missing: the test failed before starting it). */
export async function stopKeeperAndChain(
  keeper: { stop(): Promise<void> } | undefined,
  chain: Chain | undefined,
): Promise<void> {
  await keeper?.stop();
  await chain?.anvil.stop();
}

/**
 * An HTTP transport to anvil whose requests a test can watch or break: `intercept` sees every
 * JSON-RPC call and may answer it itself (return a value, or throw) instead of anvil.
 */
export function interceptedTransport(
  url: string,
  intercept: (method: string, params: unknown) => { answer: unknown } | undefined,
): Transport {
  const inner = http(url, { retryCount: 0 })({ retryCount: 0 });
  const request = (async (args: { method: string; params?: unknown }) => {
    const own = intercept(args.method, args.params);
    if (own) return own.answer;
    return inner.request(args as never);
  }) as EIP1193RequestFn;
  return custom({ request }, { retryCount: 0 });
}

// Multicall3's aggregate3, the one function viem's multicall calls (the real contract has more).
const MULTICALL3_SOURCE = `
pragma solidity ^0.8.0;
contract Multicall3 {
  struct Call3 { address target; bool allowFailure; bytes callData; }
  struct Result { bool success; bytes returnData; }
  function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
    returnData = new Result[](calls.length);
    for (uint256 i = 0; i < calls.length; i++) {
      (bool ok, bytes memory ret) = calls[i].target.call(calls[i].callData);
      require(ok || calls[i].allowFailure, "Multicall3: call failed");
      returnData[i] = Result(ok, ret);
    }
  }
}`;

/** Puts a Multicall3-compatible contract at Multicall3's canonical address (anvil_setCode). */
export async function installMulticall3(anvil: TestAnvil): Promise<void> {
  const input = {
    language: 'Solidity',
    sources: { 'Multicall3.sol': { content: MULTICALL3_SOURCE } },
    settings: { outputSelection: { 'Multicall3.sol': { Multicall3: ['evm.deployedBytecode.object'] } } },
  };
  const compile = solc.compile as (input: string) => string;
  const output = JSON.parse(compile(JSON.stringify(input))) as {
    contracts?: Record<string, Record<string, { evm: { deployedBytecode: { object: string } } }>>;
    errors?: { severity: string; formattedMessage: string }[];
  };
  const code = output.contracts?.['Multicall3.sol']?.['Multicall3']?.evm.deployedBytecode.object;
  if (!code)
    throw new Error(`Multicall3 did not compile: ${(output.errors ?? []).map((e) => e.formattedMessage).join('\n')}`);
  await anvil.rpc('anvil_setCode', [MULTICALL3_ADDRESS, `0x${code}`]);
}
