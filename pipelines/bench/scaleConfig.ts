import { parseDeploymentConfig, type DeploymentConfig } from '@private-api/config';

/**
 * A deployment config with one environment and `consumers` consumers (accounts 200000000001…,
 * VPCs 10.<n>.0.0/16), for the scale test and the synth benchmark.
 */
export function configWithConsumers(consumers: number): DeploymentConfig {
  const zones = ['eu-west-1a', 'eu-west-1b'];
  return parseDeploymentConfig({
    serviceName: 'task-api',
    pipeline: {
      account: '444444444444',
      region: 'eu-west-1',
      repository: 'example-org/private-ecs-api',
      connectionArn: 'arn:aws:codeconnections:eu-west-1:444444444444:connection/00000000-0000-0000-0000-000000000000',
    },
    environments: [
      {
        name: 'prod',
        requiresApproval: true,
        provider: { account: '111111111111', region: 'eu-west-1', availabilityZones: zones, vpcCidr: '10.0.0.0/16' },
        consumers: Array.from({ length: consumers }, (_, index) => ({
          name: `consumer-${String(index + 1).padStart(3, '0')}`,
          account: String(200_000_000_001 + index),
          region: 'eu-west-1',
          availabilityZones: zones,
          vpcCidr: `10.${(index % 250) + 1}.0.0/16`,
        })),
      },
    ],
  });
}
