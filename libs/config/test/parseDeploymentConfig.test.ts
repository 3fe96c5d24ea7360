import { describe, expect, it } from 'vitest';
import {
  allowedPrincipalArns,
  consumerAccounts,
  endpointServiceParameterArn,
  environmentsOf,
  listenerPort,
  parseDeploymentConfig,
  ramAllowsExternalPrincipals,
  selectEnvironment,
  smokeTestFunctionName,
  smokeTestRoleArn,
  type DeploymentConfigInput,
  type EnvironmentConfig,
} from '../src/index';
import { errorFor } from './errorFor';

const pipeline = {
  account: '444444444444',
  region: 'eu-west-1',
  repository: 'example/private-ecs-api',
  connectionArn: 'arn:aws:codeconnections:eu-west-1:444444444444:connection/12345678-1234-1234-1234-123456789012',
} as const;

const valid = {
  name: 'staging',
  provider: {
    account: '111111111111',
    region: 'eu-west-1',
    availabilityZones: ['euw1-az1', 'euw1-az2'],
    vpcCidr: '10.10.0.0/16',
  },
  consumers: [
    {
      name: 'orders',
      account: '222222222222',
      region: 'eu-west-1',
      availabilityZones: ['euw1-az1', 'euw1-az2'],
      vpcCidr: '10.20.0.0/16',
    },
    {
      name: 'billing',
      account: '333333333333',
      region: 'eu-west-1',
      availabilityZones: ['euw1-az1', 'euw1-az2'],
      vpcCidr: '10.30.0.0/16',
    },
  ],
} as const satisfies DeploymentConfigInput['environments'][number];

type Mutable = Record<string, unknown> & {
  provider: Record<string, unknown>;
  consumers: Record<string, unknown>[];
};

/** A config file whose only environment is a deep copy of the valid one, changed by `edit`. */
function configWith(edit: (environment: Mutable) => void = () => undefined): Record<string, unknown> {
  const copy = structuredClone(valid) as unknown as Mutable;
  edit(copy);
  return { pipeline: structuredClone(pipeline), environments: [copy] };
}

/** Parses a file config and returns its single environment. */
function environmentWith(edit?: (environment: Mutable) => void): EnvironmentConfig {
  const [environment] = environmentsOf(parseDeploymentConfig(configWith(edit)));
  if (!environment) throw new Error('no environment');
  return environment;
}


