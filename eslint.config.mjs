// Type-aware lint for the whole monorepo. Module boundaries are enforced here:
// libs never import apps, and only libs/kafka talks to the Kafka client.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const kafkaClientImport = {
  name: 'kafkajs',
  message: 'Only libs/kafka imports the Kafka client; use @stableyield/kafka.',
};

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
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { paths: [kafkaClientImport] }],
      // Configuration is read once, by libs/config; everything else receives it.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through @stableyield/config.' }],
    },
  },
  {
    files: ['libs/config/**/*.ts', '**/testing.ts', '**/*.test.ts', '**/test/**/*.ts', '**/bench/**/*.ts', 'scripts/**/*.ts', 'tests/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [kafkaClientImport],
          patterns: [{ group: ['**/apps/**', '@stableyield/app-*'], message: 'Libraries never import applications.' }],
        },
      ],
    },
  },
  {
    files: ['libs/kafka/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/apps/**'], message: 'Libraries never import applications.' }] }] },
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
