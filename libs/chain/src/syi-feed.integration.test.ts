// SyiFeed on a private anvil: a consumer contract reads what was published; T never goes back;
// only the updater publishes; the band holds; the Chainlink fields are exact.
import { BaseError, ContractFunctionRevertedError, http, type Address, type Hex } from 'viem';
import { anvilTestAccount, deployTestContract, deployTestSyiFeed, startAnvil, type TestAnvil } from './testing';
import { chainFromId, createChainClients } from './rpc/clients';
import { testContractArtifact } from './deploy/syi-feed-artifact';
import { readLatestSyi, RPL_NONE, syiRoundOf } from './syi-feed';
import { syiFeedAbi } from './syi-feed-abi';
import { SOLC_CACHE } from '../test/fixtures';

jest.setTimeout(60_000);

let anvil: TestAnvil;
let feed: Address;
const updater = anvilTestAccount(1);
const stranger = anvilTestAccount(2);

const walletOf = (index: number) =>
  createChainClients({
    transport: http(anvil.httpUrl),
    chain: chainFromId(anvil.chainId),
    account: anvilTestAccount(index),
    pollingIntervalMs: 100,
  });

const digest = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const round = (tS: number, percent: number, rpl: number | null = 0.5) =>
  syiRoundOf({
    ts: tS * 1000,
    value: percent,
    rpl,
    inputsDigest: digest(tS).slice(2),
    digest: digest(tS + 1).slice(2),
  });

async function publish(index: number, r: ReturnType<typeof round>): Promise<void> {
  const { publicClient, walletClient } = walletOf(index);
  const { request } = await publicClient.simulateContract({
    address: feed,
    abi: syiFeedAbi,
    functionName: 'publish',
    args: [r.answer, r.rpl, r.updatedAt, r.inputsDigest, r.digest],
    account: walletClient.account,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await walletClient.writeContract(request) });
  expect(receipt.status).toBe('success');
}

/** The custom error a call reverts with (simulation decodes it from the ABI). */
async function revertOf(call: Promise<unknown>): Promise<{ name: string; args: readonly unknown[] }> {
  try {
    await call;
  } catch (err) {
    const revert = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    if (revert instanceof ContractFunctionRevertedError && revert.data)
      return { name: revert.data.errorName, args: revert.data.args ?? [] };
    throw err;
  }
  throw new Error('the call did not revert');
}

const simulatePublish = (index: number, r: ReturnType<typeof round>) =>
  walletOf(index).publicClient.simulateContract({
    address: feed,
    abi: syiFeedAbi,
    functionName: 'publish',
    args: [r.answer, r.rpl, r.updatedAt, r.inputsDigest, r.digest],
    account: anvilTestAccount(index),
  });

beforeAll(async () => {
  anvil = await startAnvil();
  feed = await deployTestSyiFeed(anvil, updater.address, SOLC_CACHE);
});
afterAll(() => anvil?.stop());

