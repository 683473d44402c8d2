// HTTP wiring: each upstream API under its own base path, so an ingester's base URL is
// http://127.0.0.1:7100/<source>. Bodies come from libs/market-model; this file only routes, applies
// scenario effects (outages, malformed bodies, Hermes modes) and counts requests.
import {
  ASSETS,
  BINANCE_INVALID_SYMBOL,
  CONSTITUENTS,
  FRED_SERIES,
  HermesClock,
  activeEvents,
  binanceDepth,
  binanceTicker,
  cryptoCompareBody,
  cryptoCompareError,
  defiLlamaPoolsBody,
  defiLlamaStablecoinsBody,
  fredError,
  fredObservationsBody,
  malformedText,
  priceFeedsBody,
  priceIdsNotFoundBody,
  priceUpdateBody,
  resolveFeedIds,
  slotSnapshot,
  type HermesEncoding,
  type Source,
} from '@stableyield/market-model';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type Logger } from '@stableyield/observability';
import { parse as parseYaml } from 'yaml';
import { type HermesStreams } from './hermes-stream';
import { type SimMetrics } from './metrics';
import { type SimState } from './state';

export interface AppDeps {
  state: SimState;
  streams: HermesStreams;
  metrics: SimMetrics;
  logger: Logger;
}

const PREFIXES: [string, Source][] = [
  ['/hermes/', 'hermes'],
  ['/cryptocompare/', 'cryptocompare'],
  ['/binance/', 'binance'],
  ['/defillama/yields/', 'defillama-yields'],
  ['/defillama/stablecoins/', 'defillama-stablecoins'],
  ['/fred/', 'fred'],
];

function sourceOf(url: string): Source | null {
  return PREFIXES.find(([prefix]) => url.startsWith(prefix))?.[1] ?? null;
}

type Query = Record<string, string | string[] | undefined>;

function list(query: Query, ...keys: string[]): string[] {
  return keys.flatMap((k) => {
    const v = query[k];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  });
}

