// Shared jest settings: TypeScript through SWC (fast, no type checking: `typecheck` does that).
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/** @param {'unit' | 'integration'} kind */
function jestConfig(kind) {
  const integration = kind === 'integration';
  return {
    testEnvironment: 'node',
    transform: { '^.+\\.(t|j)s$': swc },
    // cookie@2 (via fastify → light-my-request, i.e. `app.inject()`) is ESM-only: SWC compiles it to CommonJS.
    transformIgnorePatterns: ['/node_modules/(?!(@stableyield|cookie)/)'],
    testMatch: integration ? ['**/*.integration.test.ts'] : ['**/*.test.ts'],
    testPathIgnorePatterns: integration ? ['/node_modules/', '/dist/'] : ['/node_modules/', '/dist/', '\\.integration\\.test\\.ts$'],
    testTimeout: integration ? 180_000 : 10_000,
    setupFilesAfterEnv: integration ? [require.resolve('./jest.integration.setup.js')] : [],
    // Integration suites drive child processes and brokers: a handle one of them leaks after a
    // failure must not keep jest (and CI) waiting forever once the results are in.
    forceExit: integration,
  };
}
module.exports = { jestConfig };
