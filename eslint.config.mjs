// @ts-check
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * One list of dependency constraints for the whole workspace. Every project carries a
 * `scope:*` (owning team) and a `type:*` (what it is) tag; untagged projects may depend on
 * nothing. Provider and consumer never import each other; only the pipeline composes stages.
 */
const depConstraints = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:provider', onlyDependOnLibsWithTags: ['scope:provider', 'scope:shared'] },
  { sourceTag: 'scope:consumer', onlyDependOnLibsWithTags: ['scope:consumer', 'scope:shared'] },
  {
    sourceTag: 'scope:pipeline',
    onlyDependOnLibsWithTags: ['scope:pipeline', 'scope:provider', 'scope:consumer', 'scope:shared'],
  },
  { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:shared', 'scope:tooling'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
  // Fixture configs (type:testing) are for tests only: see the no-restricted-imports rule below.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
  { sourceTag: 'type:pipeline', onlyDependOnLibsWithTags: ['type:lib', 'type:app', 'type:testing'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:testing'] },
];

export default tseslint.config(
  {
    ignores: ['**/node_modules', '**/dist', '**/cdk.out', '**/.nx', '**/coverage'],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Product code never ships test fixtures; tests and benchmarks may use them.
    files: ['apps/*/src/**/*.ts', 'pipelines/src/**/*.ts', 'libs/*/src/**/*.ts', 'tools/*.ts'],
    ignores: ['libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@private-api/testing', message: 'Fixture configs are for tests only (test/, bench/).' }] },
      ],
    },
  },
  {
    // Test-runner configs share one workspace helper; they are tooling, not product code.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
);
