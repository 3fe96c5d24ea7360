import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  consumerWaveNumber,
  consumerWaves,
  deploymentRolePath,
  endpointServiceParameterArn,
  listenerPort,
  managedConsumers,
  MAX_CONSUMERS_PER_WAVE,
  selfManagedConsumers,
  smokeTestFunctionName,
  smokeTestRoleName,
  smokeTestRunnerRoleArn,
  type EnvironmentConfig,
  type ExistingVpcConsumerConfig,
  type ManagedConsumerConfig,
  type NewVpcConsumerConfig,
  type PipelineConfig,
} from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { ConsumerEndpoint } from '@private-api/privatelink';
import { fixtureEnvironment } from '@private-api/testing';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConsumerSmokeTest,
  ConsumerStacksScope,
  ConsumerStage,
  consumerStageId,
  ExistingConsumerVpc,
} from '../src/index';

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  const child = construct.node.defaultChild;
  if (!(child instanceof ec2.CfnSecurityGroup)) throw new Error('not a security group');
  return stack.resolve(child.logicalId) as string;
}

function kindOf<K extends ManagedConsumerConfig['kind']>(config: EnvironmentConfig, kind: K): Extract<ManagedConsumerConfig, { kind: K }> {
  const consumer = managedConsumers(config).find((candidate) => candidate.kind === kind);
  if (!consumer) throw new Error(`the fixture has no ${kind} consumer`);
  return consumer as Extract<ManagedConsumerConfig, { kind: K }>;
}

