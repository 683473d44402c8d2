// Deploys MockPyth to the local anvil and writes CONTRACT_ADDRESS and CHAIN_ID to a dotenv file.
// Used by scripts/stack/components/anvil.sh; the deployer comes from DEPLOYER_MNEMONIC (anvil's
// public test mnemonic in the local stack) and is never printed.
//   RPC_URL=… DEPLOYER_MNEMONIC=… CONTRACT_ENV_PATH=… [SOLC_CACHE_DIR=…] npx tsx libs/chain/src/deploy/cli.ts
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, z } from '@stableyield/config';
import { createPublicClient, getAddress, http } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { chainFromId, createChainClients } from '../rpc/clients';
import { deployMockPyth } from './deploy-mock-pyth';

const schema = z.object({
  RPC_URL: z.string().min(1),
  CONTRACT_ENV_PATH: z.string().min(1),
  DEPLOYER_MNEMONIC: z.string().min(1),
  SOLC_CACHE_DIR: z.string().optional(),
  MOCK_PYTH_VALID_TIME_PERIOD: z.coerce.bigint().default(60n),
  MOCK_PYTH_UPDATE_FEE_WEI: z.coerce.bigint().default(1n),
});
// anvil.sh runs this with a clean environment (env -i): the deploy sees only what it needs.
const config = loadConfig(schema);

async function main(): Promise<void> {
  const outFile = config.CONTRACT_ENV_PATH;
  const account = mnemonicToAccount(config.DEPLOYER_MNEMONIC);
  const transport = http(config.RPC_URL);
  const chainId = await createPublicClient({ transport }).getChainId();
  const { publicClient, walletClient } = createChainClients({ transport, chain: chainFromId(chainId), account });
  const started = Date.now();
  const address = await deployMockPyth({
    publicClient,
    walletClient,
    validTimePeriodSeconds: config.MOCK_PYTH_VALID_TIME_PERIOD,
    singleUpdateFeeInWei: config.MOCK_PYTH_UPDATE_FEE_WEI,
    ...(config.SOLC_CACHE_DIR ? { cacheDir: config.SOLC_CACHE_DIR } : {}),
  });
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(`${outFile}.tmp`, `CONTRACT_ADDRESS=${getAddress(address)}\nCHAIN_ID=${chainId}\n`);
  renameSync(`${outFile}.tmp`, outFile);
  console.log(`MockPyth deployed at ${address} on chain ${chainId} in ${Date.now() - started} ms`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
