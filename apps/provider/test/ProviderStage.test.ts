import { resolve } from 'node:path';
import { Stage, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  allowedClientCidrs,
  allowedPrincipalArns,
  consumerAccounts,
  endpointServiceParameterArn,
  endpointServiceParameterName,
  listenerPort,
  selfManagedConsumers,
  type EnvironmentConfig,
} from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { FIXTURE_IMAGE_DIRECTORY, fixtureEnvironment } from '@private-api/testing';
import { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addProviderStacks, ProviderStage, type ProviderStacks } from '../src/index';

/** `{ 'Fn::GetAtt': [<logical id>, 'GroupId'] }` of a security group in its stack's template. */
function groupIdOf(stack: Stack, group: ec2.ISecurityGroup): unknown {
  return stack.resolve(group.securityGroupId);
}

/** The logical id of a security group in its stack's template. */
function logicalIdOf(stack: Stack, group: ec2.ISecurityGroup): string {
  const resolved = groupIdOf(stack, group) as { 'Fn::GetAtt': [string, string] };
  return resolved['Fn::GetAtt'][0];
}

describe('ProviderStage (fixture environment qa)', () => {
  let config: EnvironmentConfig;
  let stage: ProviderStage;
  let network: Template;
  let service: Template;

  beforeAll(() => {
    // GIVEN the qa environment of the fixture config (zones by ID, three kinds of consumer)
    config = fixtureEnvironment('qa');
    // WHEN its provider stage is synthesized with the fixture service's image directory
    stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
    network = Template.fromStack(stage.networkStack);
    service = Template.fromStack(stage.serviceStack);
  });

  it("deploys to the provider's account and region, as two stacks named after the service and environment", () => {
    expect(stage.account).toBe(config.provider.account);
    expect(stage.region).toBe(config.provider.region);
    expect(stage.networkStack.stackName).toBe(`${config.serviceName}-${config.name}-provider-network`);
    expect(stage.serviceStack.stackName).toBe(`${config.serviceName}-${config.name}-provider-service`);
    for (const stack of [stage.networkStack, stage.serviceStack]) {
      expect([stack.account, stack.region]).toEqual([config.provider.account, config.provider.region]);
    }
  });

  it('runs on a private VPC with no NAT gateway and the endpoints Fargate needs', () => {
    network.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: config.provider.vpcCidr });
    network.resourceCountIs('AWS::EC2::NatGateway', 0);
    network.resourceCountIs('AWS::EC2::InternetGateway', 0);
    // S3 gateway + ECR api/dkr + Logs: the fixture service takes no secrets, so no secret-store endpoint
    network.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    network.resourceCountIs('AWS::EC2::FlowLog', 1);
    network.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.provider.logRetentionDays });
  });

  it('places one subnet in each configured zone by zone ID, never by name', () => {
    const subnets = Object.values(network.findResources('AWS::EC2::Subnet')).map((subnet) => subnet.Properties);
    expect(subnets.map((subnet) => subnet.AvailabilityZoneId)).toEqual(config.provider.availabilityZones.map((zone) => zone.id));
    expect(subnets.map((subnet) => subnet.AvailabilityZoneId)).toEqual(['use2-az1', 'use2-az2']);
    expect(subnets.every((subnet) => subnet.AvailabilityZone === undefined)).toBe(true);
  });

  it('enables Container Insights on the cluster', () => {
    service.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it("builds the task image from the service's image directory as a Docker image asset for its architecture", () => {
    const assembly = stage.synth();
    const manifests = assembly.artifacts.filter(
      (artifact): artifact is cxapi.AssetManifestArtifact => artifact instanceof cxapi.AssetManifestArtifact,
    );
    const images = manifests.flatMap((manifest) => Object.values(manifest.contents.dockerImages ?? {}));
    expect(config.service.image).toEqual({ kind: 'directory', directory: FIXTURE_IMAGE_DIRECTORY, file: 'Dockerfile' });
    expect(config.service.cpuArchitecture).toBe('x86_64');
    expect(images).toHaveLength(1);
    expect(images[0]?.source).toMatchObject({ platform: 'linux/amd64', dockerFile: 'Dockerfile' });
    expect(resolve(assembly.directory, images[0]?.source.directory ?? '')).toMatch(/asset\.[0-9a-f]{64}$/);
    const { account, region } = config.provider;
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          Image: { 'Fn::Sub': Match.stringLikeRegexp(`cdk-hnb659fds-container-assets-${account}-${region}`) },
        }),
      ],
    });
  });

  it('runs the container as the configured non-root user on a read-only root file system, with its health check, environment and bounded logs', () => {
    const { service: api } = config;
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: String(api.cpu),
      Memory: String(api.memoryMiB),
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [
        Match.objectLike({
          User: api.user,
          ReadonlyRootFilesystem: true,
          Essential: true,
          PortMappings: [Match.objectLike({ ContainerPort: api.containerPort, Protocol: 'tcp' })],
          Environment: [
            { Name: 'PORT', Value: String(api.containerPort) },
            ...Object.entries(api.environment).map(([Name, Value]) => ({ Name, Value })),
          ],
          StopTimeout: 30,
          LogConfiguration: Match.objectLike({
            LogDriver: 'awslogs',
            Options: Match.objectLike({ 'awslogs-stream-prefix': config.serviceName, mode: 'non-blocking' }),
          }),
        }),
      ],
    });
    expect(api.user).not.toMatch(/^(0|root)(:|$)/);
    service.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.provider.logRetentionDays });
  });

  it('adds no container health check when the service names no command (the load balancers check health)', () => {
    expect(config.service.healthCheckCommand).toBeUndefined();
    const [taskDefinition] = Object.values(service.findResources('AWS::ECS::TaskDefinition'));
    const [container] = taskDefinition?.Properties.ContainerDefinitions ?? [];
    expect(container).toMatchObject({ Name: 'Api' });
    expect(container).not.toHaveProperty('HealthCheck');
  });

  it('runs the configured number of tasks in private subnets, without public IPs, with a rolling-back circuit breaker', () => {
    // The fixture autoscales: desiredCount is the scalable target's minimum, not a DesiredCount
    // every deploy would reset the service to (Monitoring.test.ts, "DesiredCount").
    service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: config.provider.desiredCount });
    service.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: Match.absent(),
      AvailabilityZoneRebalancing: 'ENABLED',
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      }),
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          // subnets come from the network stack, one per AZ
          Subnets: config.provider.availabilityZones.map(() => Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() })),
        }),
      },
      LoadBalancers: [Match.objectLike({ ContainerName: 'Api', ContainerPort: config.service.containerPort })],
    });
  });

  it("lets the tasks admit only the ALB's security group on the container port", () => {
    const stack = stage.serviceStack;
    const [serviceGroup] = stack.service.connections.securityGroups;
    if (!serviceGroup) throw new Error('the service has no security group');
    const rules = Object.values(
      service.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: groupIdOf(stack, serviceGroup) } }),
    ).map((rule) => rule.Properties);
    const port = config.service.containerPort;
    expect(rules).toEqual([
      expect.objectContaining({ FromPort: port, ToPort: port, SourceSecurityGroupId: groupIdOf(stack, stack.privateLink.albSecurityGroup) }),
    ]);
    expect(service.toJSON().Resources[logicalIdOf(stack, serviceGroup)].Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('health-checks the service on its configured path, from the ALB and from the NLB', () => {
    const targetGroups = Object.values(service.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map(
      (group) => group.Properties,
    );
    expect(targetGroups.map((group) => [group.TargetType, group.Port, group.HealthCheckPath])).toEqual(
      expect.arrayContaining([
        ['alb', listenerPort(config), config.service.healthCheckPath],
        ['ip', config.service.containerPort, config.service.healthCheckPath],
      ]),
    );
    expect(targetGroups).toHaveLength(2);
  });

  it('admits on the NLB exactly the client ranges of every consumer, self-managed ones included (PrivateLink rules enforced)', () => {
    const stack = stage.serviceStack;
    const nlbGroup = service.toJSON().Resources[logicalIdOf(stack, stack.privateLink.nlbSecurityGroup)];
    const expected = [...new Set(config.consumers.flatMap(allowedClientCidrs))].map((cidr) => [cidr, listenerPort(config)]);
    expect(nlbGroup.Properties.SecurityGroupIngress.map((rule: { CidrIp: string; FromPort: number }) => [rule.CidrIp, rule.FromPort])).toEqual(
      expected,
    );
    for (const consumer of selfManagedConsumers(config)) {
      expect(expected.map(([cidr]) => cidr)).toEqual(expect.arrayContaining([...consumer.allowedClientCidrs]));
    }
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'on',
    });
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'application', Scheme: 'internal' });
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'alb', Protocol: 'TCP', Port: listenerPort(config) });
  });

  it('allows exactly the consumer principals on the endpoint service, the self-managed consumer gamma included, and requires acceptance', () => {
    service.hasResourceProperties('AWS::EC2::VPCEndpointService', { AcceptanceRequired: config.provider.acceptanceRequired });
    expect(config.provider.acceptanceRequired).toBe(true);
    service.hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', { AllowedPrincipals: allowedPrincipalArns(config) });
    const gamma = config.consumers.find((consumer) => consumer.name === 'gamma');
    expect(gamma?.kind).toBe('self-managed');
    expect(allowedPrincipalArns(config)).toContain(`arn:aws:iam::${gamma?.account}:root`);
    expect(allowedPrincipalArns(config)).toHaveLength(config.consumers.length);
  });

  it('publishes the endpoint service name in an advanced-tier SSM parameter shared with the consumer accounts through RAM', () => {
    const stack = stage.serviceStack;
    const parameterRef = stack.resolve(stack.endpointServiceNameParameter.parameterName);
    service.hasResourceProperties('AWS::SSM::Parameter', {
      Name: endpointServiceParameterName(config),
      Tier: 'Advanced',
      Type: 'String',
      Value: {
        'Fn::Join': [
          '.',
          ['com.amazonaws.vpce', { Ref: 'AWS::Region' }, { Ref: Match.stringLikeRegexp('^PrivateLinkEndpointService') }],
        ],
      },
    });
    expect(consumerAccounts(config)).toEqual(config.consumers.map((consumer) => consumer.account));
    // The shared ARN (prefix + the parameter's name) is exactly the one consumers read.
    const arnPrefix = endpointServiceParameterArn(config).slice(0, -endpointServiceParameterName(config).length);
    expect(arnPrefix).toBe(`arn:aws:ssm:${config.provider.region}:${config.provider.account}:parameter`);
    service.hasResourceProperties('AWS::RAM::ResourceShare', {
      Principals: consumerAccounts(config),
      AllowExternalPrincipals: true,
      ResourceArns: [{ 'Fn::Join': ['', [arnPrefix, parameterRef]] }],
    });
  });

  it('notifies an encrypted topic of endpoint connection requests', () => {
    service.hasResourceProperties('AWS::EC2::VPCEndpointConnectionNotification', {
      ConnectionEvents: ['Connect', 'Accept', 'Reject', 'Delete'],
    });
    service.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointNotificationKey'), 'Arn'] },
    });
    service.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    service.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'VpcEndpointServiceNotifications',
            Principal: { Service: 'vpce.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': config.provider.account } },
          }),
        ]),
      }),
    });
  });
});

