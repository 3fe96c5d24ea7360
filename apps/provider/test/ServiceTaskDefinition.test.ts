import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  listenerPort,
  parseDeploymentConfig,
  selectEnvironment,
  type DeploymentConfigInput,
  type EnvironmentConfig,
  type ServiceConfig,
} from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings, type ComplianceFinding } from '@private-api/compliance';
import { SECOND_SERVICE, fixtureEnvironment, fixtureInput, type MutableConfigInput } from '@private-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderStage, ServiceTaskDefinition } from '../src/index';

type PolicyStatement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The qa fixture environment running `service` instead of the fixture's own. */
function environmentRunning(service: DeploymentConfigInput['service']): EnvironmentConfig {
  return selectEnvironment(parseDeploymentConfig({ ...fixtureInput(), service }, 'fixture with a second service'), 'qa');
}

/** The statements of the execution role's policy in a template. */
function executionRoleStatements(template: Template): PolicyStatement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { PolicyName: Match.stringLikeRegexp('^TaskDefinitionExecutionRoleDefaultPolicy') },
  });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
}

/** The sources of the Docker image assets of an assembly (what CDK would build). */
function dockerImageSources(assembly: cxapi.CloudAssembly): unknown[] {
  return assembly.artifacts
    .filter((artifact): artifact is cxapi.AssetManifestArtifact => artifact instanceof cxapi.AssetManifestArtifact)
    .flatMap((manifest) => Object.values(manifest.contents.dockerImages ?? {}).map((image) => image.source));
}

const actionsOf = (statement: PolicyStatement) => [statement.Action].flat();

