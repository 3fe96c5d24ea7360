import type { DeploymentConfigInput } from '@private-api/config';

/**
 * The deployment config: the service the provider runs, the pipeline account and, per
 * environment, which accounts and regions run the provider and its consumers.
 *
 * The accounts and VPC ids below are placeholders so that everything synthesizes offline;
 * replace them with your own. Validated at synth time (README.md, "Deployment config
 * reference", lists every field): a bad value stops synth with a message naming the field.
 *
 * Onboarding a consumer is one entry in `consumers`: its allowed principal, its RAM share, its
 * stage (or its consumer kit) and its smoke test all follow from it.
 */
export default {
  // The sample task API. Replace it with your service: README, "Replace the sample with your service".
  service: {
    name: 'task-api',
    image: { directory: 'apps/task-api' },
    containerPort: 8080,
    healthCheckPath: '/readyz',
    healthCheckCommand: ['CMD', 'node', '/app/dist/healthcheck.js'],
    user: '1000:1000',
    cpuArchitecture: 'x86_64',
    cpu: 256,
    memoryMiB: 512,
    environment: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '20000' },
    secrets: {},
    smokeChecks: [
      {
        path: '/api/tasks',
        status: 200,
        body: [
          { id: 1, name: 'task1', description: 'This is task 1' },
          { id: 2, name: 'task2', description: 'This is task 2' },
          { id: 3, name: 'task3', description: 'This is task 3' },
        ],
      },
      { path: '/api/task/2', status: 200, body: { id: 2, name: 'task2', description: 'This is task 2' } },
    ],
  },
  pipeline: {
    account: '444444444444',
    region: 'eu-west-1',
    repository: 'example-org/private-ecs-api',
    branch: 'main',
    connectionArn: 'arn:aws:codeconnections:eu-west-1:444444444444:connection/00000000-0000-0000-0000-000000000000',
  },
  // The provider's AWS Organization: staging's consumers are all inside it, so its RAM share
  // allows no external principal; prod's external partner is outside it (outsideOrganization).
  organization: { id: 'o-a1b2c3d4e5' },
  environments: [
    {
      name: 'staging',
      requiresApproval: false,
      provider: {
        account: '111111111111',
        region: 'eu-west-1',
        // Zone IDs: the same physical zones in every account (README, "Zones by ID").
        availabilityZones: ['euw1-az1', 'euw1-az2'],
        vpcCidr: '10.10.0.0/16',
        desiredCount: 2,
        logRetentionDays: 90,
        acceptanceRequired: true,
        deletionProtection: true,
        // Tasks on Fargate (the default, spelled out) with a PostgreSQL database (README, "Data tier").
        capacity: { type: 'fargate' },
        database: { engineVersion: '17.6', instanceClass: 'db.t4g.medium', allocatedStorageGiB: 20, backupRetentionDays: 7 },
        // Autoscaling to 4 tasks (2 × desiredCount, the default); alarms to the team, and a short
        // bake after each deploy (README, "Deployment config reference").
        monitoring: { alarmEmails: ['api-team@example.com'], bakeMinutes: 5 },
      },
      consumers: [
        {
          // A new VPC in the consumer's account, created by the pipeline.
          name: 'orders',
          account: '222222222222',
          region: 'eu-west-1',
          availabilityZones: ['euw1-az1', 'euw1-az2'],
          vpcCidr: '10.20.0.0/16',
        },
        {
          // The consumer's existing VPC: the endpoint and the smoke test go into these subnets.
          name: 'billing',
          account: '333333333333',
          region: 'eu-west-1',
          existingVpc: {
            id: 'vpc-0123456789abcdef0',
            cidr: '10.30.0.0/16',
            subnets: { 'euw1-az1': 'subnet-0123456789abcdef1', 'euw1-az2': 'subnet-0123456789abcdef2' },
          },
          // Client ranges never overlap the provider VPC or another consumer's (README, "Client ranges never overlap").
          allowedClientCidrs: ['10.30.0.0/20'],
        },
      ],
    },
    {
      name: 'prod',
      requiresApproval: true,
      provider: {
        account: '555555555555',
        region: 'eu-west-1',
        availabilityZones: ['euw1-az1', 'euw1-az2', 'euw1-az3'],
        vpcCidr: '10.110.0.0/16',
        desiredCount: 3,
        logRetentionDays: 365,
        // This environment's differences from `service`.
        service: { cpu: 512, memoryMiB: 1024 },
        // Tasks on EC2 container instances (x86_64, like the image), at least one per zone.
        capacity: { type: 'ec2', instanceType: 'm7i.large', minInstances: 3, maxInstances: 6 },
        database: {
          engineVersion: '17.6',
          instanceClass: 'db.m7g.large',
          allocatedStorageGiB: 100,
          maxAllocatedStorageGiB: 500,
          multiAz: true,
          backupRetentionDays: 35,
          deletionProtection: true,
        },
        // Persistent, shared files at /var/lib/task-api, written as the service's user (1000:1000).
        fileSystem: { mountPath: '/var/lib/task-api' },
        assetsBucket: { noncurrentVersionExpirationDays: 90 },
        // At most 6 tasks: in awsvpc mode each task takes an ENI, and an m7i.large has room for 2
        // besides its own, so 6 instances hold 12 tasks; a rolling deploy of 6 tasks needs 12.
        scaling: { maxCount: 6, requestsPerTarget: 6000, cpuPercent: 60 },
        // Pages the on-call and the team; a tighter p99 than the default; a longer bake than staging.
        monitoring: {
          alarmEmails: ['api-oncall@example.com', 'api-team@example.com'],
          p99LatencyMs: 800,
          bakeMinutes: 15,
        },
      },
      consumers: [
        {
          name: 'orders',
          account: '666666666666',
          region: 'eu-west-1',
          availabilityZones: ['euw1-az1', 'euw1-az2'],
          vpcCidr: '10.120.0.0/16',
        },
        {
          name: 'billing',
          account: '777777777777',
          region: 'eu-west-1',
          availabilityZones: ['euw1-az2', 'euw1-az3'],
          vpcCidr: '10.130.0.0/16',
        },
        {
          // An external customer that deploys its own endpoint from the consumer kit
          // (dist/consumer-kits/prod/partner): allowed and shared with, never deployed into.
          name: 'partner',
          account: '888888888888',
          region: 'eu-west-1',
          outsideOrganization: true,
          selfManaged: true,
          allowedClientCidrs: ['10.140.0.0/16'],
          availabilityZones: ['euw1-az1', 'euw1-az3'],
        },
      ],
    },
  ],
} as const satisfies DeploymentConfigInput;
