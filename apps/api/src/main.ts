import { join } from 'node:path';
import {
  ApiKeyStore,
  AuditorStatusSource,
  Authenticator,
  buildApiApp,
  CachedKeyLookup,
  CachedOnchainIndex,
  chainOnchainReader,
  countConnectionErrors,
  ensureApiKeysTable,
  jwtSettingsOf,
  queries,
} from '@stableyield/api-core';
import { createPublicClient, createRpcTransport, parseRpcUrls } from '@stableyield/chain';
import { createPool, isConnectionError, registerPoolUsage } from '@stableyield/postgres';
import { connectSyiFeed } from '@stableyield/live-feed';
import { startService } from '@stableyield/observability';
import { loadAppConfig } from './config';

const APP = 'api';

async function main(): Promise<void> {
  const config = loadAppConfig();
  // Not ready until everything below is wired: the health port answers from the first moment.
  const service = await startService(APP, config, { startupCheck: true });
  const { logger, registry, readiness, shutdown } = service;

  const pool = createPool(
    {
      connectionString: config.DATABASE_URL,
      max: config.PG_POOL_SIZE,
      statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    },
    logger,
  );
  const { db, counter: dbErrors } = countConnectionErrors(pool, registry, isConnectionError);
  pool.on('error', () => dbErrors.inc({ sink: 'api' }));
  registerPoolUsage(registry, 'api', pool);
  await ensureApiKeysTable(db);

  const { feed, latest } = await connectSyiFeed(APP, config, service);
  readiness.add('database', async () => {
    await queries.ping(db);
    return true;
  });

  const keys = new CachedKeyLookup((key) => new ApiKeyStore(db).lookup(key), config.API_KEY_CACHE_MS);
  const jwt = jwtSettingsOf(config);
  const rateLimited = config.RATE_LIMIT_PER_KEY > 0 || config.RATE_LIMIT_PER_IP > 0;
  const unlimited = Number.MAX_SAFE_INTEGER;
  const auditor = new AuditorStatusSource({ url: config.AUDITOR_URL });
  // /api/index/onchain: the SYI feed read through the chain's RPC (the URL may carry a key: never logged).
  const onchain =
    config.SYI_FEED_ADDRESS && config.RPC_URL
      ? new CachedOnchainIndex(
          chainOnchainReader(
            createPublicClient({ transport: createRpcTransport(parseRpcUrls(config.RPC_URL)) }),
            config.SYI_FEED_ADDRESS,
          ),
          config.ONCHAIN_CACHE_MS,
        )
      : undefined;
  const app = await buildApiApp(
    {
      db,
      latest,
      registry,
      logger,
      now: Date.now,
      knownSymbols: config.CONSTITUENTS,
      isDatabaseUnreachable: isConnectionError,
      freshnessMs: config.ANSWER_FRESHNESS_MS,
      gridIntervalMs: config.GRID_INTERVAL_MS,
      independentCheck: () => auditor.get(),
      ...(onchain ? { onchain } : {}),
      authenticator: new Authenticator({ lookupKey: (key) => keys.lookup(key), ...(jwt ? { jwt } : {}) }),
    },
    {
      publicRoutes: config.PUBLIC_ROUTES,
      rateLimit: rateLimited
        ? {
            perKey: config.RATE_LIMIT_PER_KEY || unlimited,
            perIp: config.RATE_LIMIT_PER_IP || unlimited,
            authFailuresPerIp: config.AUTH_FAILURES_PER_IP,
            windowMs: config.RATE_LIMIT_WINDOW_MS,
          }
        : null,
      corsOrigins: config.CORS_ORIGINS ?? [],
      trustProxy: config.TRUST_PROXY,
      // src/ or dist/: the page sits beside either, in apps/api/public.
      ticker: { publicDir: join(__dirname, '..', 'public'), streamUrl: config.TICKER_STREAM_URL ?? '' },
    },
  );

  // Shutdown: stop accepting → stop the consumer → close the pool (→ health, last).
  shutdown.add('http', () => app.close());
  shutdown.add('consumer', () => feed.stop());
  shutdown.add('pool', () => pool.end());

  await app.listen({ host: config.HOST, port: config.PORT });
  service.started();
  logger.info(
    { port: config.PORT, health: service.health?.port, syiFeed: config.SYI_FEED_ADDRESS ?? null },
    'api_listening',
  );
  await feed.start();
  logger.info({ latestTs: latest.get()?.record.ts ?? null }, 'latest_index_loaded');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
