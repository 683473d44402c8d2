// /api/index/onchain's reader against a private anvil with SyiFeed: what latestRoundData holds.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chainFromId, createChainClients, syiFeedAbi, syiRoundOf } from '@stableyield/chain';
import { anvilTestAccount, deployTestSyiFeed, startAnvil, type TestAnvil } from '@stableyield/chain/testing';
import { getAddress, http } from 'viem';
import { chainOnchainReader } from './onchain-reader';

const SOLC_CACHE = join(process.env['STACK_CACHE'] ?? join(homedir(), '.cache', 'stableyield'), 'solc');
jest.setTimeout(60_000);

let anvil: TestAnvil;
beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(() => anvil?.stop());

it('reads nothing before the first round, then latestRoundData with its digest', async () => {
  const updater = anvilTestAccount(1);
  const feed = await deployTestSyiFeed(anvil, updater.address, SOLC_CACHE);
  const read = chainOnchainReader(anvil.client, feed);
  expect(await read()).toBeUndefined();

  const { publicClient, walletClient } = createChainClients({
    transport: http(anvil.httpUrl),
    chain: chainFromId(anvil.chainId),
    account: updater,
    pollingIntervalMs: 100,
  });
  const round = syiRoundOf({
    ts: 1_767_226_020_000,
    value: 4.2003,
    rpl: 0.3,
    inputsDigest: '11'.repeat(32),
    digest: 'ab'.repeat(32),
  });
  const hash = await walletClient.writeContract({
    address: feed,
    abi: syiFeedAbi,
    functionName: 'publish',
    args: [round.answer, round.rpl, round.updatedAt, round.inputsDigest, round.digest],
  });
  expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');

  expect(await read()).toEqual({
    address: getAddress(feed),
    chainId: 31337,
    decimals: 8,
    roundId: '1',
    answer: '420030000',
    value: 4.2003,
    updatedAt: 1_767_226_020,
    digest: `0x${'ab'.repeat(32)}`,
  });
});