function one(query: Query, key: string): string | undefined {
  const v = query[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function bool(query: Query, key: string, fallback: boolean): boolean | 'invalid' {
  const v = one(query, key);
  if (v === undefined) return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return 'invalid';
}

/** Default pairs for /ticker/24hr without a symbol: constituents against USDT (USDT against USDC), ETH, BTC. */
const DEFAULT_PAIRS = [
  ...CONSTITUENTS.map((s) => (s === 'USDT' ? 'USDTUSDC' : `${s.toUpperCase()}USDT`)),
  'ETHUSDT',
  'BTCUSDT',
];

export function buildApp(deps: AppDeps): FastifyInstance {
  const { state, streams, metrics } = deps;
  // Request logs at info would be one line per poll; the http module logs warnings and errors only.
  const loggerInstance: FastifyBaseLogger = deps.logger.child({ module: 'http' }, { level: 'warn' });
  const app = Fastify({ loggerInstance });

  app.addContentTypeParser(
    ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'],
    { parseAs: 'string' },
    (_req, body, done) => {
      try {
        done(null, parseYaml(body as string) as unknown);
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );

  // Outages: the whole source answers 503, or drops the connection without an answer.
  app.addHook('onRequest', async (request, reply) => {
    const source = sourceOf(request.url);
    if (source === null) return;
    const outage = state.effects().outage(source);
    if (outage === 'drop') {
      metrics.requests.inc({ source, status: 'dropped' });
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    if (outage === '503') return reply.code(503).type('text/plain').send('Service Unavailable');
    return undefined;
  });

  app.addHook('onResponse', async (request, reply) => {
    const source = sourceOf(request.url);
    if (source !== null) metrics.requests.inc({ source, status: String(reply.statusCode) });
  });

  /** Sends a JSON body, or a malformed variant when the scenario says so. */
  function sendBody(reply: FastifyReply, source: Source, body: unknown): FastifyReply {
    const verdict = state.nextMalformed(source);
    const text = verdict.malformed ? malformedText(source, body, verdict.counter) : JSON.stringify(body);
    return reply.type('application/json; charset=utf-8').send(text);
  }

  // ---------- Hermes ----------

  /** Shared checks of the price-update routes: scenario refusals, params, ids. */
  function hermesRequest(
    request: FastifyRequest,
    reply: FastifyReply,
  ): { ids: string[]; encoding: HermesEncoding; parsed: boolean } | null {
    const query = request.query as Query;
    const requested = list(query, 'ids[]', 'ids');
    const mode = state.effects().hermesMode();
    if (mode?.mode === '429') {
      void reply
        .code(429)
        .header('retry-after', String(mode.retryAfterSeconds))
        .type('text/plain')
        .send('Too Many Requests');
      return null;
    }
    if (mode?.mode === '404') {
      void reply
        .code(404)
        .type('text/plain')
        .send(priceIdsNotFoundBody(requested.length > 0 ? requested : ['0'.repeat(64)]));
      return null;
    }
    const encoding = one(query, 'encoding') ?? 'hex';
    const parsed = bool(query, 'parsed', true);
    const ignoreInvalid = bool(query, 'ignore_invalid_price_ids', false);
    if ((encoding !== 'hex' && encoding !== 'base64') || parsed === 'invalid' || ignoreInvalid === 'invalid') {
      void reply.code(400).type('text/plain').send('Failed to deserialize query string');
      return null;
    }
    if (requested.length === 0) {
      void reply.code(400).type('text/plain').send('Failed to deserialize query string: missing field `ids`');
      return null;
    }
    const { known, unknown } = resolveFeedIds(requested);
    if (unknown.length > 0 && !ignoreInvalid) {
      void reply.code(404).type('text/plain').send(priceIdsNotFoundBody(unknown));
      return null;
    }
    return { ids: known, encoding, parsed };
  }

  app.get('/hermes/v2/updates/price/latest', async (request, reply) => {
    const req = hermesRequest(request, reply);
    if (req === null) return reply;
    const snapshot = slotSnapshot(state.market, state.clock, state.clock.slotAt(state.now()));
    const feeds = req.ids.flatMap((id) => snapshot.get(id) ?? []);
    return sendBody(reply, 'hermes', priceUpdateBody(feeds, req));
  });

  app.get('/hermes/v2/updates/price/stream', async (request, reply) => {
    const req = hermesRequest(request, reply);
    if (req === null) return reply;
    reply.hijack();
    streams.open(reply.raw, req);
    return reply;
  });

  app.get('/hermes/v2/price_feeds', async (request, reply) => {
    const query = request.query as Query;
    return reply.send(priceFeedsBody(one(query, 'query'), one(query, 'asset_type')));
  });

  // ---------- CryptoCompare ----------

  app.get('/cryptocompare/data/pricemultifull', async (request, reply) => {
    const query = request.query as Query;
    const fsyms = (one(query, 'fsyms') ?? '').split(',').filter((s) => s !== '');
    const tsyms = (one(query, 'tsyms') ?? '').split(',').filter((s) => s !== '');
    if (fsyms.length === 0)
      return sendBody(reply, 'cryptocompare', { ...cryptoCompareError('fsyms param is empty or null.'), Type: 2 });
    if (tsyms.length === 0)
      return sendBody(reply, 'cryptocompare', { ...cryptoCompareError('tsyms param is empty or null.'), Type: 2 });
    // Like min-api, errors come back with HTTP 200 and "Response":"Error".
    return sendBody(reply, 'cryptocompare', cryptoCompareBody(state.market, fsyms, tsyms, state.now()));
  });

  // ---------- Binance ----------

  app.get('/binance/api/v3/ticker/24hr', async (request, reply) => {
    const query = request.query as Query;
    const symbol = one(query, 'symbol');
    const symbolsParam = one(query, 'symbols');
    let pairs: string[];
    try {
      pairs =
        symbol !== undefined
          ? [symbol]
          : symbolsParam !== undefined
            ? (JSON.parse(symbolsParam) as string[])
            : DEFAULT_PAIRS;
    } catch {
      return reply.code(400).send({ code: -1100, msg: "Illegal characters found in parameter 'symbols'." });
    }
    const now = state.now();
    const tickers = pairs.map((p) => binanceTicker(state.market, p, now));
    if (tickers.some((t) => t === null)) return reply.code(400).send(BINANCE_INVALID_SYMBOL);
    return sendBody(reply, 'binance', symbol !== undefined ? tickers[0] : tickers);
  });

  app.get('/binance/api/v3/depth', async (request, reply) => {
    const query = request.query as Query;
    const limit = Number(one(query, 'limit') ?? '100');
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000)
      return reply.code(400).send({ code: -1100, msg: "Illegal characters found in parameter 'limit'." });
    const depth = binanceDepth(state.market, one(query, 'symbol') ?? '', limit, state.now());
    if (depth === null) return reply.code(400).send(BINANCE_INVALID_SYMBOL);
    return sendBody(reply, 'binance', depth);
  });

  // ---------- DefiLlama ----------

  app.get('/defillama/yields/pools', async (_request, reply) =>
    sendBody(reply, 'defillama-yields', defiLlamaPoolsBody(state.market, state.now())),
  );

  app.get('/defillama/stablecoins/stablecoins', async (request, reply) => {
    const includePrices = one(request.query as Query, 'includePrices') === 'true';
    return sendBody(reply, 'defillama-stablecoins', defiLlamaStablecoinsBody(state.market, state.now(), includePrices));
  });

  // ---------- FRED ----------

  app.get('/fred/fred/series/observations', async (request, reply) => {
    const query = request.query as Query;
    const seriesId = one(query, 'series_id');
    if (one(query, 'api_key') === undefined) return reply.code(400).send(fredError('Variable api_key is not set.'));
    if (one(query, 'file_type') !== 'json')
      return reply.code(400).send(fredError('This simulator answers file_type=json only.'));
    if (seriesId === undefined || !(FRED_SERIES as readonly string[]).includes(seriesId))
      return reply.code(400).send(fredError('The series does not exist.'));
    const sort = one(query, 'sort_order');
    const limit = one(query, 'limit');
    const observationStart = one(query, 'observation_start');
    const observationEnd = one(query, 'observation_end');
    const body = fredObservationsBody(
      state.market,
      {
        seriesId,
        ...(observationStart === undefined ? {} : { observationStart }),
        ...(observationEnd === undefined ? {} : { observationEnd }),
        ...(sort === 'desc' || sort === 'asc' ? { sortOrder: sort } : {}),
        ...(limit === undefined ? {} : { limit: Number(limit) }),
      },
      state.now(),
    );
    return sendBody(reply, 'fred', body);
  });

  // ---------- control ----------

  app.post('/_control/scenario', async (request, reply) => {
    const result = state.loadScenario(request.body);
    if (!result.ok) return reply.code(400).send({ error: result.reason });
    deps.logger.info({ scenario: state.market.getScenario()?.scenario.name }, 'scenario loaded');
    return { loaded: true, startedAt: state.market.getScenario()?.startedAt };
  });

  app.delete('/_control/scenario', () => {
    state.clearScenario();
    return Promise.resolve({ cleared: true });
  });

  app.post('/_control/tick-rate', async (request, reply) => {
    const tickRate = (request.body as { tickRate?: unknown } | undefined)?.tickRate;
    if (typeof tickRate !== 'number' || !(tickRate > 0) || tickRate > 10_000)
      return reply.code(400).send({ error: 'tickRate must be a number in (0, 10000]' });
    state.clock = new HermesClock(tickRate);
    streams.restart();
    return { tickRate };
  });

  app.get('/_control/state', () => {
    const now = state.now();
    const loaded = state.market.getScenario();
    return Promise.resolve({
      seed: state.market.seed,
      tickRate: state.clock.tickRate,
      now,
      slot: state.clock.slotAt(now),
      sseClients: streams.count(),
      scenario:
        loaded === null
          ? null
          : { name: loaded.scenario.name, startedAt: loaded.startedAt, events: loaded.scenario.events },
      activeEvents: activeEvents(loaded, now),
      prices: Object.fromEntries(ASSETS.map((a) => [a.symbol, state.market.fairPrice(a.symbol, now)])),
    });
  });

  return app;
}
