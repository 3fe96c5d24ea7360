import type { DeploymentConfigInput } from '@private-api/config';

/**
 * The deployment config: which accounts and regions run the provider and its consumers.
 *
 * The accounts below are placeholders so that everything synthesizes offline; replace them
 * with your own. Validated at synth time (README.md, "Deployment config reference", lists every field): a bad
 * value stops synth with a message naming the field.
 */
export default {
  serviceName: 'task-api',
  provider: {
    account: '111111111111',
    region: 'eu-west-1',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    vpcCidr: '10.10.0.0/16',
    containerPort: 8080,
    desiredCount: 2,
    cpu: 256,
    memoryMiB: 512,
    logRetentionDays: 90,
    acceptanceRequired: true,
  },
  consumers: [
    {
      name: 'orders',
      account: '222222222222',
      region: 'eu-west-1',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      vpcCidr: '10.20.0.0/16',
    },
    {
      name: 'billing',
      account: '333333333333',
      region: 'eu-west-1',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      // Consumers' CIDRs may overlap the provider's: PrivateLink does not route between VPCs.
      vpcCidr: '10.10.0.0/16',
      allowedClientCidrs: ['10.10.0.0/20'],
    },
  ],
} as const satisfies DeploymentConfigInput;