describe('ProviderStage running a second, different service (ECR image by digest, arm64, secrets)', () => {
  let outdir: string;
  let config: EnvironmentConfig;
  let stage: ProviderStage;
  let findings: readonly ComplianceFinding[];
  let service: Template;
  let statements: PolicyStatement[];

  beforeAll(() => {
    // GIVEN the qa fixture environment running SECOND_SERVICE instead of the fixture service
    config = environmentRunning(SECOND_SERVICE);
    // WHEN its provider stage is synthesized with both compliance packs
    outdir = mkdtempSync(join(tmpdir(), 'provider-second-service-'));
    const app = new PrivateApiApp({ outdir });
    stage = new ProviderStage(app, 'Provider', { config });
    findings = unacknowledgedFindings(app);
    service = Template.fromStack(stage.serviceStack);
    statements = executionRoleStatements(service);
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('has zero unacknowledged compliance findings', () => {
    expect(findings).toEqual([]);
  });

  it('reaches the secret stores through interface endpoints (no NAT): Secrets Manager and SSM, next to ECR and Logs', () => {
    const network = Template.fromStack(stage.networkStack);
    const interfaces = Object.values(network.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    const region = config.provider.region;
    expect(interfaces.map((endpoint) => endpoint.Properties.ServiceName)).toEqual(
      ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm'].map((service) => `com.amazonaws.${region}.${service}`),
    );
    for (const endpoint of interfaces) expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
  });

  it('pulls its image from its ECR repository by digest, and the execution role may pull from that repository only', () => {
    const { image } = config.service;
    if (image.kind !== 'ecr') throw new Error('SECOND_SERVICE has an ECR image');
    expect(image.tagOrDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Image: {
            'Fn::Join': ['', [`${image.account}.dkr.ecr.${image.region}.`, { Ref: 'AWS::URLSuffix' }, `/${image.repositoryName}@${image.tagOrDigest}`]],
          },
        }),
      ],
    });
    const pull = statements.filter((statement) => actionsOf(statement).includes('ecr:BatchGetImage'));
    expect(pull.map((statement) => statement.Resource)).toEqual([
      `arn:aws:ecr:${image.region}:${image.account}:repository/${image.repositoryName}`,
    ]);
    // No image asset: nothing is built for an ECR image.
    expect(dockerImageSources(stage.synth())).toEqual([]);
  });

  it('runs on arm64 with its size', () => {
    expect(config.service.cpuArchitecture).toBe('arm64');
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Cpu: String(config.service.cpu),
      Memory: String(config.service.memoryMiB),
    });
  });

  it('listens on its port: port mapping, ALB target group, the service security group rule and the load balancer mapping', () => {
    const port = config.service.containerPort;
    expect(port).toBe(SECOND_SERVICE.containerPort);
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ PortMappings: [{ ContainerPort: port, Name: 'http', Protocol: 'tcp' }] })],
    });
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'ip', Port: port });
    service.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: port,
      ToPort: port,
      GroupId: stage.serviceStack.resolve(stage.serviceStack.service.connections.securityGroups[0]?.securityGroupId),
      SourceSecurityGroupId: stage.serviceStack.resolve(stage.serviceStack.privateLink.albSecurityGroup.securityGroupId),
    });
    service.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [Match.objectLike({ ContainerName: 'Api', ContainerPort: port })],
    });
  });

  it('health-checks its own path from both load balancers', () => {
    const paths = Object.values(service.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map((group) => [
      group.Properties.TargetType,
      group.Properties.Port,
      group.Properties.HealthCheckPath,
    ]);
    expect(paths).toEqual(
      expect.arrayContaining([
        ['alb', listenerPort(config), SECOND_SERVICE.healthCheckPath],
        ['ip', SECOND_SERVICE.containerPort, SECOND_SERVICE.healthCheckPath],
      ]),
    );
    expect(paths).toHaveLength(2);
  });

  it('sets PORT and its own environment, and injects its secrets by ARN (a JSON key as :key::)', () => {
    const secrets = SECOND_SERVICE.secrets;
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Environment: [
            { Name: 'PORT', Value: String(SECOND_SERVICE.containerPort) },
            ...Object.entries(SECOND_SERVICE.environment).map(([Name, Value]) => ({ Name, Value })),
          ],
          Secrets: [
            { Name: 'DB_PASSWORD', ValueFrom: `${secrets.DB_PASSWORD.arn}:${secrets.DB_PASSWORD.jsonKey}::` },
            { Name: 'API_TOKEN', ValueFrom: secrets.API_TOKEN },
          ],
        }),
      ],
    });
    expect(`${secrets.DB_PASSWORD.arn}:${secrets.DB_PASSWORD.jsonKey}::`).toMatch(/:password::$/);
  });

  it('lets the execution role read exactly those secrets and decrypt with exactly their key, through Secrets Manager', () => {
    const secrets = SECOND_SERVICE.secrets;
    const reads = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('secretsmanager:') || action.startsWith('ssm:')),
    );
    expect(reads.map((statement) => statement.Resource)).toEqual([secrets.DB_PASSWORD.arn, secrets.API_TOKEN]);
    const decrypts = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
    expect(decrypts).toEqual([
      {
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: secrets.DB_PASSWORD.kmsKeyArn,
        Condition: { StringEquals: { 'kms:ViaService': [`secretsmanager.${config.provider.region}.amazonaws.com`] } },
      },
    ]);
    // The only wildcard left is the one ECR requires (acknowledged on this policy alone).
    const wildcards = statements.filter((statement) => JSON.stringify(statement.Resource).includes('*'));
    expect(wildcards.map(actionsOf)).toEqual([['ecr:GetAuthorizationToken']]);
  });

  it('mounts one task volume per writable folder, keeps the root file system read-only and runs as its non-root user', () => {
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [{ Name: 'writable-tmp' }, { Name: 'writable-var-cache-ledger' }],
      ContainerDefinitions: [
        Match.objectLike({
          ReadonlyRootFilesystem: true,
          User: SECOND_SERVICE.user,
          MountPoints: SECOND_SERVICE.writablePaths.map((path) => ({
            ContainerPath: path,
            ReadOnly: false,
            SourceVolume: Match.stringLikeRegexp('^writable-'),
          })),
        }),
      ],
    });
    expect(SECOND_SERVICE.user).not.toMatch(/^(0|root)(:|$)/);
  });
});

