// Proves the simulator's Hermes binary payloads are exactly what MockPyth builds and accepts: compiles
// MockPyth.sol with solc, deploys it on a private anvil, compares createPriceFeedUpdateData with our
// encoding, then submits our blobs with updatePriceFeeds and reads the prices back.
import { anvilTestAccount, deployTestMockPyth, startAnvil, type TestAnvil } from '@stableyield/chain/testing';
import { encodeMockPriceFeedUpdate, mockPythArtifact } from '@stableyield/chain';
import { createWalletClient, http, type Address } from 'viem';
import { foundry } from 'viem/chains';
import { assetBySymbol } from './catalog';
import { HermesClock, slotSnapshot } from './hermes';
import { Market } from './market';

let anvil: TestAnvil;
let address: Address;

beforeAll(async () => {
  anvil = await startAnvil();
  address = await deployTestMockPyth(anvil);
});

afterAll(async () => {
  await anvil?.stop();
});

const USDC = assetBySymbol('USDC')!.pythId;

describe('MockPyth encoding on anvil', () => {
  it.each([
    {
      price: 99985000n,
      conf: 62343n,
      expo: -8,
      emaPrice: 99990000n,
      emaConf: 59359n,
      publishTime: 1751042519n,
      prevPublishTime: 1751042518n,
    },
    {
      price: -5n,
      conf: 0n,
      expo: -5,
      emaPrice: 9223372036854775807n,
      emaConf: 18446744073709551615n,
      publishTime: 1n,
      prevPublishTime: 0n,
    },
    {
      price: 10753049828641n,
      conf: 2379021325n,
      expo: 3,
      emaPrice: 1n,
      emaConf: 2n,
      publishTime: 4102444800n,
      prevPublishTime: 4102444799n,
    },
  ])('equals createPriceFeedUpdateData for %#', async (f) => {
    const onChain = await anvil.client.readContract({
      address,
      abi: mockPythArtifact().abi,
      functionName: 'createPriceFeedUpdateData',
      args: [`0x${USDC}`, f.price, f.conf, f.expo, f.emaPrice, f.emaConf, f.publishTime, f.prevPublishTime],
    });
    expect(encodeMockPriceFeedUpdate({ id: USDC, ...f })).toBe(onChain);
  });

  it('accepts the simulator blobs in updatePriceFeeds and stores their prices', async () => {
    const market = new Market(42);
    const clock = new HermesClock(2);
    const slot = clock.slotAt(Date.now());
    const snapshot = slotSnapshot(market, clock, slot);
    const ids = ['USDC', 'USDT', 'BTC'].map((s) => assetBySymbol(s)!.pythId);
    const data = ids.map((id) => `0x${snapshot.get(id)!.blobHex}`);
    const wallet = createWalletClient({ account: anvilTestAccount(0), chain: foundry, transport: http(anvil.httpUrl) });
    const abi = mockPythArtifact().abi;
    const fee = (await anvil.client.readContract({
      address,
      abi,
      functionName: 'getUpdateFee',
      args: [data],
    })) as bigint;
    const hash = await wallet.writeContract({
      address,
      abi,
      functionName: 'updatePriceFeeds',
      args: [data],
      value: fee,
    });
    const receipt = await anvil.client.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    for (const id of ids) {
      const stored = (await anvil.client.readContract({
        address,
        abi,
        functionName: 'getPriceUnsafe',
        args: [`0x${id}`],
      })) as {
        price: bigint;
        conf: bigint;
        expo: number;
        publishTime: bigint;
      };
      const parsed = snapshot.get(id)!.parsed;
      expect(stored.price.toString()).toBe(parsed.price.price);
      expect(stored.conf.toString()).toBe(parsed.price.conf);
      expect(stored.expo).toBe(parsed.price.expo);
      expect(Number(stored.publishTime)).toBe(parsed.price.publish_time);
    }
  });
});
