import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DeploymentConfigError,
  imageDirectory,
  managedConsumers,
  parseDeploymentConfig,
  requirePipeline,
  selfManagedConsumers,
  subnetPlacement,
} from '../src/index';

const ECR = '123456789012.dkr.ecr.us-west-2.amazonaws.com/team/api';

/** One environment in us-west-2 with a new-VPC consumer; `service` and `edit` make the difference. */
function configWith(service: unknown, edit: (environment: Record<string, unknown>) => void = () => undefined) {
  const environment: Record<string, unknown> = {
    name: 'dev',
    provider: { account: '123456789012', region: 'us-west-2', availabilityZones: ['usw2-az1', 'usw2-az2'], vpcCidr: '10.1.0.0/16' },
    consumers: [{ name: 'team-a', account: '123456789013', region: 'us-west-2', availabilityZones: ['usw2-az2'], vpcCidr: '10.2.0.0/16' }],
  };
  const consumers = environment['consumers'] as Record<string, unknown>[];
  if (consumers[0]) consumers[0]['availabilityZones'] = ['usw2-az1', 'usw2-az2'];
  edit(environment);
  return { service, environments: [environment] };
}

function issuesOf(input: unknown): [string, string][] {
  try {
    parseDeploymentConfig(input, 'test.config.ts');
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return (error as DeploymentConfigError).issues.map((issue) => [issue.field, issue.problem]);
  }
  throw new Error('expected the config to be rejected');
}

