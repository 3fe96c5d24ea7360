import { resolve } from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Lints `code` as if it were a new file at `path` in the workspace; returns the errors of `rule`. */
async function boundaryErrors(path: string, code: string, rule = '@nx/enforce-module-boundaries'): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: resolve(root, path) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === rule && message.severity === 2)
    .map((message) => message.message);
}

describe('module boundaries (eslint @nx/enforce-module-boundaries)', () => {
  beforeAll(async () => {
    // The rule reads the Nx project graph; make sure it exists on a fresh clone.
    await createProjectGraphAsync({ exitOnError: false });
  });

  it('fails lint when the provider imports the consumer', async () => {
    const errors = await boundaryErrors(
      'apps/provider/src/forbidden.ts',
      "import { ConsumerStage } from '@private-api/consumer';\nexport const stage = ConsumerStage;\n",
    );
    expect(errors).toContainEqual(
      expect.stringMatching(/tagged with "scope:provider" can only depend on libs tagged with "scope:provider", "scope:shared"/),
    );
  });

  it('fails lint when the consumer imports the provider', async () => {
    const errors = await boundaryErrors(
      'apps/consumer/src/forbidden.ts',
      "import { ProviderStage } from '@private-api/provider';\nexport const stage = ProviderStage;\n",
    );
    expect(errors).toContainEqual(
      expect.stringMatching(/tagged with "scope:consumer" can only depend on libs tagged with "scope:consumer", "scope:shared"/),
    );
  });

  it('fails lint when a shared library imports an app', async () => {
    const errors = await boundaryErrors(
      'libs/privatelink/src/forbidden.ts',
      "import { ProviderStage } from '@private-api/provider';\nexport const stage = ProviderStage;\n",
    );
    // Either rule stops it: the tag constraint, or the cycle it would create (apps use every lib).
    expect(errors.join('\n')).toMatch(/tagged with "scope:shared" can only depend on libs tagged with "scope:shared"|Circular dependency/);
  });

  it('fails lint on a relative import that climbs into another project', async () => {
    const errors = await boundaryErrors(
      'apps/provider/src/forbidden.ts',
      "import { parseDeploymentConfig } from '../../../libs/config/src/index';\nexport const parse = parseDeploymentConfig;\n",
    );
    expect(errors.join('\n')).toMatch(/Projects cannot be imported by a relative or absolute path/);
  });

  it('passes lint when apps use shared libraries through their aliases', async () => {
    for (const app of ['provider', 'consumer']) {
      const errors = await boundaryErrors(
        `apps/${app}/src/allowed.ts`,
        "import { parseDeploymentConfig } from '@private-api/config';\nimport { PrivateVpc } from '@private-api/network';\nexport const used = [parseDeploymentConfig, PrivateVpc];\n",
      );
      expect(errors).toEqual([]);
    }
  });

  it('fails lint when product code imports the test fixtures, and passes in a test', async () => {
    const code = "import { fixtureConfig } from '@private-api/testing';\nexport const config = fixtureConfig;\n";
    for (const path of ['apps/provider/src/forbidden.ts', 'pipelines/src/forbidden.ts', 'libs/privatelink/src/forbidden.ts']) {
      expect(await boundaryErrors(path, code, 'no-restricted-imports'), path).toEqual([
        expect.stringMatching(/Fixture configs are for tests only/),
      ]);
    }
    expect(await boundaryErrors('apps/provider/test/allowed.test.ts', code, 'no-restricted-imports')).toEqual([]);
    expect(await boundaryErrors('apps/provider/test/allowed.test.ts', code)).toEqual([]);
  });
});