describe('SyiFeed', () => {
  it('answers NoDataPresent before the first round, and describes itself', async () => {
    const c = anvil.client;
    expect(
      await revertOf(c.readContract({ address: feed, abi: syiFeedAbi, functionName: 'latestRoundData' })),
    ).toMatchObject({ name: 'NoDataPresent' });
    expect(await readLatestSyi(c, feed)).toBeUndefined();
    expect(await c.readContract({ address: feed, abi: syiFeedAbi, functionName: 'decimals' })).toBe(8);
    expect(await c.readContract({ address: feed, abi: syiFeedAbi, functionName: 'version' })).toBe(1n);
    expect(await c.readContract({ address: feed, abi: syiFeedAbi, functionName: 'description' })).toBe('SYI / percent');
  });

  it(
    'a consumer contract reading latestRoundData gets the published value; every Chainlink ' + 'field is exact',
    async () => {
      const { timestamp } = await anvil.client.getBlock();
      const t = Number(timestamp) - 30;
      await publish(1, round(t, 2.81, -1.09));
      const consumerArtifact = testContractArtifact('SyiFeedConsumer', SOLC_CACHE);
      const consumer = await deployTestContract(anvil, 'SyiFeedConsumer', [feed], SOLC_CACHE);
      const [answer, updatedAt, roundId, decimals] = (await anvil.client.readContract({
        address: consumer,
        abi: consumerArtifact.abi,
        functionName: 'readSyi',
        args: [3600n],
      })) as [bigint, bigint, bigint, number];
      expect({ answer, updatedAt, roundId, decimals }).toEqual({
        answer: 281_000_000n,
        updatedAt: BigInt(t),
        roundId: 1n,
        decimals: 8,
      });

      const latest = await anvil.client.readContract({
        address: feed,
        abi: syiFeedAbi,
        functionName: 'latestRoundData',
      });
      expect(latest).toEqual([1n, 281_000_000n, BigInt(t), BigInt(t), 1n]);
      expect(
        await anvil.client.readContract({ address: feed, abi: syiFeedAbi, functionName: 'getRoundData', args: [1n] }),
      ).toEqual(latest);
      expect(await readLatestSyi(anvil.client, feed)).toEqual({
        roundId: 1n,
        answer: 281_000_000n,
        rpl: -109_000_000n,
        updatedAt: BigInt(t),
        inputsDigest: digest(t),
        digest: digest(t + 1),
      });
      // A consumer refuses a value older than it accepts.
      expect(
        (
          await revertOf(
            anvil.client.readContract({
              address: consumer,
              abi: consumerArtifact.abi,
              functionName: 'readSyi',
              args: [10n],
            }),
          )
        ).name,
      ).toBe('StaleFeed');
    },
  );

  it('emits one SyiPublished event with every field of the round', async () => {
    const before = await anvil.client.getBlockNumber();
    const latestT = Number((await readLatestSyi(anvil.client, feed))!.updatedAt);
    await publish(1, round(latestT + 1, 2.82, null));
    const logs = await anvil.client.getContractEvents({ address: feed, abi: syiFeedAbi, fromBlock: before + 1n });
    expect(logs.map((l) => l.eventName)).toEqual(['SyiPublished']);
    expect(logs[0]!.args).toEqual({
      roundId: 2n,
      answer: 282_000_000n,
      rpl: RPL_NONE,
      updatedAt: BigInt(latestT + 1),
      inputsDigest: digest(latestT + 1),
      digest: digest(latestT + 2),
    });
  });

  it('an old record replayed (or the same T again) reverts StaleRound and does not roll the round back', async () => {
    const latest = (await readLatestSyi(anvil.client, feed))!;
    const t = Number(latest.updatedAt);
    expect(await revertOf(simulatePublish(1, round(t - 60, 3.5)))).toMatchObject({
      name: 'StaleRound',
      args: [BigInt(t - 60), BigInt(t)],
    });
    expect((await revertOf(simulatePublish(1, round(t, 3.5)))).name).toBe('StaleRound');
    // Sent anyway (no simulation): mined as a revert, the feed unchanged.
    const { publicClient, walletClient } = walletOf(1);
    const r = round(t - 60, 3.5);
    const hash = await walletClient.writeContract({
      address: feed,
      abi: syiFeedAbi,
      functionName: 'publish',
      args: [r.answer, r.rpl, r.updatedAt, r.inputsDigest, r.digest],
      gas: 200_000n,
    });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('reverted');
    expect(await readLatestSyi(anvil.client, feed)).toEqual(latest);
  });

  it('an unauthorised sender reverts NotUpdater; the owner moves the updater role', async () => {
    const t = Number((await readLatestSyi(anvil.client, feed))!.updatedAt) + 1;
    expect(await revertOf(simulatePublish(2, round(t, 2.9)))).toMatchObject({
      name: 'NotUpdater',
      args: [stranger.address],
    });
    // Even the owner is not the updater.
    expect((await revertOf(simulatePublish(0, round(t, 2.9)))).name).toBe('NotUpdater');
    // Only the owner sets the updater.
    const setBy = (index: number, to: Address) =>
      walletOf(index).publicClient.simulateContract({
        address: feed,
        abi: syiFeedAbi,
        functionName: 'setUpdater',
        args: [to],
        account: anvilTestAccount(index),
      });
    expect((await revertOf(setBy(2, stranger.address))).name).toBe('NotOwner');
    const { publicClient, walletClient } = walletOf(0);
    const { request } = await setBy(0, stranger.address);
    await publicClient.waitForTransactionReceipt({ hash: await walletClient.writeContract(request) });
    await publish(2, round(t, 2.9));
    expect((await revertOf(simulatePublish(1, round(t + 1, 2.9)))).name).toBe('NotUpdater');
    const back = await setBy(0, updater.address);
    await publicClient.waitForTransactionReceipt({ hash: await walletClient.writeContract(back.request) });
  });

  it('an answer outside the band set at deployment reverts AnswerOutOfBand; the edges are accepted', async () => {
    const t = Number((await readLatestSyi(anvil.client, feed))!.updatedAt) + 1;
    expect(await revertOf(simulatePublish(1, round(t, 50.00000001)))).toMatchObject({
      name: 'AnswerOutOfBand',
      args: [5_000_000_001n, -1_000_000_000n, 5_000_000_000n],
    });
    expect((await revertOf(simulatePublish(1, round(t, -10.00000001)))).name).toBe('AnswerOutOfBand');
    await publish(1, round(t, 50));
    await publish(1, round(t + 1, -10));
    expect((await readLatestSyi(anvil.client, feed))!.answer).toBe(-1_000_000_000n);
  });
});
