import { describe, expect, it } from 'vitest';
import {
  alarmReaderRoleArn,
  bakeWatcherRoleArn,
  connectionAcceptorRoleArn,
  consumerWaveNumber,
  consumerWaves,
  MAX_CONSUMERS_PER_WAVE,
  parseDeploymentConfig,
  smokeTestRunnerRoleArn,
  type EnvironmentConfig,
} from '../src/index';

const PIPELINE = {
  account: '444444444444',
  region: 'eu-west-1',
  repository: 'example/private-ecs-api',
  connectionArn: 'arn:aws:codeconnections:eu-west-1:444444444444:connection/12345678-1234-1234-1234-123456789012',
} as const;

/** One environment with `selfManaged` self-managed consumers first, then `managed` new-VPC ones. */
function environmentWith(managed: number, selfManaged = 0, options: { readonly pipeline?: boolean } = {}): EnvironmentConfig {
  const zones = ['euw1-az1', 'euw1-az2'];
  const kit = Array.from({ length: selfManaged }, (_, index) => ({
    name: `kit-${index + 1}`,
    account: String(230_000_000_001 + index),
    region: 'eu-west-1',
    selfManaged: true,
    allowedClientCidrs: [`192.168.${index}.0/24`],
  }));
  const vpcs = Array.from({ length: managed }, (_, index) => ({
    name: `c-${index + 1}`,
    account: String(220_000_000_001 + index),
    region: 'eu-west-1',
    availabilityZones: zones,
    // 172.16.0.0/12 in /20 blocks: no two consumers overlap, nor the provider's 10.10.0.0/16.
    vpcCidr: `172.${16 + Math.floor(index / 16)}.${(index % 16) * 16}.0/20`,
  }));
  const input = {
    ...(options.pipeline === false ? {} : { pipeline: PIPELINE }),
    environments: [
      {
        name: 'staging',
        provider: { account: '111111111111', region: 'eu-west-1', availabilityZones: zones, vpcCidr: '10.10.0.0/16' },
        consumers: [...kit, ...vpcs],
      },
    ],
  };
  const [environment] = parseDeploymentConfig(input, 'waves test').environments;
  if (!environment) throw new Error('the parsed config has one environment');
  return environment;
}

describe('consumer waves', () => {
  it.each([
    [1, [1]],
    [10, [10]],
    [MAX_CONSUMERS_PER_WAVE, [MAX_CONSUMERS_PER_WAVE]],
    [MAX_CONSUMERS_PER_WAVE + 1, [25, 25]],
    [100, [34, 33, 33]],
    [3 * MAX_CONSUMERS_PER_WAVE, [49, 49, 49]],
    [3 * MAX_CONSUMERS_PER_WAVE + 1, [37, 37, 37, 37]],
  ])('GIVEN %i managed consumers THEN the waves hold %j (as few as fit, balanced, larger first)', (count, sizes) => {
    const waves = consumerWaves(environmentWith(count));
    expect(waves.map((wave) => wave.length)).toEqual(sizes);
  });

  it('GIVEN 100 consumers THEN they deploy in at most 3 waves, in config order, each at most the stage limit', () => {
    const environment = environmentWith(100);
    const waves = consumerWaves(environment);
    expect(waves.length).toBeLessThanOrEqual(3);
    expect(Math.max(...waves.map((wave) => wave.length))).toBeLessThanOrEqual(MAX_CONSUMERS_PER_WAVE);
    expect(waves.flat().map((consumer) => consumer.name)).toEqual(environment.consumers.map((consumer) => consumer.name));
  });

  it('GIVEN self-managed consumers THEN they are in no wave and have no wave number', () => {
    const environment = environmentWith(3, 2);
    expect(consumerWaves(environment).flat().map((consumer) => consumer.name)).toEqual(['c-1', 'c-2', 'c-3']);
    const [kit] = environment.consumers;
    if (!kit) throw new Error('the fixture has consumers');
    expect(() => consumerWaveNumber(environment, kit)).toThrow(`consumer ${kit.name} is not a managed consumer of environment ${environment.name}: it has no wave`);
  });

  it('GIVEN 100 consumers THEN each consumer’s wave number is the wave that holds it', () => {
    const environment = environmentWith(100);
    for (const [index, wave] of consumerWaves(environment).entries()) {
      for (const consumer of wave) expect(consumerWaveNumber(environment, consumer)).toBe(index + 1);
    }
  });
});

describe('roles of the pipeline steps', () => {
  it('puts the acceptor and the alarm reader in the provider account, the runners in the pipeline account', () => {
    const environment = environmentWith(1);
    const { pipeline, provider } = environment;
    if (!pipeline) throw new Error('the fixture has a pipeline');
    const prefix = `${environment.serviceName}-${environment.name}`;
    expect(connectionAcceptorRoleArn(environment)).toBe(`arn:aws:iam::${provider.account}:role/${prefix}-connection-acceptor`);
    expect(alarmReaderRoleArn(environment)).toBe(`arn:aws:iam::${provider.account}:role/${prefix}-alarm-reader`);
    expect(bakeWatcherRoleArn(environment)).toBe(`arn:aws:iam::${pipeline.account}:role/${prefix}-bake-watcher`);
    expect(smokeTestRunnerRoleArn(environment, 2)).toBe(`arn:aws:iam::${pipeline.account}:role/${prefix}-smoke-runner-2`);
  });

  it('fails naming the pipeline section when a pipeline role is asked of a config without one', () => {
    const environment = environmentWith(1, 0, { pipeline: false });
    expect(() => bakeWatcherRoleArn(environment)).toThrow(/pipeline/);
  });
});
