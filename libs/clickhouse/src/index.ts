export { ClickHouseHttp, ClickHouseError, identifier, isClickHouseConnectionError, type ClickHouseSettings } from './http';
export { createTableSql, aggregateViewSql, ensureSchema, insertColumns, EXTRA_COLUMNS } from './ddl';
export { encodeRowBinary, RowBinaryWriter, type RowBinaryColumn, type RowBinaryType } from './rowbinary';
export { ClickHouseWriter, encodeTableRow, outOfClickHouseRange, type ClickHouseWriterOptions } from './writer';