describe('parseDeploymentConfig', () => {
  it('accepts a valid config and applies the defaults', () => {
    // GIVEN a config that names only the required fields
    // WHEN it is parsed
    const file = parseDeploymentConfig(configWith());
    const config = environmentWith();
    // THEN every default is filled in
    expect(file.serviceName).toBe('task-api');
    expect(config.requiresApproval).toBe(false);
    expect(config.serviceName).toBe('task-api');
    expect(file.pipeline?.branch).toBe('main');
    expect(config.provider).toMatchObject({
      desiredCount: 2,
      logRetentionDays: 90,
      acceptanceRequired: true,
      deletionProtection: true,
      subnetCidrMask: 24,
      capacity: { type: 'fargate' },
    });
    expect(listenerPort(config)).toBe(80);
    // without a service section, the sample task API
    expect(config.service).toMatchObject({
      name: 'task-api',
      image: { kind: 'directory', directory: 'apps/task-api', file: 'Dockerfile' },
      containerPort: 8080,
      // readiness, not liveness: a database blip must not drain every task (apps/task-api README)
      healthCheckPath: '/readyz',
      user: '1000:1000',
      cpuArchitecture: 'x86_64',
      cpu: 256,
      memoryMiB: 512,
    });
    expect(config.service.smokeChecks.map((check) => [check.path, check.status])).toEqual([
      ['/api/tasks', 200],
      ['/api/task/2', 200],
    ]);
    // zones by ID; consumers get a new VPC whose CIDR is the default client range
    expect(config.provider.availabilityZones).toEqual([{ id: 'euw1-az1' }, { id: 'euw1-az2' }]);
    expect(config.consumers[0]).toMatchObject({
      kind: 'new-vpc',
      allowedClientCidrs: ['10.20.0.0/16'],
      endpointZoneIds: ['euw1-az1', 'euw1-az2'],
      vpc: { cidr: '10.20.0.0/16', subnetCidrMask: 24 },
    });
  });

  it('derives allowed principals, RAM share accounts and the parameter ARN from the consumer list', () => {
    const config = environmentWith((c) => {
        c.consumers.push({
          name: 'billing-eu',
          account: '333333333333',
          region: 'eu-west-1',
          availabilityZones: ['euw1-az1', 'euw1-az2'],
          vpcCidr: '10.40.0.0/16',
          principalArn: 'arn:aws:iam::333333333333:role/billing-endpoint-creator',
        });
      });
    expect(allowedPrincipalArns(config)).toEqual([
      'arn:aws:iam::222222222222:root',
      'arn:aws:iam::333333333333:root',
      'arn:aws:iam::333333333333:role/billing-endpoint-creator',
    ]);
    expect(consumerAccounts(config)).toEqual(['222222222222', '333333333333']);
    expect(endpointServiceParameterArn(config)).toBe(
      'arn:aws:ssm:eu-west-1:111111111111:parameter/task-api/staging/privatelink/endpoint-service-name',
    );
    const [orders] = config.consumers;
    if (!orders) throw new Error('no consumer');
    expect(smokeTestFunctionName(config, orders)).toBe('task-api-staging-orders-smoke');
    expect(smokeTestRoleArn(config, orders)).toBe('arn:aws:iam::222222222222:role/task-api-staging-smoke-invoker');
  });

  it('uses the partition of the region in derived ARNs', () => {
    const config = environmentWith((c) => {
      for (const vpc of [c.provider, ...c.consumers]) {
        vpc.region = 'cn-north-1';
        vpc.availabilityZones = ['cnn1-az1', 'cnn1-az2'];
      }
    });
    expect(allowedPrincipalArns(config)[0]).toBe('arn:aws-cn:iam::222222222222:root');
    expect(endpointServiceParameterArn(config)).toMatch(/^arn:aws-cn:ssm:cn-north-1:/);
  });

  it('defaults the listener port to 443 when a certificate is configured', () => {
    const config = environmentWith((c) => {
      c.provider.certificateArn = 'arn:aws:acm:eu-west-1:111111111111:certificate/12345678-1234-1234-1234-123456789012';
    });
    expect(listenerPort(config)).toBe(443);
  });

  it('reports every problem in one message', () => {
    const error = errorFor(
      configWith((c) => {
        c.provider.account = '42';
        c.consumers[1] = { ...c.consumers[1], account: 'abc' };
      }),
    );
    expect(error.issues.map((issue) => issue.field)).toEqual([
      'environments[0].provider.account',
      'environments[0].consumers[1].account',
    ]);
    expect(error.message.split('\n')[0]).toBe('Invalid deployment config test.config.ts:');
  });
});

