// Deploys SyiFeed (constructor: description, minAnswer, maxAnswer, updater) and waits for it.
import { type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from 'viem';
import { syiFeedArtifact } from './syi-feed-artifact';
import { percentToAnswer } from '../syi-feed';

export interface DeploySyiFeedParams {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
  /** The keeper's account: the only sender `publish` accepts (the owner can change it). */
  updater: Address;
  /** The sane band of the SYI, in percent: a publish outside it reverts. */
  minPercent: number;
  maxPercent: number;
  description?: string;
  cacheDir?: string;
  evmVersion?: string;
  legacy?: boolean;
}

export const DEFAULT_SYI_FEED_DESCRIPTION = 'SYI / percent';

export async function deploySyiFeed(params: DeploySyiFeedParams): Promise<Address> {
  const { abi, bytecode } = syiFeedArtifact(params.cacheDir, params.evmVersion);
  const hash = await params.walletClient.deployContract({
    abi,
    bytecode,
    args: [
      params.description ?? DEFAULT_SYI_FEED_DESCRIPTION,
      percentToAnswer(params.minPercent),
      percentToAnswer(params.maxPercent),
      params.updater,
    ],
    ...(params.legacy ? { type: 'legacy' as const } : {}),
  });
  const receipt = await params.publicClient.waitForTransactionReceipt({ hash, timeout: 30_000 });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`SyiFeed deployment failed: ${hash}`);
  return receipt.contractAddress;
}
