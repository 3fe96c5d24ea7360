import { resolve } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadDeploymentConfig, selectEnvironment, type EnvironmentConfig } from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsumerStage, consumerStageId } from '../src/index';

const exampleConfig = resolve(import.meta.dirname, '../../../deploy.config.ts');
const parameterArn = 'arn:aws:ssm:eu-west-1:111111111111:parameter/task-api/staging/privatelink/endpoint-service-name';

describe('ConsumerStage (example config)', () => {
  let config: EnvironmentConfig;
  let stages: ConsumerStage[];

  beforeAll(async () => {
    // GIVEN the example config with two consumers
    config = selectEnvironment(await loadDeploymentConfig(exampleConfig), 'staging');
    // WHEN one stage per consumer is built, as the consumer app does
    const app = new PrivateApiApp();
    stages = config.consumers.map((consumer) => new ConsumerStage(app, consumerStageId(consumer), { config, consumer }));
  });

  it("deploys one stage per consumer, each to that consumer's account and region", () => {
    expect(stages.map((stage) => [stage.stageName, stage.account, stage.region])).toEqual([
      ['Consumer-orders', '222222222222', 'eu-west-1'],
      ['Consumer-billing', '333333333333', 'eu-west-1'],
    ]);
    expect(stages.map((stage) => stage.endpointStack.stackName)).toEqual([
      'task-api-staging-consumer-orders-endpoint',
      'task-api-staging-consumer-billing-endpoint',
    ]);
  });

  it("gives each consumer a private VPC with its CIDR and zones, and no NAT", () => {
    const [orders, billing] = stages.map((stage) => Template.fromStack(stage.networkStack));
    orders?.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
    billing?.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.10.0.0/16' });
    billing?.resourceCountIs('AWS::EC2::Subnet', 3);
    for (const template of [orders, billing]) {
      template?.resourceCountIs('AWS::EC2::NatGateway', 0);
      template?.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
      template?.resourceCountIs('AWS::EC2::FlowLog', 1);
    }
  });

  it("reads the provider's service name from the shared SSM parameter by its full ARN, as a template parameter", () => {
    for (const stage of stages) {
      const template = Template.fromStack(stage.endpointStack);
      const parameters = template.findParameters('*', {
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: parameterArn,
      });
      expect(Object.keys(parameters)).toHaveLength(1);
      const [parameterName] = Object.keys(parameters);
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: { Ref: parameterName },
        PrivateDnsEnabled: false,
      });
      expect(JSON.stringify(template.toJSON())).not.toMatch(/vpce-svc-/);
    }
  });

  it("admits the consumer's client CIDRs, and only them, on the provider's port", () => {
    const [orders, billing] = stages.map((stage) => Template.fromStack(stage.endpointStack));
    const ingressOf = (template: Template | undefined) =>
      Object.values(
        template?.findResources('AWS::EC2::SecurityGroup', {
          Properties: { GroupDescription: Match.stringLikeRegexp('^Interface endpoint') },
        }) ?? {},
      ).map((group) => group.Properties.SecurityGroupIngress);
    expect(ingressOf(orders)).toEqual([[expect.objectContaining({ CidrIp: '10.20.0.0/16', FromPort: 80, ToPort: 80 })]]);
    expect(ingressOf(billing)).toEqual([[expect.objectContaining({ CidrIp: '10.10.0.0/20', FromPort: 80, ToPort: 80 })]]);
  });

  it('outputs the DNS name clients call and the endpoint security group', () => {
    const [first] = stages;
    if (!first) throw new Error("no consumer stage");
    const template = Template.fromStack(first.endpointStack);
    template.hasOutput('PrivateApiDnsName', {
      Value: { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [Match.anyValue(), 'DnsEntries'] }] }] }] },
    });
    template.hasOutput('PrivateApiSecurityGroupId', Match.anyValue());
  });

  it('deploys a smoke-test function in the consumer VPC that reaches only the endpoint', () => {
    const [orders] = stages;
    if (!orders) throw new Error('no consumer stage');
    const template = Template.fromStack(orders.endpointStack);
    const stack = orders.endpointStack;
    const functionSg = stack.resolve(
      (orders.endpointStack.smokeTest.function.connections.securityGroups[0]?.node.defaultChild as unknown as { logicalId: string }).logicalId,
    ) as string;
    const endpointSg = stack.resolve((orders.endpointStack.endpoint.securityGroup.node.defaultChild as unknown as { logicalId: string }).logicalId) as string;
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'task-api-staging-orders-smoke',
      Runtime: 'nodejs24.x',
      VpcConfig: Match.objectLike({ SecurityGroupIds: [{ 'Fn::GetAtt': [functionSg, 'GroupId'] }] }),
      Environment: {
        Variables: {
          API_BASE_URL: {
            'Fn::Join': ['', ['http://', Match.objectLike({ 'Fn::Select': Match.anyValue() }), ':80']],
          },
          REQUEST_TIMEOUT_MS: '5000',
        },
      },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [functionSg, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
      FromPort: 80,
      ToPort: 80,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [functionSg, 'GroupId'] },
      FromPort: 80,
    });
  });

  it('lets only the pipeline smoke runner assume the invoker role, which may only invoke the function', () => {
    const [orders] = stages;
    if (!orders) throw new Error('no consumer stage');
    const template = Template.fromStack(orders.endpointStack);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'task-api-staging-smoke-invoker',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Principal: { AWS: 'arn:aws:iam::444444444444:root' },
            Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::444444444444:role/task-api-staging-smoke-runner-*' } },
          }),
        ],
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('InvokerRole'),
    );
    expect(policies.map((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SmokeTestFunction/), 'Arn'] } }],
    ]);
  });
});
