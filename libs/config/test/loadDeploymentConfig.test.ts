import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedPrincipalArns, DeploymentConfigError, loadDeploymentConfig } from '../src/index';

const exampleConfigPath = resolve(import.meta.dirname, '../../../deploy.config.ts');

describe('loadDeploymentConfig', () => {
  it('loads and validates the example config shipped with the repository', async () => {
    const config = await loadDeploymentConfig(exampleConfigPath);
    expect(config.provider.account).toBe('111111111111');
    expect(config.consumers.map((consumer) => consumer.account)).toEqual(['222222222222', '333333333333']);
    expect(allowedPrincipalArns(config)).toEqual(['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root']);
  });

  it('fails when the file does not exist, naming the path', async () => {
    const missing = join(tmpdir(), 'no-such-deploy.config.ts');
    await expect(loadDeploymentConfig(missing)).rejects.toThrow(DeploymentConfigError);
    await expect(loadDeploymentConfig(missing)).rejects.toThrow(/\(file\): does not exist \(got ".*no-such-deploy\.config\.ts"\)/);
  });

  it('fails when the file has no default export', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-config-'));
    const file = join(dir, 'deploy.config.mjs');
    writeFileSync(file, 'export const somethingElse = 1;\n');
    await expect(loadDeploymentConfig(file)).rejects.toThrow(/must `export default` the deployment config/);
  });

  it('fails when the file exports an invalid config, naming the file and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-config-'));
    const file = join(dir, 'deploy.config.mjs');
    writeFileSync(file, 'export default { provider: {}, consumers: [] };\n');
    const error = await loadDeploymentConfig(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeploymentConfigError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('provider.account: ');
  });
});
