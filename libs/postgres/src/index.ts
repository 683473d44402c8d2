export * from './postgres-ddl';
export { migrate, chooseVariant, type MigrationResult } from './migrate';
export { PartitionManager, monthOf, partitionName } from './partitions';
export { copyField, copyRows, copyText } from './copy';
export { PostgresWriter, insertSql, columnArrays, isDataError, type PostgresWriterOptions } from './postgres-writer';
export { AggregateRefresher } from './aggregate-refresher';
export { createPool, isConnectionError, type PoolSettings } from './pool';
export { registerPoolUsage, poolUsage, type PoolCounts } from './pool-metrics';
