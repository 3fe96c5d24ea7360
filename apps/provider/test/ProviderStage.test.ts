import { resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  endpointServiceParameterArn,
  endpointServiceParameterName,
  loadDeploymentConfig,
  selectEnvironment,
  type EnvironmentConfig,
} from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProviderStage } from '../src/index';

const exampleConfig = resolve(import.meta.dirname, '../../../deploy.config.ts');

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;
}

describe('ProviderStage (example config)', () => {
  let config: EnvironmentConfig;
  let stage: ProviderStage;
  let network: Template;
  let service: Template;

  beforeAll(async () => {
    // GIVEN the example config shipped with the repository
    config = selectEnvironment(await loadDeploymentConfig(exampleConfig), 'staging');
    // WHEN the provider stage is synthesized with the real task API image asset
    stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
    network = Template.fromStack(stage.networkStack);
    service = Template.fromStack(stage.serviceStack);
  });

  it("deploys to the provider's account and region, as two stacks", () => {
    expect(stage.account).toBe('111111111111');
    expect(stage.region).toBe('eu-west-1');
    expect(stage.networkStack.stackName).toBe('task-api-staging-provider-network');
    expect(stage.serviceStack.stackName).toBe('task-api-staging-provider-service');
  });

  it('runs on a private VPC with no NAT gateway and the endpoints Fargate needs', () => {
    network.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.10.0.0/16' });
    network.resourceCountIs('AWS::EC2::NatGateway', 0);
    network.resourceCountIs('AWS::EC2::InternetGateway', 0);
    network.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    network.resourceCountIs('AWS::EC2::FlowLog', 1);
    network.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('enables Container Insights on the cluster', () => {
    service.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('builds the task image from apps/task-api as a Docker image asset for linux/amd64', () => {
    const assembly = stage.synth();
    const manifests = assembly.artifacts.filter(
      (artifact): artifact is cxapi.AssetManifestArtifact => artifact instanceof cxapi.AssetManifestArtifact,
    );
    const images = manifests.flatMap((manifest) => Object.values(manifest.contents.dockerImages ?? {}));
    expect(images).toHaveLength(1);
    expect(images[0]?.source).toMatchObject({ platform: 'linux/amd64' });
    expect(resolve(assembly.directory, images[0]?.source.directory ?? '')).toMatch(/asset\.[0-9a-f]{64}$/);
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Image: { 'Fn::Sub': Match.stringLikeRegexp('cdk-hnb659fds-container-assets-111111111111-eu-west-1') },
        }),
      ],
    });
  });

  it('runs the container as a non-root user on a read-only root file system, with a health check and bounded logs', () => {
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [
        Match.objectLike({
          User: '1000:1000',
          ReadonlyRootFilesystem: true,
          Essential: true,
          PortMappings: [Match.objectLike({ ContainerPort: 8080, Protocol: 'tcp' })],
          Environment: Match.arrayWith([{ Name: 'PORT', Value: '8080' }]),
          HealthCheck: Match.objectLike({ Command: ['CMD', 'node', '/app/dist/healthcheck.js'] }),
          StopTimeout: 30,
          LogConfiguration: Match.objectLike({
            LogDriver: 'awslogs',
            Options: Match.objectLike({ 'awslogs-stream-prefix': 'task-api', mode: 'non-blocking' }),
          }),
        }),
      ],
    });
    service.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('runs at least two tasks in private subnets, without public IPs, with a rolling-back circuit breaker', () => {
    service.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
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
          Subnets: [Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }), Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() })],
        }),
      },
      LoadBalancers: [Match.objectLike({ ContainerName: 'Api', ContainerPort: 8080 })],
    });
  });

  it("lets the tasks admit only the ALB's security group on the container port", () => {
    const stack = stage.serviceStack;
    const serviceSg = logicalIdOf(stack, stack.service.connections.securityGroups[0] as never);
    const albSg = logicalIdOf(stack, stack.privateLink.albSecurityGroup);
    const rules = Object.values(
      service.findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: { GroupId: { 'Fn::GetAtt': [serviceSg, 'GroupId'] } },
      }),
    ).map((rule) => rule.Properties);
    expect(rules).toEqual([
      expect.objectContaining({ FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: { 'Fn::GetAtt': [albSg, 'GroupId'] } }),
    ]);
    expect(service.toJSON().Resources[serviceSg].Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('admits on the NLB exactly the client ranges of the consumers (PrivateLink rules enforced)', () => {
    const stack = stage.serviceStack;
    const nlbSg = service.toJSON().Resources[logicalIdOf(stack, stack.privateLink.nlbSecurityGroup)];
    expect(nlbSg.Properties.SecurityGroupIngress.map((rule: { CidrIp: string; FromPort: number }) => [rule.CidrIp, rule.FromPort])).toEqual([
      ['10.20.0.0/16', 80],
      ['10.10.0.0/20', 80],
    ]);
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'on',
    });
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'application', Scheme: 'internal' });
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'alb', Protocol: 'TCP', Port: 80 });
  });

  it('allows exactly the consumer accounts on the endpoint service and requires acceptance', () => {
    service.hasResourceProperties('AWS::EC2::VPCEndpointService', { AcceptanceRequired: true });
    service.hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', {
      AllowedPrincipals: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root'],
    });
  });

  it('publishes the endpoint service name in an advanced-tier SSM parameter shared with the consumer accounts through RAM', () => {
    const stack = stage.serviceStack;
    const parameterId = logicalIdOf(stack, stack.endpointServiceNameParameter);
    service.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/task-api/staging/privatelink/endpoint-service-name',
      Tier: 'Advanced',
      Type: 'String',
      Value: {
        'Fn::Join': [
          '.',
          ['com.amazonaws.vpce', { Ref: 'AWS::Region' }, { Ref: Match.stringLikeRegexp('^PrivateLinkEndpointService') }],
        ],
      },
    });
    service.hasResourceProperties('AWS::RAM::ResourceShare', {
      Principals: ['222222222222', '333333333333'],
      AllowExternalPrincipals: true,
      ResourceArns: [{ 'Fn::Join': ['', ['arn:aws:ssm:eu-west-1:111111111111:parameter', { Ref: parameterId }]] }],
    });
    // The shared ARN (prefix + the parameter's name) is exactly the one consumers read.
    expect(`arn:aws:ssm:eu-west-1:111111111111:parameter${endpointServiceParameterName(config)}`).toBe(
      endpointServiceParameterArn(config),
    );
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
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      }),
    });
  });
});