describe('ProviderStage (fixture environment live: zones by name and ID)', () => {
  it("keeps placing subnets by zone name when every zone of the config has one, so deployed subnets stay put", () => {
    // GIVEN the live environment, whose zones are name + ID pairs
    const config = fixtureEnvironment('live');
    expect(config.provider.availabilityZones.every((zone) => zone.name !== undefined)).toBe(true);
    // WHEN its network stack is synthesized
    const stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
    const subnets = Object.values(Template.fromStack(stage.networkStack).findResources('AWS::EC2::Subnet')).map(
      (subnet) => subnet.Properties,
    );
    // THEN each subnet names its zone, none its zone ID
    expect(subnets.map((subnet) => subnet.AvailabilityZone)).toEqual(config.provider.availabilityZones.map((zone) => zone.name));
    expect(subnets.every((subnet) => subnet.AvailabilityZoneId === undefined)).toBe(true);
  });
});

describe('addProviderStacks (the standalone app and the stage share one composition)', () => {
  let config: EnvironmentConfig;
  let app: PrivateApiApp;
  let standalone: ProviderStacks;
  let staged: ProviderStage;

  beforeAll(() => {
    // GIVEN the qa fixture environment
    config = fixtureEnvironment('qa');
    // WHEN the stacks are composed under a plain construct `Provider` of an app (as main.ts
    // does) and inside a ProviderStage `Provider` (as the pipeline does)
    app = new PrivateApiApp();
    standalone = addProviderStacks(new Construct(app, 'Provider'), { config });
    staged = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
  });

  it('puts the standalone stacks at the top level of the assembly, at Provider/Network and Provider/Service, with explicit env', () => {
    const stacks = [standalone.networkStack, standalone.serviceStack];
    expect(stacks.map((stack) => stack.node.path)).toEqual(['Provider/Network', 'Provider/Service']);
    // No Stage between the app and the stacks: the CLI selects them without a stack name.
    expect(stacks.map((stack) => Stage.of(stack))).toEqual([app, app]);
    for (const stack of stacks) {
      expect(stack.environment).toBe(`aws://${config.provider.account}/${config.provider.region}`);
    }
  });

  it('synthesizes identical templates either way', () => {
    expect(Template.fromStack(standalone.networkStack).toJSON()).toEqual(Template.fromStack(staged.networkStack).toJSON());
    expect(Template.fromStack(standalone.serviceStack).toJSON()).toEqual(Template.fromStack(staged.serviceStack).toJSON());
    expect(standalone.serviceStack.stackName).toBe(staged.serviceStack.stackName);
  });

  it('fails when the image directory of the service does not exist, naming service.image.directory', () => {
    const missing = fixtureEnvironment('qa', (input) => {
      if (input.service) input.service.image = { directory: 'libs/testing/fixtures/no-such-image' };
    });
    expect(() => addProviderStacks(new Construct(new PrivateApiApp(), 'Provider'), { config: missing })).toThrow(
      /service\.image\.directory: is not a folder of the repository .* \(got "libs\/testing\/fixtures\/no-such-image"\)/,
    );
  });
});
