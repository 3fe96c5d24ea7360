import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allowedPrincipalArns,
  deploymentTargets,
  DeploymentConfigError,
  environmentsOf,
  loadDeploymentConfig,
  parseDeploymentConfig,
} from '../src/index';

const exampleConfigPath = resolve(import.meta.dirname, '../../../deploy.config.ts');

/** The smallest valid config: one environment, one consumer, no pipeline. */
const minimal = {
  service: { name: 'svc', image: { uri: '123456789012.dkr.ecr.us-west-2.amazonaws.com/svc:1.0.0' } },
  environments: [
    {
      name: 'dev',
      provider: { account: '123456789012', region: 'us-west-2', availabilityZones: ['usw2-az1', 'usw2-az2'], vpcCidr: '10.1.0.0/16' },
      consumers: [
        { name: 'team-a', account: '123456789013', region: 'us-west-2', availabilityZones: ['usw2-az1', 'usw2-az2'], vpcCidr: '10.2.0.0/16' },
      ],
    },
  ],
} as const;

describe('loadDeploymentConfig', () => {
  it('loads and validates the example config shipped with the repository (whatever a fork put in it)', async () => {
    const file = await loadDeploymentConfig(exampleConfigPath);
    const environments = environmentsOf(file);
    expect(environments.length).toBeGreaterThan(0);
    for (const environment of environments) {
      expect(allowedPrincipalArns(environment)).toHaveLength(new Set(environment.consumers.map((consumer) => consumer.principalArn ?? consumer.account)).size);
    }
  });

  it('loads a TypeScript config file, applying defaults', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'deploy-config-')), 'deploy.config.ts');
    writeFileSync(file, `export default ${JSON.stringify(minimal)} as const;\n`);
    const config = await loadDeploymentConfig(file);
    expect(config.environments[0]?.provider.account).toBe('123456789012');
    expect(config.pipeline).toBeUndefined();
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

  it('lists every account this repository deploys to, with the bootstrap execution policy ARN', () => {
    const file = parseDeploymentConfig({
      ...minimal,
      pipeline: {
        account: '123456789099',
        region: 'us-west-2',
        repository: 'o/r',
        connectionArn: 'arn:aws:codeconnections:us-west-2:123456789099:connection/12345678-1234-1234-1234-123456789012',
      },
    });
    expect(deploymentTargets(file).map((target) => `${target.label}=${target.account}/${target.region}`)).toEqual([
      'pipeline=123456789099/us-west-2',
      'dev provider=123456789012/us-west-2',
      'dev consumer team-a=123456789013/us-west-2',
    ]);
  });

  it('leaves out the pipeline account without a pipeline, and self-managed consumers always', () => {
    const file = parseDeploymentConfig({
      ...minimal,
      environments: [
        {
          ...minimal.environments[0],
          consumers: [
            ...minimal.environments[0].consumers,
            { name: 'team-b', account: '123456789014', region: 'us-west-2', selfManaged: true, allowedClientCidrs: ['10.9.0.0/16'] },
          ],
        },
      ],
    });
    expect(deploymentTargets(file).map((target) => target.label)).toEqual(['dev provider', 'dev consumer team-a']);
  });
});