describe('service section', () => {
  it('describes a service of your own: ECR image by digest, secrets by ARN, defaults for the rest', () => {
    // GIVEN a service with an ECR image, one secret of each kind and a plain variable
    const config = parseDeploymentConfig(
      configWith({
        name: 'payments',
        image: { uri: `${ECR}@sha256:${'a'.repeat(64)}` },
        containerPort: 3000,
        environment: { MODE: 'strict' },
        secrets: {
          DB_PASSWORD: { arn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:db-AbCdEf', jsonKey: 'password' },
          TOKEN: 'arn:aws:ssm:us-west-2:123456789012:parameter/payments/token',
        },
      }),
    );
    // THEN the image is taken apart, secrets are typed, defaults fill the rest
    const [environment] = config.environments;
    expect(config.serviceName).toBe('payments');
    expect(environment?.serviceName).toBe('payments');
    expect(environment?.service).toMatchObject({
      image: { kind: 'ecr', account: '123456789012', region: 'us-west-2', repositoryName: 'team/api', tagOrDigest: `sha256:${'a'.repeat(64)}` },
      containerPort: 3000,
      healthCheckPath: '/healthz',
      user: '1000:1000',
      cpuArchitecture: 'x86_64',
      cpu: 256,
      memoryMiB: 512,
      environment: { MODE: 'strict' },
      secrets: {
        DB_PASSWORD: { source: 'secretsmanager', arn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:db-AbCdEf', jsonKey: 'password' },
        TOKEN: { source: 'ssm', arn: 'arn:aws:ssm:us-west-2:123456789012:parameter/payments/token' },
      },
      writablePaths: [],
    });
    // a service of your own is smoke-tested on its health path unless told otherwise
    expect(environment?.service.smokeChecks).toEqual([{ path: '/healthz', status: 200 }]);
    expect(environment?.service.healthCheckCommand).toBeUndefined();
  });

  it("applies an environment's overrides: maps merge, everything else replaces", () => {
    const config = parseDeploymentConfig(
      configWith(
        { name: 'payments', image: { directory: 'services/payments' }, cpu: 256, memoryMiB: 512, environment: { A: '1', B: '2' } },
        (environment) => {
          (environment['provider'] as Record<string, unknown>)['service'] = {
            cpu: 1024,
            memoryMiB: 2048,
            environment: { B: 'prod' },
            secrets: { KEY: 'arn:aws:ssm:us-west-2:123456789012:parameter/k' },
          };
        },
      ),
    );
    expect(config.environments[0]?.service).toMatchObject({
      image: { kind: 'directory', directory: 'services/payments', file: 'Dockerfile' },
      cpu: 1024,
      memoryMiB: 2048,
      environment: { A: '1', B: 'prod' },
      secrets: { KEY: { source: 'ssm' } },
    });
  });

  const rejected: { name: string; service: Record<string, unknown>; field: string; problem: RegExp }[] = [
    { name: 'a root user', service: { user: '0:0' }, field: 'service.user', problem: /must not be root/ },
    { name: 'the root user by name', service: { user: 'root' }, field: 'service.user', problem: /must not be root/ },
    { name: 'uid 0 written with leading zeros', service: { user: '000:1000' }, field: 'service.user', problem: /must not be root/ },
    { name: 'the mutable latest tag', service: { image: { uri: `${ECR}:latest` } }, field: 'service.image.uri', problem: /must not use the mutable tag latest/ },
    { name: 'an image from another registry', service: { image: { uri: 'docker.io/library/nginx:1.27' } }, field: 'service.image.uri', problem: /Amazon ECR image URI .* other registries are unreachable/ },
    { name: 'an untagged ECR image', service: { image: { uri: ECR } }, field: 'service.image.uri', problem: /with a tag or digest/ },
    {
      name: 'an ECR image in another region',
      service: { image: { uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.0' } },
      field: 'service.image.uri',
      problem: /must be in the provider region us-west-2: tasks pull through the VPC's ECR endpoints/,
    },
    { name: 'both a directory and a URI', service: { image: { directory: 'x', uri: `${ECR}:1` } }, field: 'service.image', problem: /either directory .* or uri/ },
    { name: 'a directory outside the repository', service: { image: { directory: '../elsewhere' } }, field: 'service.image.directory', problem: /without \.\./ },
    { name: 'PORT among the variables', service: { environment: { PORT: '80' } }, field: 'service.environment.PORT', problem: /is set from service\.containerPort/ },
    {
      name: 'a variable that is also a secret',
      service: { environment: { KEY: 'x' }, secrets: { KEY: 'arn:aws:ssm:us-west-2:123456789012:parameter/k' } },
      field: 'service.secrets.KEY',
      problem: /both/,
    },
    { name: 'a secret that is not an ARN', service: { secrets: { KEY: 'my-secret' } }, field: 'service.secrets.KEY', problem: /must be the ARN of a Secrets Manager secret or an SSM parameter/ },
    {
      name: 'a JSON key on an SSM parameter',
      service: { secrets: { KEY: { arn: 'arn:aws:ssm:us-west-2:123456789012:parameter/k', jsonKey: 'x' } } },
      field: 'service.secrets.KEY',
      problem: /jsonKey only applies to a Secrets Manager secret/,
    },
    { name: 'an invalid variable name', service: { environment: { 'MY-VAR': 'x' } }, field: 'service.environment.MY-VAR', problem: /environment variable name/ },
    { name: 'a health check that is not a command', service: { healthCheckCommand: ['curl', 'localhost'] }, field: 'service.healthCheckCommand', problem: /start with 'CMD' or 'CMD-SHELL'/ },
    { name: 'a health path without a slash', service: { healthCheckPath: 'health' }, field: 'service.healthCheckPath', problem: /starting with \// },
    { name: 'an unknown architecture', service: { cpuArchitecture: 'arm' }, field: 'service.cpuArchitecture', problem: /'x86_64' or 'arm64'/ },
    { name: 'a CPU size Fargate does not have', service: { cpu: 300 }, field: 'service.cpu', problem: /must be a Fargate CPU size/ },
    { name: 'a relative writable path', service: { writablePaths: ['tmp'] }, field: 'service.writablePaths[0]', problem: /absolute path/ },
    {
      name: 'smoke checks too big for the function environment',
      service: { smokeChecks: [{ path: '/a', body: 'x'.repeat(3100) }] },
      field: 'service.smokeChecks',
      problem: /under 3000 characters/,
    },
    { name: 'a misspelt field', service: { contianerPort: 80 }, field: 'service', problem: /unknown field\(s\) contianerPort/ },
  ];

  it.each(rejected)('fails on $name, naming the field', ({ service, field, problem }) => {
    const issues = issuesOf(configWith({ name: 'payments', image: { uri: `${ECR}:1.0.0` }, ...service }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.[0]).toBe(field);
    expect(issues[0]?.[1]).toMatch(problem);
  });

  it("names the environment's override when the override is what is wrong", () => {
    const issues = issuesOf(
      configWith({ name: 'payments', image: { uri: `${ECR}:1.0.0` } }, (environment) => {
        (environment['provider'] as Record<string, unknown>)['service'] = { image: { uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.0' } };
      }),
    );
    expect(issues).toEqual([['environments[0].provider.service.image.uri', expect.stringMatching(/provider region us-west-2/)]]);
  });

  it('says where the fields of an earlier config went', () => {
    const issues = issuesOf({ ...configWith(undefined), serviceName: 'task-api' });
    expect(issues).toEqual([['serviceName', expect.stringMatching(/^moved to service\.name \(see "Migrating a config" in README\.md\)$/)]]);
  });
});

describe('derived helpers', () => {
  const config = parseDeploymentConfig(
    configWith(undefined, (environment) => {
      (environment['consumers'] as unknown[]).push({
        name: 'partner',
        account: '123456789014',
        region: 'us-west-2',
        selfManaged: true,
        allowedClientCidrs: ['10.9.0.0/16'],
      });
    }),
  );
  const environment = config.environments[0];
  if (!environment) throw new Error('no environment');

  it('splits consumers into those this repository deploys and those that deploy themselves', () => {
    expect(managedConsumers(environment).map((consumer) => consumer.name)).toEqual(['team-a']);
    expect(selfManagedConsumers(environment).map((consumer) => [consumer.name, consumer.allowedClientCidrs])).toEqual([
      ['partner', ['10.9.0.0/16']],
    ]);
  });

  it('fails with one message naming the pipeline section where something needs it', () => {
    expect(() => requirePipeline(environment, 'the pipeline app')).toThrow(
      /pipeline: is required by the pipeline app: add a pipeline section .*, or deploy the provider and consumer apps by hand/,
    );
  });

  it('places subnets by name only when every zone has a name, else by ID', () => {
    expect(subnetPlacement([{ id: 'euw1-az3', name: 'eu-west-1a' }, { id: 'euw1-az1', name: 'eu-west-1b' }])).toEqual({
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      contextZones: ['eu-west-1a', 'eu-west-1b'],
    });
    expect(subnetPlacement([{ id: 'euw1-az3', name: 'eu-west-1a' }, { id: 'euw1-az1' }])).toEqual({
      availabilityZoneIds: ['euw1-az3', 'euw1-az1'],
      contextZones: ['euw1-az3', 'euw1-az1'],
    });
  });

  it('finds the Dockerfile folder of a directory image, or names the field that is wrong', () => {
    const root = mkdtempSync(join(tmpdir(), 'repo-'));
    mkdirSync(join(root, 'services', 'api'), { recursive: true });
    writeFileSync(join(root, 'services', 'api', 'Dockerfile'), 'FROM scratch\n');
    const service = (directory: string, file = 'Dockerfile') => ({ ...environment.service, image: { kind: 'directory' as const, directory, file } });
    expect(imageDirectory(service('services/api'), root)).toBe(join(root, 'services', 'api'));
    expect(() => imageDirectory(service('services/web'), root)).toThrow(/service\.image\.directory: is not a folder of the repository .* \(got "services\/web"\)/);
    expect(() => imageDirectory(service('services/api', 'Dockerfile.prod'), root)).toThrow(
      /service\.image\.file: does not exist in services\/api \(got "Dockerfile\.prod"\)/,
    );
  });
});
