// TEST HELPERS ONLY. Starts a private anvil on a free port (so tests run beside the stack's anvil
// on 8545) and derives accounts from anvil's PUBLIC, well-known test mnemonic at runtime. These
// keys hold value on no real chain; product code never uses them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createPublicClient, http, type Address, type HDAccount, type PublicClient } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { deployMockPyth } from '../deploy/deploy-mock-pyth';
import { deploySyiFeed } from '../deploy/deploy-syi-feed';
import { testContractArtifact } from '../deploy/syi-feed-artifact';
import { chainFromId, createChainClients } from '../rpc/clients';

/** anvil's default mnemonic, public on purpose (foundry docs); for local test chains only. */
export const ANVIL_TEST_MNEMONIC = 'test test test test test test test test test test test junk';

export function anvilTestAccount(index = 0): HDAccount {
  return mnemonicToAccount(ANVIL_TEST_MNEMONIC, { addressIndex: index });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function anvilBinary(): string {
  const root = dirname(dirname(require.resolve('@foundry-rs/anvil/package.json')));
  const native = readdirSync(root)
    .filter((d) => d.startsWith('anvil-'))
    .map((d) => join(root, d, 'bin', 'anvil'))
    .find((p) => existsSync(p));
  if (!native) throw new Error('no native anvil binary under @foundry-rs');
  return native;
}

export interface TestAnvil {
  port: number;
  httpUrl: string;
  wsUrl: string;
  chainId: number;
  client: PublicClient;
  /** Raw JSON-RPC (evm_mine, evm_setAutomine, anvil_setBalance, …). */
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startAnvil(extraArgs: string[] = []): Promise<TestAnvil> {
  const port = await freePort();
  const chainId = 31337;
  const child: ChildProcess = spawn(
    anvilBinary(),
    [
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--chain-id',
      String(chainId),
      '--mnemonic',
      ANVIL_TEST_MNEMONIC,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const httpUrl = `http://127.0.0.1:${port}`;
  const client = createPublicClient({
    chain: chainFromId(chainId),
    transport: http(httpUrl, { retryCount: 0 }),
    pollingInterval: 100,
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await client.getChainId();
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`anvil did not start on ${port}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    chainId,
    client,
    rpc: (method, params = []) => client.request({ method: method as never, params: params as never }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Clients of dev account 0, the deployer of the test contracts, on `anvil`. */
function deployerClients(anvil: TestAnvil): ReturnType<typeof createChainClients> {
  return createChainClients({
    transport: http(anvil.httpUrl),
    chain: chainFromId(anvil.chainId),
    account: anvilTestAccount(0),
    pollingIntervalMs: 100,
  });
}

/**
 * Deploys MockPyth (validTimePeriod 60 s, fee 1 wei per update) with dev account 0. An `evmVersion`
 * (e.g. 'berlin', for `anvil --hardfork berlin`) compiles it for that EVM and deploys it with a
 * legacy transaction (such chains have no base fee).
 */
export async function deployTestMockPyth(anvil: TestAnvil, cacheDir?: string, evmVersion?: string): Promise<Address> {
  const { publicClient, walletClient } = deployerClients(anvil);
  return deployMockPyth({
    publicClient,
    walletClient,
    ...(cacheDir ? { cacheDir } : {}),
    ...(evmVersion ? { evmVersion, legacy: true } : {}),
  });
}

/** Deploys SyiFeed with dev account 0 as owner; `updater` publishes; band −10 %…50 % unless given. */
export async function deployTestSyiFeed(
  anvil: TestAnvil,
  updater: Address,
  cacheDir?: string,
  band: { minPercent: number; maxPercent: number } = { minPercent: -10, maxPercent: 50 },
): Promise<Address> {
  const { publicClient, walletClient } = deployerClients(anvil);
  return deploySyiFeed({ publicClient, walletClient, updater, ...band, ...(cacheDir ? { cacheDir } : {}) });
}

/** Deploys a test-only contract of contracts/test/ (e.g. SyiFeedConsumer) with dev account 0. */
export async function deployTestContract(
  anvil: TestAnvil,
  name: string,
  args: readonly unknown[],
  cacheDir?: string,
): Promise<Address> {
  const { publicClient, walletClient } = deployerClients(anvil);
  const { abi, bytecode } = testContractArtifact(name, cacheDir);
  const hash = await walletClient.deployContract({ abi, bytecode, args });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 30_000 });
  if (!receipt.contractAddress) throw new Error(`${name} deployment failed`);
  return receipt.contractAddress;
}
