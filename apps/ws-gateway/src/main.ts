import cluster from 'node:cluster';
import {
  ApiKeyStore,
  Authenticator,
  CachedKeyLookup,
  clientAddress,
  ensureApiKeysTable,
  jwtSettingsOf,
} from '@stableyield/api-core';
import { createPool, registerPoolUsage } from '@stableyield/postgres';
import {
  connectSyiFeed,
  FanoutHub,
  startStreamServer,
  StreamMetrics,
  wsPreparedFrames,
  type SocketClient,
  type StreamServerOptions,
} from '@stableyield/live-feed';
import { ClusterPrimary, serveHealthToPrimary, startService } from '@stableyield/observability';
import { loadAppConfig, type Config } from './config';
import { upgradeAuthorizer } from './upgrade-auth';

const APP = 'ws-gateway';

const firstHeader = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** WORKERS > 1: this process only supervises the workers and answers their health port. */
async function runPrimary(config: Config): Promise<void> {
  const { logger, shutdown } = await startService(APP, config, { health: false });
  const primary = await ClusterPrimary.start({
    workers: config.WORKERS,
    logger,
    healthHost: config.HEALTH_HOST,
    healthPort: config.HEALTH_PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  shutdown.add('workers', () => primary.stop());
  logger.info({ workers: config.WORKERS, port: config.PORT, health: primary.healthPort }, 'ws_gateway_cluster_started');
}

async function main(): Promise<void> {
  const config = loadAppConfig();
  if (config.WORKERS > 1 && cluster.isPrimary) return runPrimary(config);
  // Not ready until everything below is wired: the health port answers from the first moment.
  // A cluster worker answers health through the primary, which owns the health port.
  const service = await startService(APP, config, { startupCheck: true, health: !cluster.isWorker });
  const { logger, registry, progress, readiness, shutdown } = service;
  serveHealthToPrimary(registry, progress, readiness);

  let authorize: StreamServerOptions['authorize'];
  const pool = config.WS_AUTH_REQUIRED
    ? createPool({ connectionString: config.DATABASE_URL, max: 2 }, logger)
    : undefined;
  if (pool) {
    registerPoolUsage(registry, 'ws-gateway', pool);
    await ensureApiKeysTable(pool);
    const keys = new CachedKeyLookup((key) => new ApiKeyStore(pool).lookup(key), config.API_KEY_CACHE_MS);
    const jwtSettings = jwtSettingsOf(config);
    const authenticator = new Authenticator({
      lookupKey: (key) => keys.lookup(key),
      ...(jwtSettings ? { jwt: jwtSettings } : {}),
    });
    authorize = upgradeAuthorizer(authenticator, config.AUTH_FAILURES_PER_IP);
  }

  const { feed, latest } = await connectSyiFeed(APP, config, service);

  const metrics = new StreamMetrics(registry);
  // The cluster spreads connections evenly over the workers: each holds its share of the limit.
  const maxConnections = Math.ceil(config.MAX_CONNECTIONS / config.WORKERS);
  const hub = new FanoutHub<SocketClient>({
    maxConnections,
    maxBufferedBytes: config.MAX_BUFFERED_BYTES,
    maxTotalBufferedBytes: Math.floor(config.MAX_TOTAL_BUFFERED_BYTES / config.WORKERS),
    metrics,
    prepared: wsPreparedFrames,
  });
  const server = await startStreamServer({
    host: config.HOST,
    port: config.PORT,
    latest,
    hub,
    logger,
    metrics,
    heartbeatMs: config.HEARTBEAT_INTERVAL_MS,
    clientIp: (req) =>
      clientAddress(
        req.socket.remoteAddress ?? 'unknown',
        firstHeader(req.headers['x-forwarded-for']),
        config.TRUST_PROXY,
      ),
    maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
    ...(config.ALLOWED_ORIGINS ? { allowedOrigins: config.ALLOWED_ORIGINS } : {}),
    ...(authorize ? { authorize } : {}),
  });

  // Shutdown: stop accepting and send close frames → stop the consumer → close the pool (→ health, last).
  shutdown.add('websockets', () => server.close(Math.min(5_000, config.SHUTDOWN_TIMEOUT_MS / 2)));
  shutdown.add('consumer', () => feed.stop());
  if (pool) shutdown.add('pool', () => pool.end());

  service.started();
  const health = service.health?.port ?? 'primary';
  const worker = cluster.worker?.id ?? null;
  logger.info({ port: server.port, health, auth: config.WS_AUTH_REQUIRED, worker }, 'ws_gateway_listening');
  await feed.start();
  logger.info({ latestTs: latest.get()?.record.ts ?? null }, 'latest_index_loaded');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