describe('parseDeploymentConfig rejects', () => {
  const cases: { name: string; edit: (c: Mutable) => void; field: string; value: string; problem: RegExp }[] = [
    {
      name: 'a malformed provider account id',
      edit: (c) => (c.provider.account = '12345'),
      field: 'provider.account',
      value: '"12345"',
      problem: /12-digit AWS account id/,
    },
    {
      name: 'an account id given as a number',
      edit: (c) => (c.consumers[0].account = 222222222222),
      field: 'consumers[0].account',
      value: '222222222222',
      problem: /12-digit AWS account id/,
    },
    {
      name: 'a wildcard consumer account',
      edit: (c) => (c.consumers[0].account = '*'),
      field: 'consumers[0].account',
      value: '"*"',
      problem: /12-digit AWS account id/,
    },
    {
      name: 'a wildcard principal',
      edit: (c) => (c.consumers[0].principalArn = 'arn:aws:iam::222222222222:role/*'),
      field: 'consumers[0].principalArn',
      value: '"arn:aws:iam::222222222222:role/*"',
      problem: /wildcard/,
    },
    {
      name: 'a bare * principal',
      edit: (c) => (c.consumers[0].principalArn = '*'),
      field: 'consumers[0].principalArn',
      value: '"*"',
      problem: /wildcard/,
    },
    {
      name: "a principal outside the consumer's account",
      edit: (c) => (c.consumers[0].principalArn = 'arn:aws:iam::999999999999:root'),
      field: 'consumers[0].principalArn',
      value: '"arn:aws:iam::999999999999:root"',
      problem: /consumer's account 222222222222/,
    },
    {
      name: 'a principal that is not an account or role ARN',
      edit: (c) => (c.consumers[0].principalArn = 'arn:aws:iam::222222222222:user/alice'),
      field: 'consumers[0].principalArn',
      value: '"arn:aws:iam::222222222222:user/alice"',
      problem: /root or role ARN/,
    },
    {
      name: 'an empty consumer list (no allowed principal)',
      edit: (c) => (c.consumers = []),
      field: 'consumers',
      value: '[]',
      problem: /at least one consumer/,
    },
    {
      name: 'an invalid CIDR',
      edit: (c) => (c.provider.vpcCidr = '10.0.0.0/33'),
      field: 'provider.vpcCidr',
      value: '"10.0.0.0/33"',
      problem: /not an IPv4 CIDR/,
    },
    {
      name: 'a CIDR with host bits set',
      edit: (c) => (c.consumers[1].vpcCidr = '10.30.1.0/16'),
      field: 'consumers[1].vpcCidr',
      value: '"10.30.1.0/16"',
      problem: /did you mean 10\.30\.0\.0\/16/,
    },
    {
      name: 'a VPC CIDR larger than AWS allows',
      edit: (c) => (c.provider.vpcCidr = '10.0.0.0/8'),
      field: 'provider.vpcCidr',
      value: '"10.0.0.0/8"',
      problem: /between \/16 and \/24/,
    },
    {
      name: 'subnets that would overlap inside one VPC',
      edit: (c) => {
        c.provider.vpcCidr = '10.10.0.0/24';
        c.provider.subnetCidrMask = 25;
        c.provider.availabilityZones = ['euw1-az1', 'euw1-az2', 'euw1-az3'];
      },
      field: 'provider.subnetCidrMask',
      value: '25',
      problem: /would overlap inside 10\.10\.0\.0\/24/,
    },
    {
      name: 'overlapping client CIDRs of one consumer',
      edit: (c) => (c.consumers[0].allowedClientCidrs = ['10.20.0.0/16', '10.20.4.0/24']),
      field: 'consumers[0].allowedClientCidrs',
      value: '["10.20.0.0/16","10.20.4.0/24"]',
      problem: /10\.20\.0\.0\/16 and 10\.20\.4\.0\/24 overlap/,
    },
    {
      name: "a new consumer VPC inside the provider's VPC",
      edit: (c) => (c.consumers[0].vpcCidr = '10.10.0.0/16'),
      field: 'consumers[0].vpcCidr',
      value: '"10.10.0.0/16"',
      problem: /^overlaps provider\.vpcCidr 10\.10\.0\.0\/16 of the same environment: .*hosts of the provider VPC in this range would reach it directly.*allowOverlappingClientCidrs: \{ reason \} on consumers\[0\]$/,
    },
    {
      name: "an existing consumer VPC (its default client range) overlapping the provider's VPC",
      edit: (c) => {
        delete c.consumers[1].availabilityZones;
        delete c.consumers[1].vpcCidr;
        c.consumers[1].existingVpc = {
          id: 'vpc-0123456789abcdef0',
          cidr: '10.10.0.0/16',
          subnets: { 'euw1-az1': 'subnet-0123456789abcdef1', 'euw1-az2': 'subnet-0123456789abcdef2' },
        };
      },
      field: 'consumers[1].existingVpc.cidr',
      value: '"10.10.0.0/16"',
      problem: /^overlaps provider\.vpcCidr 10\.10\.0\.0\/16 /,
    },
    {
      name: "a client range inside the provider's VPC",
      edit: (c) => (c.consumers[1].allowedClientCidrs = ['10.30.0.0/20', '10.10.128.0/24']),
      field: 'consumers[1].allowedClientCidrs[1]',
      value: '"10.10.128.0/24"',
      problem: /^overlaps provider\.vpcCidr 10\.10\.0\.0\/16 /,
    },
    {
      name: "a consumer VPC overlapping another consumer's",
      edit: (c) => (c.consumers[1].vpcCidr = '10.20.0.0/16'),
      field: 'consumers[1].vpcCidr',
      value: '"10.20.0.0/16"',
      problem:
        /^overlaps consumers\[0\]\.vpcCidr 10\.20\.0\.0\/16 \(consumer orders\) of the same environment: .*one consumer's addresses would pass as the other's.*on both consumers\[0\] and consumers\[1\]$/,
    },
    {
      name: "a self-managed consumer's client range inside another consumer's VPC",
      edit: (c) => {
        delete c.consumers[1].vpcCidr;
        delete c.consumers[1].availabilityZones;
        c.consumers[1].selfManaged = true;
        c.consumers[1].allowedClientCidrs = ['10.20.5.0/24'];
      },
      field: 'consumers[1].allowedClientCidrs[0]',
      value: '"10.20.5.0/24"',
      problem: /^overlaps consumers\[0\]\.vpcCidr 10\.20\.0\.0\/16 \(consumer orders\)/,
    },
    {
      name: 'an overlap between consumers accepted by one of them only',
      edit: (c) => {
        c.consumers[1].vpcCidr = '10.20.0.0/16';
        c.consumers[1].allowOverlappingClientCidrs = { reason: 'orders and billing share one transit network' };
      },
      field: 'consumers[1].vpcCidr',
      value: '"10.20.0.0/16"',
      problem: /^overlaps consumers\[0\]\.vpcCidr 10\.20\.0\.0\/16 .*on both consumers\[0\] and consumers\[1\]$/,
    },
    {
      name: 'an accepted overlap that does not exist',
      edit: (c) => (c.consumers[0].allowOverlappingClientCidrs = { reason: 'left over from an older network plan' }),
      field: 'consumers[0].allowOverlappingClientCidrs',
      value: '{"reason":"left over from an older network plan"}',
      problem: /accepts an overlap that does not exist .*: remove it/,
    },
    {
      name: 'an accepted overlap without a real reason',
      edit: (c) => {
        c.consumers[0].vpcCidr = '10.10.0.0/16';
        c.consumers[0].allowOverlappingClientCidrs = { reason: 'ok' };
      },
      field: 'consumers[0].allowOverlappingClientCidrs.reason',
      value: '"ok"',
      problem: /must say why the overlap is safe \(at least 10 characters\)/,
    },
    {
      name: 'a consumer marked outside an organization the config does not state',
      edit: (c) => (c.consumers[0].outsideOrganization = true),
      field: 'consumers[0].outsideOrganization',
      value: 'true',
      problem: /means nothing without a top-level organization/,
    },
    {
      name: 'a client CIDR open to the whole internet',
      edit: (c) => (c.consumers[0].allowedClientCidrs = ['0.0.0.0/0']),
      field: 'consumers[0].allowedClientCidrs[0]',
      value: '"0.0.0.0/0"',
      problem: /prefix length between \/8 and \/32/,
    },
    {
      name: 'a duplicate consumer name',
      edit: (c) => (c.consumers[1].name = 'orders'),
      field: 'consumers[1].name',
      value: '"orders"',
      problem: /duplicates the name of consumers\[0\]/,
    },
    {
      name: 'an invalid consumer name',
      edit: (c) => (c.consumers[0].name = 'Orders Team'),
      field: 'consumers[0].name',
      value: '"Orders Team"',
      problem: /lowercase letters, digits and hyphens/,
    },
    {
      name: 'an unknown region',
      edit: (c) => (c.provider.region = 'eu-wets-1'),
      field: 'provider.region',
      value: '"eu-wets-1"',
      problem: /not a known AWS region/,
    },
    {
      name: 'a consumer in another region',
      edit: (c) => {
        c.consumers[0].region = 'us-east-1';
        c.consumers[0].availabilityZones = ['use1-az1', 'use1-az2'];
      },
      field: 'consumers[0].region',
      value: '"us-east-1"',
      problem: /provider region eu-west-1/,
    },
    {
      name: "a zone ID of another region",
      edit: (c) => (c.provider.availabilityZones = ['euw1-az1', 'use1-az2']),
      field: 'provider.availabilityZones[1]',
      value: '"use1-az2"',
      problem: /not an availability zone ID of eu-west-1 \(expected euw1-az<n>\)/,
    },
    {
      name: 'an unknown zone ID',
      edit: (c) => (c.provider.availabilityZones = ['euw1-az1', 'euw1-az9']),
      field: 'provider.availabilityZones[1]',
      value: '"euw1-az9"',
      problem: /not an availability zone ID of eu-west-1 \(known: euw1-az1, euw1-az2, euw1-az3, euw1-az4\)/,
    },
    {
      name: 'a zone name instead of a zone ID',
      edit: (c) => (c.provider.availabilityZones = ['euw1-az1', 'eu-west-1b']),
      field: 'provider.availabilityZones[1]',
      value: '"eu-west-1b"',
      problem: /is an availability zone name, which maps to a different zone in every account: give its zone ID/,
    },
    {
      name: 'an unknown zone name in a name + ID pair',
      edit: (c) => {
        c.provider.region = 'us-east-1';
        c.provider.availabilityZones = [{ name: 'us-east-1a', id: 'use1-az1' }, { name: 'us-east-1g', id: 'use1-az2' }];
        for (const consumer of c.consumers) consumer.region = 'us-east-1';
        for (const consumer of c.consumers) consumer.availabilityZones = ['use1-az1', 'use1-az2'];
      },
      field: 'provider.availabilityZones[1].name',
      value: '"us-east-1g"',
      problem: /not an availability zone of us-east-1 \(known: us-east-1a, .*us-east-1f\)/,
    },
    {
      name: 'the same zone twice',
      edit: (c) => (c.provider.availabilityZones = ['euw1-az1', { name: 'eu-west-1c', id: 'euw1-az1' }]),
      field: 'provider.availabilityZones[1]',
      value: '{"name":"eu-west-1c","id":"euw1-az1"}',
      problem: /names zone euw1-az1 again \(first at \[0\]\)/,
    },
    {
      name: "consumer zones the provider's NLB does not serve",
      edit: (c) => (c.consumers[1].availabilityZones = ['euw1-az1', 'euw1-az3']),
      field: 'consumers[1].availabilityZones',
      value: '["euw1-az1","euw1-az3"]',
      problem: /uses zone\(s\) euw1-az3 that the provider's NLB does not serve \(consumer zones: euw1-az1, euw1-az3; provider zones: euw1-az1, euw1-az2\)/,
    },
    {
      name: "existing-VPC subnets in a zone the provider's NLB does not serve",
      edit: (c) => {
        delete c.consumers[1].availabilityZones;
        delete c.consumers[1].vpcCidr;
        c.consumers[1].existingVpc = {
          id: 'vpc-0123456789abcdef0',
          cidr: '10.30.0.0/16',
          subnets: { 'euw1-az2': 'subnet-0123456789abcdef2', 'euw1-az3': 'subnet-0123456789abcdef3' },
        };
      },
      field: 'consumers[1].existingVpc.subnets',
      value: '["euw1-az2","euw1-az3"]',
      problem: /uses zone\(s\) euw1-az3 that the provider's NLB does not serve \(consumer zones: euw1-az2, euw1-az3; provider zones: euw1-az1, euw1-az2\)/,
    },
    {
      name: 'an existing VPC keyed by zone names',
      edit: (c) => {
        delete c.consumers[1].availabilityZones;
        delete c.consumers[1].vpcCidr;
        c.consumers[1].existingVpc = { id: 'vpc-0123456789abcdef0', cidr: '10.30.0.0/16', subnets: { 'eu-west-1a': 'subnet-0123456789abcdef2' } };
      },
      field: 'consumers[1].existingVpc.subnets.eu-west-1a',
      value: '"eu-west-1a"',
      problem: /is an availability zone name/,
    },
    {
      name: 'a malformed subnet id',
      edit: (c) => {
        delete c.consumers[1].availabilityZones;
        delete c.consumers[1].vpcCidr;
        c.consumers[1].existingVpc = { id: 'vpc-0123456789abcdef0', cidr: '10.30.0.0/16', subnets: { 'euw1-az1': 'sn-1' } };
      },
      field: 'consumers[1].existingVpc.subnets.euw1-az1',
      value: '"sn-1"',
      problem: /must be a subnet id/,
    },
    {
      name: 'an existing VPC and a new VPC for one consumer',
      edit: (c) => (c.consumers[1].existingVpc = { id: 'vpc-0123456789abcdef0', cidr: '10.30.0.0/16', subnets: { 'euw1-az1': 'subnet-0123456789abcdef2' } }),
      field: 'consumers[1].vpcCidr',
      value: '"10.30.0.0/16"',
      problem: /must not be set together with existingVpc/,
    },
    {
      name: 'a consumer with no VPC at all',
      edit: (c) => {
        delete c.consumers[1].vpcCidr;
        delete c.consumers[1].availabilityZones;
      },
      field: 'consumers[1].vpcCidr',
      value: 'nothing',
      problem: /is required: give vpcCidr \+ availabilityZones \(a new VPC\), existingVpc .* or selfManaged: true/,
    },
    {
      name: 'a self-managed consumer without client ranges',
      edit: (c) => {
        delete c.consumers[1].vpcCidr;
        delete c.consumers[1].availabilityZones;
        c.consumers[1].selfManaged = true;
      },
      field: 'consumers[1].allowedClientCidrs',
      value: 'nothing',
      problem: /required for a self-managed consumer/,
    },
    {
      name: 'a self-managed consumer with a VPC',
      edit: (c) => {
        c.consumers[1].selfManaged = true;
        c.consumers[1].allowedClientCidrs = ['10.30.0.0/16'];
      },
      field: 'consumers[1].vpcCidr',
      value: '"10.30.0.0/16"',
      problem: /must not be set for a self-managed consumer/,
    },
    {
      name: 'a single availability zone',
      edit: (c) => (c.provider.availabilityZones = ['euw1-az1']),
      field: 'provider.availabilityZones',
      value: '["euw1-az1"]',
      problem: /at least 2 availability zones/,
    },
    {
      name: 'a container port where it used to be',
      edit: (c) => (c.provider.containerPort = 8080),
      field: 'provider.containerPort',
      value: '8080',
      problem: /moved to service\.containerPort/,
    },
    {
      name: 'a listener port of 0',
      edit: (c) => (c.provider.listenerPort = 0),
      field: 'provider.listenerPort',
      value: '0',
      problem: /between 1 and 65535/,
    },
    {
      name: 'a single task',
      edit: (c) => (c.provider.desiredCount = 1),
      field: 'provider.desiredCount',
      value: '1',
      problem: /at least 2/,
    },
    {
      name: 'an invalid Fargate memory size for this environment',
      edit: (c) => (c.provider.service = { memoryMiB: 4096 }),
      field: 'provider.service.memoryMiB',
      value: '4096',
      problem: /not a valid Fargate memory size for cpu 256/,
    },
    {
      name: 'a log retention CloudWatch does not offer',
      edit: (c) => (c.provider.logRetentionDays = 45),
      field: 'provider.logRetentionDays',
      value: '45',
      problem: /must be one of 1, 3, 5/,
    },
    {
      name: 'a certificate in another region',
      edit: (c) =>
        (c.provider.certificateArn =
          'arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012'),
      field: 'provider.certificateArn',
      value: '"arn:aws:acm:us-east-1:',
      problem: /provider region eu-west-1/,
    },
    {
      name: 'a misspelt field',
      edit: (c) => (c.provider.desiredCuont = 3),
      field: 'provider',
      value: '3',
      problem: /unknown field\(s\) desiredCuont/,
    },
  ];

  it.each(cases)('fails when the config has $name', ({ edit, field, value, problem }) => {
    // GIVEN an otherwise valid config with one bad field
    // WHEN it is parsed
    const error = errorFor(configWith(edit));
    // THEN exactly that field is named, with the bad value, in one message
    expect(error.issues).toHaveLength(1);
    const [issue] = error.issues;
    expect(issue?.field).toBe(`environments[0].${field}`);
    expect(issue?.problem).toMatch(problem);
    expect(error.message).toContain(`environments[0].${field}: `);
    expect(error.message).toContain(`(got ${value}`);
  });
});

