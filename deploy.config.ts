import type { DeploymentConfigInput } from '@private-api/config';

/**
 * The deployment config: the pipeline account and, per environment, which accounts and
 * regions run the provider and its consumers.
 *
 * The accounts below are placeholders so that everything synthesizes offline; replace them
 * with your own. Validated at synth time (README.md, "Deployment config reference", lists
 * every field): a bad value stops synth with a message naming the field.
 *
 * Onboarding a consumer is one entry in `consumers`: its allowed principal, its RAM share, its
 * stage and its smoke test all follow from it.
 */
const zones = ['eu-west-1a', 'eu-west-1b'] as const;

export default {
  serviceName: 'task-api',
  pipeline: {
    account: '444444444444',
    region: 'eu-west-1',
    repository: 'example-org/private-ecs-api',
    branch: 'main',
    connectionArn: 'arn:aws:codeconnections:eu-west-1:444444444444:connection/00000000-0000-0000-0000-000000000000',
  },
  environments: [
    {
      name: 'staging',
      requiresApproval: false,
      provider: {
        account: '111111111111',
        region: 'eu-west-1',
        availabilityZones: zones,
        vpcCidr: '10.10.0.0/16',
        containerPort: 8080,
        desiredCount: 2,
        cpu: 256,
        memoryMiB: 512,
        logRetentionDays: 90,
        acceptanceRequired: true,
        deletionProtection: true,
      },
      consumers: [
        {
          name: 'orders',
          account: '222222222222',
          region: 'eu-west-1',
          availabilityZones: zones,
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
    },
    {
      name: 'prod',
      requiresApproval: true,
      provider: {
        account: '555555555555',
        region: 'eu-west-1',
        availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
        vpcCidr: '10.110.0.0/16',
        desiredCount: 3,
        cpu: 512,
        memoryMiB: 1024,
        logRetentionDays: 365,
      },
      consumers: [
        {
          name: 'orders',
          account: '666666666666',
          region: 'eu-west-1',
          availabilityZones: zones,
          vpcCidr: '10.120.0.0/16',
        },
        {
          name: 'billing',
          account: '777777777777',
          region: 'eu-west-1',
          availabilityZones: zones,
          vpcCidr: '10.130.0.0/16',
        },
      ],
    },
  ],
} as const satisfies DeploymentConfigInput;
