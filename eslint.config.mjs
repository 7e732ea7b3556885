import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const impureModules = ['@prisma/*', 'pg', 'kafkajs', 'fastify', '@fastify/*', '@temporalio/*', 'node:fs', 'node:net', 'node:http'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/generated/**', '.cache/**', '**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Tests poke at loosely typed JSON documents on purpose.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The functional core: domain code decides, it does no I/O and reads no clock.
    files: ['services/*/src/modules/*/domain/**/*.ts', 'packages/loan-engine/src/**/*.ts', 'packages/contracts/src/**/*.ts', 'packages/nacha/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/loan-engine/src/cli/**', 'packages/nacha/src/cli/**', 'packages/contracts/src/test-support.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: impureModules.map((group) => ({ group: [group], message: 'Domain code is pure: do I/O in use cases and adapters.' })) }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Domain code takes `now` as an argument.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Domain code takes `now` as an argument.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Domain code takes ids and randomness as arguments.' },
      ],
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: activities are imported as types only.
    files: ['services/*/src/modules/*/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/activities/*', '**/adapters/*', '@prisma/*', 'pg', 'kafkajs'], allowTypeImports: true, message: 'Workflows import activity types only.' }] }],
    },
  },
);
