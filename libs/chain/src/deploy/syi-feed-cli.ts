// Deploys contracts/SyiFeed.sol to any EVM chain and prints its address (docs/keeper.md, "The SYI feed").
// The deployer becomes the owner; SYI_FEED_UPDATER (the keeper's account) is the only publisher.
// The deployer's key comes from DEPLOYER_PRIVATE_KEY or DEPLOYER_PRIVATE_KEY_FILE (a mounted secret),
// or, on a local chain, DEPLOYER_MNEMONIC; it is never printed. With CONTRACT_ENV_PATH the address is
// also written there as SYI_FEED_ADDRESS (the local stack's contract.env; other lines are kept).
//   RPC_URL=https://… DEPLOYER_PRIVATE_KEY_FILE=/run/secrets/deployer SYI_FEED_UPDATER=0x… \
//     npx tsx libs/chain/src/deploy/syi-feed-cli.ts
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, z } from '@stableyield/config';
import { createPublicClient, getAddress, http, type Account, type Address } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { chainFromId, createChainClients } from '../rpc/clients';
import { DEFAULT_SYI_FEED_DESCRIPTION, deploySyiFeed } from './deploy-syi-feed';

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address')
  .transform((a) => getAddress(a));
const privateKey = z
  .string()
  .trim()
  .regex(/^(0x)?[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex') // the message never echoes the value
  .transform((k): `0x${string}` => (k.startsWith('0x') ? (k as `0x${string}`) : `0x${k}`));

export const syiFeedDeploySchema = z
  .object({
    RPC_URL: z.string().min(1),
    DEPLOYER_PRIVATE_KEY: privateKey.optional(),
    DEPLOYER_MNEMONIC: z.string().min(1).optional(),
    /** Default: the deployer. */
    SYI_FEED_UPDATER: address.optional(),
    /** The sane band of the SYI in percent; a publish outside it reverts. */
    SYI_FEED_MIN_PERCENT: z.coerce.number().finite().default(-10),
    SYI_FEED_MAX_PERCENT: z.coerce.number().finite().default(50),
    SYI_FEED_DESCRIPTION: z.string().min(1).default(DEFAULT_SYI_FEED_DESCRIPTION),
    /** legacy: chains without an EIP-1559 base fee. */
    GAS_MODE: z.enum(['eip1559', 'legacy']).default('eip1559'),
    CONTRACT_ENV_PATH: z.string().min(1).optional(),
    SOLC_CACHE_DIR: z.string().optional(),
  })
  .refine((c) => (c.DEPLOYER_PRIVATE_KEY === undefined) !== (c.DEPLOYER_MNEMONIC === undefined), {
    message: 'set exactly one of DEPLOYER_PRIVATE_KEY (or DEPLOYER_PRIVATE_KEY_FILE) and DEPLOYER_MNEMONIC',
  })
  .refine((c) => c.SYI_FEED_MIN_PERCENT < c.SYI_FEED_MAX_PERCENT, {
    message: 'SYI_FEED_MIN_PERCENT must be below SYI_FEED_MAX_PERCENT',
  });

/** Sets NAME=value in a dotenv file, keeping its other lines; atomic. */
export function upsertEnvLine(file: string, name: string, value: string): void {
  const kept = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith(`${name}=`))
    : [];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, [...kept, `${name}=${value}`, ''].join('\n'));
  renameSync(`${file}.tmp`, file);
}

async function main(): Promise<void> {
  const config = loadConfig(syiFeedDeploySchema);
  const account: Account = config.DEPLOYER_PRIVATE_KEY
    ? privateKeyToAccount(config.DEPLOYER_PRIVATE_KEY)
    : mnemonicToAccount(config.DEPLOYER_MNEMONIC as string);
  const transport = http(config.RPC_URL);
  const chainId = await createPublicClient({ transport }).getChainId();
  const { publicClient, walletClient } = createChainClients({ transport, chain: chainFromId(chainId), account });
  const updater: Address = config.SYI_FEED_UPDATER ?? account.address;
  const started = Date.now();
  const feed = await deploySyiFeed({
    publicClient,
    walletClient,
    updater,
    minPercent: config.SYI_FEED_MIN_PERCENT,
    maxPercent: config.SYI_FEED_MAX_PERCENT,
    description: config.SYI_FEED_DESCRIPTION,
    legacy: config.GAS_MODE === 'legacy',
    ...(config.SOLC_CACHE_DIR ? { cacheDir: config.SOLC_CACHE_DIR } : {}),
  });
  if (config.CONTRACT_ENV_PATH) upsertEnvLine(config.CONTRACT_ENV_PATH, 'SYI_FEED_ADDRESS', getAddress(feed));
  console.log(
    `SyiFeed deployed at ${getAddress(feed)} on chain ${chainId} (owner ${account.address}, updater ${updater}, ` +
      `band ${config.SYI_FEED_MIN_PERCENT} % … ${config.SYI_FEED_MAX_PERCENT} %) in ${Date.now() - started} ms`,
  );
  console.log(`SYI_FEED_ADDRESS=${getAddress(feed)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // Configuration errors list the variables at fault, never a value; RPC errors their message.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
