// The deploy CLI for a real chain, run as operators run it: key from a *_FILE secret, address printed,
// the key never printed; the deployed feed has the updater and band asked for.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { getAddress, toHex } from 'viem';
import { anvilTestAccount, startAnvil, type TestAnvil } from '../testing';
import { syiFeedAbi } from '../syi-feed-abi';
import { SOLC_CACHE } from '../../test/fixtures';

jest.setTimeout(90_000);
const ROOT = resolve(__dirname, '..', '..', '..', '..');
const run = promisify(execFile);

let anvil: TestAnvil;
let dir: string;
beforeAll(async () => {
  anvil = await startAnvil();
  dir = mkdtempSync(join(tmpdir(), 'syi-feed-cli-'));
});
afterAll(async () => {
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (env: Record<string, string>) =>
  run(join(ROOT, 'node_modules/.bin/tsx'), ['libs/chain/src/deploy/syi-feed-cli.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', SOLC_CACHE_DIR: SOLC_CACHE, ...env },
  });

it(
  'deploys with DEPLOYER_PRIVATE_KEY_FILE, prints the address and never the key, merges ' +
    'SYI_FEED_ADDRESS into CONTRACT_ENV_PATH',
  async () => {
    const deployer = anvilTestAccount(3);
    const key = toHex(deployer.getHdKey().privateKey!);
    const keyFile = join(dir, 'deployer-key');
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    const envFile = join(dir, 'contract.env');
    writeFileSync(
      envFile,
      'CONTRACT_ADDRESS=0x5FbDB2315678afecb367f032d93F642f64180aa3\nCHAIN_ID=31337\n' +
        'SYI_FEED_ADDRESS=0x0000000000000000000000000000000000000001\n',
    );
    const updater = anvilTestAccount(4).address;
    const { stdout, stderr } = await cli({
      RPC_URL: anvil.httpUrl,
      DEPLOYER_PRIVATE_KEY_FILE: keyFile,
      SYI_FEED_UPDATER: updater.toLowerCase(),
      SYI_FEED_MIN_PERCENT: '-5',
      SYI_FEED_MAX_PERCENT: '25',
      CONTRACT_ENV_PATH: envFile,
    });
    const address = /SYI_FEED_ADDRESS=(0x[0-9a-fA-F]{40})/.exec(stdout)?.[1] as `0x${string}`;
    expect(address).toBeDefined();
    for (const out of [stdout, stderr]) {
      expect(out.toLowerCase()).not.toContain(key.slice(2).toLowerCase());
    }
    expect(readFileSync(envFile, 'utf8')).toBe(
      `CONTRACT_ADDRESS=0x5FbDB2315678afecb367f032d93F642f64180aa3\nCHAIN_ID=31337\nSYI_FEED_ADDRESS=${address}\n`,
    );
    const read = <F extends 'owner' | 'updater' | 'minAnswer' | 'maxAnswer'>(functionName: F) =>
      anvil.client.readContract({ address, abi: syiFeedAbi, functionName });
    expect(await read('owner')).toBe(getAddress(deployer.address));
    expect(await read('updater')).toBe(updater);
    expect([await read('minAnswer'), await read('maxAnswer')]).toEqual([-500_000_000n, 2_500_000_000n]);
  },
);

it('refuses a key and a mnemonic together without echoing either', async () => {
  const key = toHex(anvilTestAccount(3).getHdKey().privateKey!);
  const failed = await cli({
    RPC_URL: anvil.httpUrl,
    DEPLOYER_PRIVATE_KEY: key,
    DEPLOYER_MNEMONIC: 'test test test test test test test test test test test junk',
  }).then(
    () => undefined,
    (err: { stderr: string; stdout: string; code: number }) => err,
  );
  expect(failed?.code).toBe(1);
  expect(failed?.stderr).toContain('set exactly one of DEPLOYER_PRIVATE_KEY');
  expect(`${failed?.stdout}${failed?.stderr}`).not.toContain(key.slice(2));
  expect(`${failed?.stdout}${failed?.stderr}`).not.toContain('junk');
});
