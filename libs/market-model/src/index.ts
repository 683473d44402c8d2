// The simulated market behind apps/market-sim: deterministic prices, books, pools, caps and rates from a
// seed, scenarios that disturb them, and the response bodies of every upstream API.
export * from './prng';
export * from './catalog';
export * from './scenario';
export * from './market';
export * from './hermes';
export * from './venues';
export * from './malform';
export * from './upstream-urls';