describe('client ranges that overlap on purpose', () => {
  it("accepts a consumer range inside the provider's VPC when the consumer states why, and keeps the reason", () => {
    // GIVEN billing's clients inside the provider VPC, accepted with a reason
    const reason = 'billing reaches the API from a peered range the provider does not use';
    // WHEN the config is parsed
    const config = environmentWith((c) => {
      c.consumers[1].allowedClientCidrs = ['10.10.240.0/20'];
      c.consumers[1].allowOverlappingClientCidrs = { reason };
    });
    // THEN it validates and the consumer carries the reason
    expect(config.consumers[1]).toMatchObject({ allowedClientCidrs: ['10.10.240.0/20'], allowOverlappingClientCidrs: { reason } });
    expect(config.consumers[0]?.allowOverlappingClientCidrs).toBeUndefined();
  });

  it('accepts two consumers with the same range when both state why', () => {
    const config = environmentWith((c) => {
      c.consumers[1].vpcCidr = '10.20.0.0/16';
      for (const consumer of c.consumers) consumer.allowOverlappingClientCidrs = { reason: 'two teams of one shared VPC' };
    });
    expect(config.consumers.map((consumer) => consumer.allowedClientCidrs)).toEqual([['10.20.0.0/16'], ['10.20.0.0/16']]);
  });

  it('reports each overlap once, naming both fields and both values', () => {
    // GIVEN a third consumer overlapping both the provider VPC and another consumer
    const error = errorFor(
      configWith((c) => {
        c.consumers.push({ name: 'audit', account: '444444444444', region: 'eu-west-1', selfManaged: true, allowedClientCidrs: ['10.0.0.0/8'] });
      }),
    );
    // THEN one line per overlapping pair, on the range's own field
    expect(error.issues.map((issue) => [issue.field, issue.value])).toEqual([
      ['environments[0].consumers[2].allowedClientCidrs[0]', '10.0.0.0/8'],
      ['environments[0].consumers[2].allowedClientCidrs[0]', '10.0.0.0/8'],
      ['environments[0].consumers[2].allowedClientCidrs[0]', '10.0.0.0/8'],
    ]);
    expect(error.message).toContain('consumers[2].allowedClientCidrs[0]: overlaps provider.vpcCidr 10.10.0.0/16 ');
    expect(error.message).toContain('consumers[2].allowedClientCidrs[0]: overlaps consumers[0].vpcCidr 10.20.0.0/16 (consumer orders) ');
    expect(error.message).toContain('consumers[2].allowedClientCidrs[0]: overlaps consumers[1].vpcCidr 10.30.0.0/16 (consumer billing) ');
  });
});

