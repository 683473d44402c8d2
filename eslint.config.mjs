// Type-aware lint for the whole monorepo, and the module boundaries, enforced here:
// - @nx/enforce-module-boundaries: every project is tagged (package.json nx.tags) by layer and
//   scope, and may depend only on what the matrix below allows (docs/architecture.md, "Layers").
// - @typescript-eslint/no-restricted-imports: each infrastructure client is imported by its own
//   library only (kafkajs → libs/kafka, pg → libs/postgres, viem → libs/chain, prom-client →
//   libs/observability, @clickhouse/client → libs/clickhouse), and libraries never import apps.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Each infrastructure client and the library that owns it. */
const CLIENTS = [
  { name: 'kafkajs', owner: 'libs/kafka', message: 'Only libs/kafka imports the Kafka client; use @stableyield/kafka.' },
  { name: 'pg', owner: 'libs/postgres', message: 'Only libs/postgres imports pg; use @stableyield/postgres.' },
  { name: 'pg-copy-streams', owner: 'libs/postgres', message: 'Only libs/postgres imports pg-copy-streams; use @stableyield/postgres.' },
  { name: 'viem', owner: 'libs/chain', message: 'Only libs/chain imports viem; use @stableyield/chain.' },
  { name: 'prom-client', owner: 'libs/observability', message: 'Only libs/observability imports prom-client; use @stableyield/observability (Counter, Gauge, Histogram, Registry).' },
  { name: '@clickhouse/client', owner: 'libs/clickhouse', message: 'Only libs/clickhouse imports the ClickHouse client; use @stableyield/clickhouse.' },
];

/**
 * The restricted imports of a file: every client but the `allowed` ones (and their subpaths, e.g.
 * viem/accounts). Type-only imports stay allowed (a type such as viem's Address or prom-client's
 * Registry is vocabulary passed around; it loads nothing). Libraries also never import apps.
 */
function restrictedImports({ allowed = [], library = false } = {}) {
  const banned = CLIENTS.filter((c) => !allowed.includes(c.name));
  return [
    'error',
    {
      paths: banned.map((c) => ({ name: c.name, message: c.message, allowTypeImports: true })),
      patterns: [
        ...banned.map((c) => ({ group: [`${c.name}/*`], message: c.message, allowTypeImports: true })),
        ...(library ? [{ group: ['**/apps/**', '@stableyield/app-*'], message: 'Libraries never import applications.' }] : []),
      ],
    },
  ];
}

const OWNERS = [...new Set(CLIENTS.map((c) => c.owner))];

/** Test code: unit, integration and test harness files, benchmarks, the system tests. */
const TEST_FILES = ['**/*.test.ts', '**/test/**/*.ts', '**/bench/**/*.ts', '**/testing.ts', 'tests/**/*.ts'];
/** The clients test code may use directly. */
const TEST_CLIENTS = ['pg', 'viem', 'prom-client'];
/** The globs restricted to libs/. */
const libraryFiles = (globs) => globs.filter((g) => g.startsWith('**/')).map((g) => `libs/${g}`);

/**
 * The dependency matrix. Layers, each depending only on the layers before it:
 *   domain          schemas, index-engine, upstream: the contracts and the pure logic
 *   infrastructure  config, observability, kafka, sink-model, postgres, clickhouse, chain
 *   features        stream, ingest, market-model, api-core, live-feed, backup, deployment
 *   app             apps/*; no project imports an app
 * Scopes, the areas of the system: shared (config, observability, schemas, kafka) is used by all
 * and uses only itself; serving reads what storage, the index and the chain hold; ops (the
 * deployment generator) and system (tests/system) see everything.
 */
