import { ClickHouse, ClickHouseWriter, ensureSchema } from '@stableyield/clickhouse';
import { SinkMetrics, startSinkConsumer } from '@stableyield/sink-model';
import { createLogger, startService } from '@stableyield/observability';
import { clickHouseSettings, loadAppConfig } from './config';

const APP = 'sink-clickhouse';

/** `main.ts migrate` creates the database and tables and exits; without an argument the sink runs. */
async function main(command: string | undefined): Promise<void> {
  const config = loadAppConfig();
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const client = new ClickHouse(clickHouseSettings(config, logger.child({ module: 'clickhouse' })));
  await ensureSchema(client, config.CLICKHOUSE_DATABASE);
  logger.info({ database: config.CLICKHOUSE_DATABASE }, 'schema_ready');
  if (command === 'migrate') return client.close();

  const service = await startService(APP, config, { logger });
  service.readiness.add('clickhouse', () => client.ping());
  const writer = new ClickHouseWriter({ client, database: config.CLICKHOUSE_DATABASE, batchSize: config.BATCH_SIZE });
  const metrics = new SinkMetrics(service.registry);
  await startSinkConsumer({ app: APP, config, service, writer, metrics });
  service.shutdown.add('clickhouse', () => client.close());
  logger.info({ group: config.SINK_GROUP_ID, database: config.CLICKHOUSE_DATABASE }, 'sink_started');
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