describe('organization', () => {
  const organization = { id: 'o-a1b2c3d4e5' };

  it('shares with external principals when the config does not state the organization', () => {
    const config = environmentWith();
    expect(config.organization).toBeUndefined();
    expect(config.consumers.map((consumer) => consumer.outsideOrganization)).toEqual([false, false]);
    expect(ramAllowsExternalPrincipals(config)).toBe(true);
  });

  it('shares with organization principals only when every consumer is inside the stated organization', () => {
    const [config] = environmentsOf(parseDeploymentConfig({ ...configWith(), organization }));
    if (!config) throw new Error('no environment');
    expect(config.organization).toEqual(organization);
    expect(ramAllowsExternalPrincipals(config)).toBe(false);
  });

  it('shares with external principals when one consumer is outside the organization', () => {
    const input = {
      ...configWith((c) => (c.consumers[1].outsideOrganization = true)),
      organization,
    };
    const [config] = environmentsOf(parseDeploymentConfig(input));
    if (!config) throw new Error('no environment');
    expect(config.consumers.map((consumer) => [consumer.name, consumer.outsideOrganization])).toEqual([
      ['orders', false],
      ['billing', true],
    ]);
    expect(ramAllowsExternalPrincipals(config)).toBe(true);
  });

  it.each(['o-short', 'O-A1B2C3D4E5', 'r-a1b2c3d4e5', 'o-a1b2c3d4e5-x', 'ou-a1b2-c3d4e5f6'])('fails on the organization ID %s', (id) => {
    const error = errorFor({ ...configWith(), organization: { id } });
    expect(error.issues).toHaveLength(1);
    expect(error.message).toContain(
      `organization.id: must be an AWS Organizations ID: o- followed by 10 to 32 lowercase letters or digits (got ${JSON.stringify(id)})`,
    );
  });
});