const LAYERS = [
  { sourceTag: 'layer:domain', onlyDependOnLibsWithTags: ['layer:domain'] },
  { sourceTag: 'layer:infrastructure', onlyDependOnLibsWithTags: ['layer:domain', 'layer:infrastructure'] },
  { sourceTag: 'layer:features', onlyDependOnLibsWithTags: ['layer:domain', 'layer:infrastructure', 'layer:features'] },
  { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:domain', 'layer:infrastructure', 'layer:features'] },
  { sourceTag: 'layer:test', onlyDependOnLibsWithTags: ['layer:domain', 'layer:infrastructure', 'layer:features'] },
];
const SCOPES = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:index', onlyDependOnLibsWithTags: ['scope:shared', 'scope:index'] },
  // market-model encodes MockPyth updates with libs/chain
  { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:shared', 'scope:ingest', 'scope:chain'] },
  { sourceTag: 'scope:storage', onlyDependOnLibsWithTags: ['scope:shared', 'scope:storage'] },
  { sourceTag: 'scope:serving', onlyDependOnLibsWithTags: ['scope:shared', 'scope:serving', 'scope:storage', 'scope:index', 'scope:chain'] },
  { sourceTag: 'scope:chain', onlyDependOnLibsWithTags: ['scope:shared', 'scope:chain', 'scope:index'] },
  { sourceTag: 'scope:ops', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'scope:system', onlyDependOnLibsWithTags: ['*'] },
];
/**
 * Test code keeps the layers but may reach across scopes for fixtures, and may drive the market
 * simulator (role:stand-in, the stand-in for every upstream API) as the ingesters' tests do; a
 * library's test may use a features library (libs/chain's SYI feed bench runs the simulated market).
 */
const TEST_LAYERS = [
  { sourceTag: 'layer:domain', onlyDependOnLibsWithTags: ['layer:domain'] },
  ...['layer:infrastructure', 'layer:features', 'layer:app', 'layer:test'].map((sourceTag) => ({
    sourceTag,
    onlyDependOnLibsWithTags: ['layer:domain', 'layer:infrastructure', 'layer:features', 'role:stand-in'],
  })),
];
const moduleBoundaries = (depConstraints) => [
  'error',
  {
    depConstraints,
    // libs/chain's bench (test code) drives libs/market-model, which uses libs/chain: not a cycle of the code that ships.
    ignoredCircularDependencies: [['chain', 'market-model']],
  },
];

/** What the ticker page's script may use: the browser's globals (the `globals` package is not a dependency). */
const browserGlobals = Object.fromEntries(
  ['window', 'document', 'location', 'console', 'fetch', 'WebSocket', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
    'requestAnimationFrame', 'Intl', 'navigator', 'performance'].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  // Plain JavaScript is build output or tooling, except the ticker page's script (linted below).
  { ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '.stack/**', '.nx/**', '**/*.js', '**/*.mjs', '**/*.cjs', '!apps/api/public/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@nx/enforce-module-boundaries': moduleBoundaries([...LAYERS, ...SCOPES]),
      '@typescript-eslint/no-restricted-imports': restrictedImports(),
      // Configuration is read once, by libs/config; everything else receives it.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through @stableyield/config.' }],
    },
  },
  {
    files: ['libs/config/**/*.ts', '**/testing.ts', '**/*.test.ts', '**/test/**/*.ts', '**/bench/**/*.ts', 'scripts/**/*.ts', 'tests/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  { files: ['libs/**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': restrictedImports({ library: true }) } },
  {
    // Tests and benchmarks check what a database or the chain holds, and make their own metric
    // registries: they may use pg, viem and prom-client directly (never kafkajs or @clickhouse/client).
    files: TEST_FILES,
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(TEST_LAYERS),
      '@typescript-eslint/no-restricted-imports': restrictedImports({ allowed: TEST_CLIENTS }),
    },
  },
  { files: libraryFiles(TEST_FILES), rules: { '@typescript-eslint/no-restricted-imports': restrictedImports({ allowed: TEST_CLIENTS, library: true }) } },
  // Each client in its own library (its tests too, with what other tests may use).
  ...OWNERS.flatMap((owner) => {
    const own = CLIENTS.filter((c) => c.owner === owner).map((c) => c.name);
    return [
      { files: [`${owner}/**/*.ts`], rules: { '@typescript-eslint/no-restricted-imports': restrictedImports({ allowed: own, library: true }) } },
      { files: TEST_FILES.map((g) => `${owner}/${g}`), rules: { '@typescript-eslint/no-restricted-imports': restrictedImports({ allowed: [...own, ...TEST_CLIENTS], library: true }) } },
    ];
  }),
  {
    // The backup dumps PostgreSQL with COPY TO through its own pg connection.
    files: ['libs/backup/src/postgres.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrictedImports({ allowed: ['pg'], library: true }) },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The ticker page: browser JavaScript without a build step or types, so the recommended rules without type information.
    files: ['apps/api/public/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'script', ecmaVersion: 2020, globals: browserGlobals },
    rules: { strict: ['error', 'function'] },
  },
);