describe('ServiceTaskDefinition', () => {
  /** The fixture service, edited, in a plain stack in the qa provider's account and region. */
  function taskDefinitionFor(edit: (service: MutableConfigInput['service'] & object) => void): Template {
    const config = fixtureEnvironment('qa', (input) => {
      if (input.service) edit(input.service);
    });
    const stack = new Stack(new App(), 'Service', { env: { account: config.provider.account, region: config.provider.region } });
    new ServiceTaskDefinition(stack, 'TaskDefinition', { service: config.service, logGroup: new logs.LogGroup(stack, 'Logs') });
    return Template.fromStack(stack);
  }

  it('pulls an ECR image by tag, and reads a secret named by a partial ARN with the suffix wildcard Secrets Manager appends', () => {
    // GIVEN an image pinned by tag and a secret ARN without its six-character suffix, encrypted with a key, read from SSM
    const uri = '210000000001.dkr.ecr.us-east-2.amazonaws.com/team/api:v1.2.3';
    const partialArn = 'arn:aws:secretsmanager:us-east-2:210000000001:secret:team/plain';
    const parameterArn = 'arn:aws:ssm:us-east-2:210000000001:parameter/team/token';
    const keyArn = 'arn:aws:kms:us-east-2:210000000001:key/11111111-2222-3333-4444-555555555555';
    // WHEN the task definition is built
    const template = taskDefinitionFor((service) => {
      service.image = { uri };
      service.secrets = { PLAIN: partialArn, TOKEN: { arn: parameterArn, kmsKeyArn: keyArn } };
    });
    // THEN the tag is in the image, the partial ARN is granted with -?????? and the key only via SSM
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Image: { 'Fn::Join': ['', ['210000000001.dkr.ecr.us-east-2.', { Ref: 'AWS::URLSuffix' }, '/team/api:v1.2.3']] },
          Secrets: [
            { Name: 'PLAIN', ValueFrom: partialArn },
            { Name: 'TOKEN', ValueFrom: parameterArn },
          ],
        }),
      ],
    });
    const statements = executionRoleStatements(template);
    expect(statements.filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue')).map((s) => s.Resource)).toEqual([
      `${partialArn}-??????`,
    ]);
    expect(statements.filter((statement) => actionsOf(statement).includes('kms:Decrypt'))).toEqual([
      expect.objectContaining({ Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': ['ssm.us-east-2.amazonaws.com'] } } }),
    ]);
  });

  it('adds the container health check the service names', () => {
    const command = ['CMD-SHELL', 'wget -q -O- localhost:9000/ping'];
    const template = taskDefinitionFor((service) => {
      service.healthCheckCommand = command;
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ HealthCheck: Match.objectLike({ Command: command, Retries: 3 }) })],
    });
  });

  it('builds a directory image for arm64 when the service runs on arm64', () => {
    const config = fixtureEnvironment('qa', (input) => {
      if (input.service) input.service.cpuArchitecture = 'arm64';
    });
    const stage = new ProviderStage(new App(), 'Provider', { config });
    Template.fromStack(stage.serviceStack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    expect(dockerImageSources(stage.synth())).toEqual([expect.objectContaining({ platform: 'linux/arm64' })]);
  });

  it('fails when two writable paths would share a volume name, naming service.writablePaths and both paths', () => {
    const service: ServiceConfig = { ...fixtureEnvironment('qa').service, writablePaths: ['/data.cache', '/data-cache'] };
    const stack = new Stack(new App(), 'Service');
    expect(() => new ServiceTaskDefinition(stack, 'TaskDefinition', { service, logGroup: new logs.LogGroup(stack, 'Logs') })).toThrow(
      'ServiceTaskDefinition: service.writablePaths "/data.cache" and "/data-cache" would share the volume name writable-data-cache; rename one folder',
    );
  });

  it('fails when a writable path is not an absolute folder path, naming service.writablePaths and the path', () => {
    const service: ServiceConfig = { ...fixtureEnvironment('qa').service, writablePaths: ['relative/path'] };
    const stack = new Stack(new App(), 'Service');
    expect(() => new ServiceTaskDefinition(stack, 'TaskDefinition', { service, logGroup: new logs.LogGroup(stack, 'Logs') })).toThrow(
      'service.writablePaths must hold absolute folder paths other than /, got "relative/path"',
    );
  });
});
