// Deploys MockPyth (constructor: validTimePeriod seconds, singleUpdateFeeInWei) and waits for it.
import { type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from 'viem';
import { mockPythArtifact } from './mock-pyth-artifact';

export interface DeployMockPythParams {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
  validTimePeriodSeconds?: bigint;
  singleUpdateFeeInWei?: bigint;
  /** Where the compiled artifact is cached across processes. */
  cacheDir?: string;
  /** Compile for an older EVM (tests of chains without EIP-1559: 'berlin'). */
  evmVersion?: string;
  /** Deploy with a legacy (gas price) transaction: chains without a base fee. */
  legacy?: boolean;
}

export async function deployMockPyth(params: DeployMockPythParams): Promise<Address> {
  const { abi, bytecode } = mockPythArtifact(params.cacheDir, params.evmVersion);
  const hash = await params.walletClient.deployContract({
    abi,
    bytecode,
    args: [params.validTimePeriodSeconds ?? 60n, params.singleUpdateFeeInWei ?? 1n],
    ...(params.legacy ? { type: 'legacy' as const } : {}),
  });
  const receipt = await params.publicClient.waitForTransactionReceipt({ hash, timeout: 30_000 });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`MockPyth deployment failed: ${hash}`);
  return receipt.contractAddress;
}
