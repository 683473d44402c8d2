import { AggregateRefresher, createPool, migrate, PostgresWriter, registerPoolUsage } from '@stableyield/postgres';
import { SINK_TOPICS, SinkMetrics, startSinkConsumer } from '@stableyield/sink-model';
import { createLogger, createMetricsRegistry, startService } from '@stableyield/observability';
import { loadAppConfig } from './config';

const APP = 'sink-timescale';

/** `main.ts migrate` applies the migrations and exits; without an argument the sink runs (migrating first). */
async function main(command: string | undefined): Promise<void> {
  const config = loadAppConfig();
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);
  const metrics = new SinkMetrics(registry);
  const poolSettings = { connectionString: config.DATABASE_URL, max: config.PG_POOL_SIZE };
  const pool = createPool(poolSettings, logger, { metrics, sink: 'timescale' });
  registerPoolUsage(registry, 'sink-timescale', pool);
  const { variant } = await migrate(pool, logger);
  if (command === 'migrate') {
    await pool.end();
    return;
  }

  const service = await startService(APP, config, { logger, registry });
  service.readiness.add('database', async () => (await pool.query('SELECT 1')).rowCount === 1);
  const refresher = new AggregateRefresher(pool, logger, metrics.aggregateRefreshFailures);
  refresher.start(config.AGGREGATE_REFRESH_MS);
  const writer = new PostgresWriter({ pool, variant, batchSize: config.BATCH_SIZE });
  await startSinkConsumer({ app: APP, config, service, writer, metrics });
  service.shutdown.add('aggregates', () => refresher.stop());
  service.shutdown.add('pool', () => pool.end());
  logger.info({ variant, group: config.SINK_GROUP_ID, topics: SINK_TOPICS.length }, 'sink_started');
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
