// Pure parsers of upstream API responses and mappers to topic records (methodology SYI-v1 §1).
export * from './result';
export * from './errors';
export * from './records';
export * from './validate';
export * from './decimal';
export * from './sse';
export * from './hermes';
export * from './cryptocompare';
export * from './binance';
export * from './defillama';
export * from './fred';
