import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allowedPrincipalArns,
  cdkExecutionPolicyArn,
  deploymentTargets,
  DeploymentConfigError,
  environmentsOf,
  loadDeploymentConfig,
} from '../src/index';

const exampleConfigPath = resolve(import.meta.dirname, '../../../deploy.config.ts');

describe('loadDeploymentConfig', () => {
  it('loads and validates the example config shipped with the repository', async () => {
    const file = await loadDeploymentConfig(exampleConfigPath);
    expect(file.pipeline.account).toBe('444444444444');
    const [staging, prod] = environmentsOf(file);
    expect([staging?.name, prod?.name]).toEqual(['staging', 'prod']);
    expect(prod?.requiresApproval).toBe(true);
    if (!staging) throw new Error('no staging environment');
    expect(staging.provider.account).toBe('111111111111');
    expect(staging.consumers.map((consumer) => consumer.account)).toEqual(['222222222222', '333333333333']);
    expect(allowedPrincipalArns(staging)).toEqual(['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root']);
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
    writeFileSync(file, 'export default { pipeline: {}, environments: [] };\n');
    const error = await loadDeploymentConfig(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeploymentConfigError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('pipeline.account: ');
  });

  it('lists every account the pipeline deploys to, with the bootstrap execution policy ARN', async () => {
    const file = await loadDeploymentConfig(exampleConfigPath);
    expect(deploymentTargets(file).map((target) => `${target.label}=${target.account}`)).toEqual([
      'pipeline=444444444444',
      'staging provider=111111111111',
      'staging consumer orders=222222222222',
      'staging consumer billing=333333333333',
      'prod provider=555555555555',
      'prod consumer orders=666666666666',
      'prod consumer billing=777777777777',
    ]);
    expect(cdkExecutionPolicyArn(file, '111111111111')).toBe(
      'arn:aws:iam::111111111111:policy/task-api-cdk-cloudformation-execution',
    );
  });
});
