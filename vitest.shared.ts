import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestUserConfig, ViteUserConfig } from 'vitest/config';

const workspaceRoot = dirname(fileURLToPath(import.meta.url));

/** Resolves the `@private-api/*` aliases of tsconfig.base.json so tests import libraries as apps do. */
function workspaceAliases(): Record<string, string> {
  const tsconfig = JSON.parse(readFileSync(resolve(workspaceRoot, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return Object.fromEntries(
    Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [alias, resolve(workspaceRoot, target)]),
  );
}

/** The vitest settings every project shares; a project's vitest.config.ts adds only what differs. */
export function sharedVitestConfig(projectRoot: string, overrides: TestUserConfig = {}): ViteUserConfig {
  return {
    root: projectRoot,
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      globalSetup: [resolve(workspaceRoot, 'vitest.globalSetup.ts')],
      pool: 'forks',
      testTimeout: 60_000,
      // The JSON report (an Nx output of `test`) lets tools/test-all.sh print one total.
      reporters: ['default', 'json'],
      outputFile: { json: resolve(workspaceRoot, 'dist/test-results', `${relative(workspaceRoot, projectRoot)}.json`) },
      hookTimeout: 120_000,
      ...overrides,
    },
  };
}
