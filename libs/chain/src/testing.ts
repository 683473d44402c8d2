// Test-only entry point: '@stableyield/chain/testing'. Never import it from product code.
export * from './testing/anvil';
export * from './testing/pyth-update';