describe('ConsumerStage (fixture config)', () => {
  let config: EnvironmentConfig;
  let pipeline: PipelineConfig;
  let newVpc: NewVpcConsumerConfig;
  let existingVpc: ExistingVpcConsumerConfig;
  let stages: Map<string, ConsumerStage>;
  const stageOf = (name: string): ConsumerStage => {
    const stage = stages.get(name);
    if (!stage) throw new Error(`no stage for ${name}`);
    return stage;
  };

  beforeAll(() => {
    // GIVEN the fixture environment: a new-VPC, an existing-VPC and a self-managed consumer
    config = fixtureEnvironment();
    if (!config.pipeline) throw new Error('the fixture has a pipeline');
    pipeline = config.pipeline;
    newVpc = kindOf(config, 'new-vpc');
    existingVpc = kindOf(config, 'existing-vpc');
    // WHEN one stage per managed consumer is built, as the pipeline does
    const app = new PrivateApiApp();
    stages = new Map(
      managedConsumers(config).map((consumer) => [consumer.name, new ConsumerStage(app, consumerStageId(consumer), { config, consumer })]),
    );
  });

  it("deploys one stage per managed consumer, each to that consumer's account and region", () => {
    expect([...stages.values()].map((stage) => [stage.stageName, stage.account, stage.region])).toEqual(
      managedConsumers(config).map((consumer) => [`Consumer-${consumer.name}`, consumer.account, consumer.region]),
    );
    expect(selfManagedConsumers(config).length).toBeGreaterThan(0);
    for (const consumer of selfManagedConsumers(config)) expect(stages.has(consumer.name)).toBe(false);
    expect(stageOf(newVpc.name).endpointStack.stackName).toBe(`${config.serviceName}-${config.name}-consumer-${newVpc.name}-endpoint`);
  });

  it('deploys every managed consumer, new VPC or existing, as exactly one stack: the endpoint stack', () => {
    expect(new Set(managedConsumers(config).map((consumer) => consumer.kind))).toEqual(new Set(['new-vpc', 'existing-vpc']));
    for (const consumer of managedConsumers(config)) {
      const stage = stageOf(consumer.name);
      expect(stage.node.children.filter((child) => child instanceof Stack)).toEqual([stage.endpointStack]);
      expect(stage.endpointStack.stackName).toBe(`${config.serviceName}-${config.name}-consumer-${consumer.name}-endpoint`);
    }
  });

  it('gives a new-VPC consumer a private VPC with its CIDR, placed by its zone IDs, in its endpoint stack: no NAT, no internet gateway, flow logs', () => {
    const stack = stageOf(newVpc.name).endpointStack;
    expect(stack.network).toBeDefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: newVpc.vpc.cidr });
    const zoneIds = Object.values(template.findResources('AWS::EC2::Subnet')).map((subnet) => subnet.Properties.AvailabilityZoneId);
    expect(zoneIds).toEqual(newVpc.vpc.availabilityZones.map((zone) => zone.id));
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    // No AWS service endpoint: the only endpoint is the PrivateLink one
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: { Ref: Match.stringLikeRegexp('^ProviderEndpointServiceName') } });
  });

  it("places a new-VPC consumer's endpoint and smoke function in that VPC's subnets, referenced within the stack", () => {
    const template = Template.fromStack(stageOf(newVpc.name).endpointStack);
    const [vpcId] = Object.keys(template.findResources('AWS::EC2::VPC'));
    const subnetRefs = Object.keys(template.findResources('AWS::EC2::Subnet')).map((id) => ({ Ref: id }));
    expect(subnetRefs).toHaveLength(newVpc.vpc.availabilityZones.length);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcId: { Ref: vpcId }, SubnetIds: subnetRefs });
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: subnetRefs }) });
    for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(group.Properties.VpcId).toEqual({ Ref: vpcId });
    }
    // Nothing is read from another stack any more
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Fn::ImportValue|Fn::GetStackOutput/);
  });

  it('deploys an existing-VPC consumer as one stack whose endpoint and smoke function use exactly its subnets', () => {
    const stage = stageOf(existingVpc.name);
    expect(stage.endpointStack.network).toBeUndefined();
    expect(stage.node.children.filter((child) => child instanceof Stack)).toEqual([stage.endpointStack]);
    const template = Template.fromStack(stage.endpointStack);
    const subnetIds = existingVpc.vpc.subnets.map((subnet) => subnet.subnetId);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcId: existingVpc.vpc.id, SubnetIds: subnetIds });
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: subnetIds }) });
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 0);
    for (const group of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(group.Properties.VpcId).toBe(existingVpc.vpc.id);
    }
  });

  it("reads the provider's service name from the shared SSM parameter by its full ARN, as a template parameter", () => {
    for (const stage of stages.values()) {
      const template = Template.fromStack(stage.endpointStack);
      const parameters = template.findParameters('*', {
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: endpointServiceParameterArn(config),
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

  it("admits each consumer's client CIDRs, and only them, on the provider's port", () => {
    const port = listenerPort(config);
    for (const consumer of managedConsumers(config)) {
      const template = Template.fromStack(stageOf(consumer.name).endpointStack);
      const ingress = Object.values(
        template.findResources('AWS::EC2::SecurityGroup', {
          Properties: { GroupDescription: Match.stringLikeRegexp('^Interface endpoint') },
        }),
      ).map((group) => group.Properties.SecurityGroupIngress);
      expect(ingress).toEqual([
        consumer.allowedClientCidrs.map((cidr) => expect.objectContaining({ CidrIp: cidr, FromPort: port, ToPort: port })),
      ]);
    }
    expect(existingVpc.allowedClientCidrs).not.toContain(existingVpc.vpc.cidr);
  });

  it('outputs the DNS name clients call, the endpoint security group and the smoke function', () => {
    const template = Template.fromStack(stageOf(newVpc.name).endpointStack);
    template.hasOutput('PrivateApiDnsName', {
      Value: { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [Match.anyValue(), 'DnsEntries'] }] }] }] },
    });
    template.hasOutput('PrivateApiSecurityGroupId', Match.anyValue());
    template.hasOutput('SmokeTestFunctionName', Match.anyValue());
  });

  it('deploys a smoke-test function that runs the configured checks and reaches only the endpoint', () => {
    const port = listenerPort(config);
    for (const consumer of managedConsumers(config)) {
      const stack = stageOf(consumer.name).endpointStack;
      const template = Template.fromStack(stack);
      const functionSg = logicalIdOf(stack, stack.smokeTest.node.findChild('SecurityGroup'));
      const endpointSg = logicalIdOf(stack, stack.endpoint.securityGroup);
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: smokeTestFunctionName(config, consumer),
        Runtime: 'nodejs24.x',
        VpcConfig: Match.objectLike({ SecurityGroupIds: [{ 'Fn::GetAtt': [functionSg, 'GroupId'] }] }),
        Environment: {
          Variables: {
            API_BASE_URL: { 'Fn::Join': ['', ['http://', Match.objectLike({ 'Fn::Select': Match.anyValue() }), `:${port}`]] },
            REQUEST_TIMEOUT_MS: '5000',
            SMOKE_CHECKS: JSON.stringify(config.service.smokeChecks),
          },
        },
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        GroupId: { 'Fn::GetAtt': [functionSg, 'GroupId'] },
        DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
        FromPort: port,
        ToPort: port,
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [functionSg, 'GroupId'] },
        FromPort: port,
      });
    }
  });

  it("lets only its wave's pipeline smoke runner (exact ARN, role path included) assume the invoker role, which may only invoke the function", () => {
    for (const consumer of managedConsumers(config)) {
      const template = Template.fromStack(stageOf(consumer.name).endpointStack);
      // the fixture's managed consumers all fit in wave 1; the ARN carries our role path
      const runnerArn = `arn:aws:iam::${pipeline.account}:role${deploymentRolePath(config)}${config.serviceName}-${config.name}-smoke-runner-1`;
      expect(smokeTestRunnerRoleArn(config, 1)).toBe(runnerArn);
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: smokeTestRoleName(config),
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${pipeline.account}:root` },
              Condition: { ArnEquals: { 'aws:PrincipalArn': [runnerArn] } },
            },
          ],
        },
      });
      expect(JSON.stringify(template.toJSON())).not.toMatch(/smoke-runner-[^"]*\*/);
    }
    const template = Template.fromStack(stageOf(newVpc.name).endpointStack);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('InvokerRole'),
    );
    expect(policies.map((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SmokeTestFunction/), 'Arn'] } }],
    ]);
  });
});

describe('ConsumerStage of a consumer in the second wave', () => {
  it("trusts the second wave's runner only: the wave comes from its place among the managed consumers", () => {
    // GIVEN qa with one managed consumer more than a wave holds: the last managed one is in wave 2
    const config = fixtureEnvironment('qa', (input) => {
      const qa = input.environments.find((environment) => environment.name === 'qa');
      if (!qa) throw new Error('the fixture has no qa');
      const managedSoFar = qa.consumers.filter((consumer) => consumer.selfManaged !== true).length;
      for (let index = 0; index < MAX_CONSUMERS_PER_WAVE + 1 - managedSoFar; index += 1) {
        qa.consumers.push({
          name: `extra${index}`,
          account: `2100000001${String(index).padStart(2, '0')}`,
          region: 'us-east-2',
          availabilityZones: ['use2-az1', 'use2-az2'],
          vpcCidr: `10.${70 + index}.0.0/16`,
        });
      }
    });
    const managed = managedConsumers(config);
    expect(managed).toHaveLength(MAX_CONSUMERS_PER_WAVE + 1);
    const last = managed[managed.length - 1];
    if (!last) throw new Error('expected managed consumers');
    expect(consumerWaveNumber(config, last)).toBe(2);
    expect(consumerWaves(config)).toHaveLength(2);
    // WHEN its stage is built
    const stage = new ConsumerStage(new PrivateApiApp(), consumerStageId(last), { config, consumer: last });
    // THEN its invoker role admits exactly the wave-2 runner
    Template.fromStack(stage.endpointStack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: smokeTestRoleName(config),
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Condition: { ArnEquals: { 'aws:PrincipalArn': [smokeTestRunnerRoleArn(config, 2)] } } })],
      },
    });
    expect(smokeTestRunnerRoleArn(config, 2)).toBe(
      `arn:aws:iam::${config.pipeline?.account ?? ''}:role${deploymentRolePath(config)}fixture-api-qa-smoke-runner-2`,
    );
  });
});

describe('ConsumerStage without a pipeline section', () => {
  let template: Template;
  let config: EnvironmentConfig;
  let consumer: NewVpcConsumerConfig;

  beforeAll(() => {
    // GIVEN the fixture config without its pipeline section
    config = fixtureEnvironment('qa', (input) => {
      delete input.pipeline;
    });
    consumer = kindOf(config, 'new-vpc');
    // WHEN a consumer stage is built
    const stage = new ConsumerStage(new PrivateApiApp(), consumerStageId(consumer), { config, consumer });
    template = Template.fromStack(stage.endpointStack);
  });

  it('still deploys the endpoint and the smoke function, and outputs its name for invoking it by hand', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: smokeTestFunctionName(config, consumer) });
    template.hasOutput('SmokeTestFunctionName', { Value: { Ref: Match.stringLikeRegexp('^SmokeTestFunction') } });
  });

  it('creates no invoker role: there is nobody to trust', () => {
    expect(template.findResources('AWS::IAM::Role', { Properties: { RoleName: smokeTestRoleName(config) } })).toEqual({});
    expect(JSON.stringify(template.toJSON())).not.toContain('smoke-runner');
  });
});

describe('standalone app composition', () => {
  it('synthesizes the same templates at the top of an app as inside a Stage', () => {
    // GIVEN the fixture's managed consumers
    const config = fixtureEnvironment();
    for (const consumer of managedConsumers(config)) {
      // WHEN their stacks are composed in a Stage and under a plain top-level construct
      const stage = new ConsumerStage(new PrivateApiApp(), consumerStageId(consumer), { config, consumer });
      const topLevel = new ConsumerStacksScope(new PrivateApiApp(), consumerStageId(consumer), { config, consumer });
      // THEN both have the same one stack, name, environment and template
      const [inStage, atTop] = [stage.endpointStack, topLevel.endpointStack];
      expect(topLevel.node.children.filter((child) => child instanceof Stack)).toEqual([atTop]);
      expect([atTop.stackName, atTop.account, atTop.region]).toEqual([inStage.stackName, consumer.account, consumer.region]);
      expect(Template.fromStack(atTop).toJSON()).toEqual(Template.fromStack(inStage).toJSON());
      expect(topLevel.endpointStack.node.path).toBe(`Consumer-${consumer.name}/Endpoint`);
    }
  });
});

describe('validation', () => {
  it('fails when a ConsumerStage is given a self-managed consumer', () => {
    const config = fixtureEnvironment();
    const [selfManaged] = selfManagedConsumers(config);
    if (!selfManaged) throw new Error('the fixture has a self-managed consumer');
    const consumer = selfManaged as unknown as ManagedConsumerConfig;
    expect(() => new ConsumerStage(new App(), 'Stage', { config, consumer })).toThrow(
      `ConsumerStage Stage: consumer ${selfManaged.name} is self-managed (it deploys its endpoint from the consumer kit), got kind self-managed`,
    );
  });

  it('fails when an existing VPC names two subnets in one zone, or none', () => {
    const stack = new Stack();
    const twice = { id: 'vpc-0123abcd', cidr: '10.0.0.0/16', subnets: [
      { zoneId: 'use2-az1', subnetId: 'subnet-0123abcd' },
      { zoneId: 'use2-az1', subnetId: 'subnet-0123abce' },
    ] };
    expect(() => new ExistingConsumerVpc(stack, 'Twice', { vpc: twice })).toThrow(
      'ExistingConsumerVpc Default/Twice: vpc.subnets must name one subnet per zone, got zone(s) use2-az1 twice',
    );
    expect(() => new ExistingConsumerVpc(stack, 'None', { vpc: { ...twice, subnets: [] } })).toThrow(
      'ExistingConsumerVpc Default/None: vpc.subnets must name at least one subnet, got []',
    );
  });

  it('fails when the smoke test trusts a runner account that is not an account id, or gets no check', () => {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const endpoint = new ConsumerEndpoint(stack, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.us-east-2.vpce-svc-0abc', port: 80 });
    const base = { vpc, vpcSubnets: {}, endpoint, functionName: 'smoke', logRetention: logs.RetentionDays.ONE_DAY, checks: [{ path: '/', status: 200 }] };
    const invoker = { roleName: 'invoker', runnerRoleArns: ['arn:aws:iam::210000000009:role/runner-1'], runnerAccount: '*' };
    expect(() => new ConsumerSmokeTest(stack, 'Wildcard', { ...base, invoker })).toThrow(
      'ConsumerSmokeTest Default/Wildcard: invoker.runnerAccount must be a 12-digit account id, got *',
    );
    expect(() => new ConsumerSmokeTest(stack, 'NoCheck', { ...base, checks: [] })).toThrow(
      'ConsumerSmokeTest Default/NoCheck: checks must name at least one request, got []',
    );
  });

  it('fails when the smoke test trusts a runner role pattern, a role of another account or no role at all', () => {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const endpoint = new ConsumerEndpoint(stack, 'Endpoint', { vpc, serviceName: 'com.amazonaws.vpce.us-east-2.vpce-svc-0abc', port: 80 });
    const base = { vpc, vpcSubnets: {}, endpoint, functionName: 'smoke', logRetention: logs.RetentionDays.ONE_DAY, checks: [{ path: '/', status: 200 }] };
    const invoker = (runnerRoleArns: string[]) => ({ invoker: { roleName: 'invoker', runnerRoleArns, runnerAccount: '210000000009' } });
    expect(() => new ConsumerSmokeTest(stack, 'Pattern', { ...base, ...invoker(['arn:aws:iam::210000000009:role/svc/runner-*']) })).toThrow(
      'ConsumerSmokeTest Default/Pattern: invoker.runnerRoleArns must be exact IAM role ARNs in account 210000000009 (no wildcards), got arn:aws:iam::210000000009:role/svc/runner-*',
    );
    expect(() => new ConsumerSmokeTest(stack, 'Elsewhere', { ...base, ...invoker(['arn:aws:iam::210000000001:role/svc/runner-1']) })).toThrow(
      'ConsumerSmokeTest Default/Elsewhere: invoker.runnerRoleArns must be exact IAM role ARNs in account 210000000009 (no wildcards), got arn:aws:iam::210000000001:role/svc/runner-1',
    );
    expect(() => new ConsumerSmokeTest(stack, 'Nobody', { ...base, ...invoker([]) })).toThrow(
      'ConsumerSmokeTest Default/Nobody: invoker.runnerRoleArns must name at least one role ARN, got []',
    );
  });
});