describe('environments and pipeline', () => {
  it('keeps environments in order and selects one by name, or the first', () => {
    const file = parseDeploymentConfig({
      pipeline,
      environments: [
        { ...valid, name: 'staging' },
        { ...valid, name: 'prod', requiresApproval: true },
      ],
    });
    expect(environmentsOf(file).map((environment) => [environment.name, environment.requiresApproval])).toEqual([
      ['staging', false],
      ['prod', true],
    ]);
    expect(selectEnvironment(file).name).toBe('staging');
    expect(selectEnvironment(file, 'prod').name).toBe('prod');
    expect(() => selectEnvironment(file, 'qa')).toThrow(/environment: is not an environment of the config \(staging, prod\) \(got "qa"\)/);
  });

  it('fails when two environments share a name', () => {
    const error = errorFor({ pipeline, environments: [valid, valid] });
    expect(error.issues.map((issue) => [issue.field, issue.problem])).toEqual([
      ['environments[1].name', 'duplicates the name of environments[0]'],
    ]);
  });

  it('fails when there is no environment', () => {
    expect(errorFor({ pipeline, environments: [] }).message).toContain('environments: must name at least one environment (got [])');
  });

  it('fails when the connection belongs to another account than the pipeline', () => {
    const error = errorFor({
      pipeline: { ...pipeline, connectionArn: pipeline.connectionArn.replace('444444444444', '555555555555') },
      environments: [valid],
    });
    expect(error.issues.map((issue) => issue.field)).toEqual(['pipeline.connectionArn']);
    expect(error.message).toContain('must be a connection in the pipeline account 444444444444');
  });

  it('fails on a repository that is not owner/name and a malformed pipeline account', () => {
    const error = errorFor({ pipeline: { ...pipeline, repository: 'private-ecs-api', account: '44' }, environments: [valid] });
    expect(error.issues.map((issue) => issue.field).sort()).toEqual(['pipeline.account', 'pipeline.repository']);
  });
});
