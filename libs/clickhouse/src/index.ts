export { ClickHouse, retryOnStaleSocket, type ClickHouseSettings } from './client';
export { isClickHouseConnectionError, serverErrorCode } from './errors';
export { identifier } from './identifier';
export { createTableSql, aggregateViewSql, ensureSchema, insertColumns, EXTRA_COLUMNS } from './ddl';
export { encodeRowBinary, RowBinaryWriter, type RowBinaryColumn, type RowBinaryType } from './rowbinary';
export { ClickHouseWriter, encodeTableRow, outOfClickHouseRange, type ClickHouseWriterOptions } from './writer';
