import { readOnchainPrices, createRpcTransport, closeWebSockets, reviveWebSockets } from '../index';
import { freePort } from '../testing';
import { batchOf, FEEDS, nowS, startChain, type Chain } from '../../test/fixtures';
import { startTcpProxy } from '../../test/tcp-proxy';

describe('RPC fallback: WebSocket first, HTTP when it is down', () => {
  let chain: Chain;
  let wsUrls: string[] = [];
  // viem reports each failed WebSocket reconnection with console.error; expected here.
  beforeEach(() => jest.spyOn(console, 'error').mockImplementation(() => undefined));
  afterEach(async () => {
    jest.restoreAllMocks();
    closeWebSockets(wsUrls);
    await chain?.anvil.stop();
  });

  it('pushes over HTTP when the WebSocket endpoint is dead from the start', async () => {
    chain = await startChain();
    const deadWs = `ws://127.0.0.1:${await freePort()}`;
    wsUrls = [deadWs];
    const transport = createRpcTransport([deadWs, chain.anvil.httpUrl], {
      timeoutMs: 2_000,
      wsReconnectAttempts: 1,
      wsReconnectDelayMs: 100,
    });
    const t = nowS();
    const started = Date.now();
    const result = await chain
      .submitter({}, undefined, transport)
      .submit(batchOf([{ id: FEEDS.usdc, price: 99_000_000n, publishTime: t }]));
    expect(result.status).toBe('mined');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await readOnchainPrices(chain.anvil.client, chain.contract, [FEEDS.usdc])).get(FEEDS.usdc)?.price).toBe(
      99_000_000n,
    );
  });

  it(
    'keeps pushing over HTTP after the WebSocket endpoint dies mid-run, and returns to it when ' + 'it is back',
    async () => {
      chain = await startChain();
      let proxy = await startTcpProxy(chain.anvil.port);
      const wsUrl = `ws://127.0.0.1:${proxy.port}`;
      wsUrls = [wsUrl];
      const transport = createRpcTransport([wsUrl, chain.anvil.httpUrl], {
        timeoutMs: 2_000,
        wsReconnectAttempts: 2,
        wsReconnectDelayMs: 100,
      });
      const submitter = chain.submitter({}, undefined, transport);
      const t = nowS();

      expect((await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 1n, publishTime: t }]))).status).toBe('mined');
      expect(proxy.connections()).toBeGreaterThan(0); // the first push went over the WebSocket

      await proxy.kill();
      const result = await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 2n, publishTime: t + 1 }]));
      expect(result.status).toBe('mined');
      expect((await readOnchainPrices(chain.anvil.client, chain.contract, [FEEDS.usdc])).get(FEEDS.usdc)?.price).toBe(
        2n,
      );

      // The endpoint comes back: once viem's reconnection attempts are spent, revival reopens it.
      proxy = await startTcpProxy(chain.anvil.port, proxy.port);
      const deadline = Date.now() + 10_000;
      while (reviveWebSockets(wsUrls) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await submitter.submit(batchOf([{ id: FEEDS.usdc, price: 3n, publishTime: t + 2 }]))).status).toBe(
        'mined',
      );
      expect(proxy.connections()).toBeGreaterThan(0);
      await proxy.kill();
    },
  );
});
