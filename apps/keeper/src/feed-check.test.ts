import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type FeedConfig, type FeedId } from '@stableyield/chain';
import { checkFeeds } from './feed-check';

const feed = (alias: string, hex: string): FeedConfig => ({
  alias,
  id: `0x${hex.repeat(64 / hex.length)}`,
  timeDifferenceS: 60,
  priceDeviationPct: 1,
  confidenceRatioPct: 100,
});
const FEEDS = [feed('USDC/USD', 'aa'), feed('TYPO/USD', 'bb'), feed('NEW/USD', 'cc')];

describe('checkFeeds', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A Hermes that serves two of the three ids (the shape of /v2/price_feeds: ids without 0x).
    server = createServer((req, res) => {
      if (req.url !== '/hermes/v2/price_feeds') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify([
          { id: 'aa'.repeat(32), attributes: {} },
          { id: 'cc'.repeat(32), attributes: {} },
        ]),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hermes`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const onChain = (ids: FeedId[]) => Promise.resolve(new Map(ids.map((id) => [id, id === FEEDS[0]!.id])));

  it('names the feeds Hermes does not serve and the ones the contract has no price for yet', async () => {
    const check = await checkFeeds(FEEDS, { hermesUrl: url, onChain });
    expect(check.unknownOnHermes?.map((f) => f.alias)).toEqual(['TYPO/USD']);
    expect(check.notOnChain.map((f) => f.alias)).toEqual(['TYPO/USD', 'NEW/USD']);
    expect(check.hermesError).toBeUndefined();
  });

  it('without HERMES_URL only the contract is asked; an unreachable Hermes is reported, not thrown', async () => {
    expect((await checkFeeds(FEEDS, { onChain })).unknownOnHermes).toBeUndefined();
    const down = await checkFeeds(FEEDS, { hermesUrl: `${url}/missing`, onChain });
    expect(down.hermesError).toMatch(/HTTP 404/);
    expect(down.unknownOnHermes).toBeUndefined();
  });
});
