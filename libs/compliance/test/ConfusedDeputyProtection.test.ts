import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfusedDeputyProtection, SOURCE_CONDITION_SERVICES } from '../src/index';

// A library test cannot use the fixture configs (libs/testing is for apps): its own values.
const env = { account: '320000000001', region: 'ca-central-1' };
const PARTITION = { Ref: 'AWS::Partition' };

function arnLike(service: string, resource: string): unknown {
  return { 'Fn::Join': ['', ['arn:', PARTITION, `:${service}:ca-central-1:320000000001:${resource}`]] };
}

/** The trust policy statements of the role whose logical id starts with `prefix`. */
function trustOf(template: Template, prefix: string): Record<string, unknown>[] {
  const roles = template.findResources('AWS::IAM::Role');
  const [id] = Object.keys(roles).filter((logicalId) => logicalId.startsWith(prefix));
  if (id === undefined) throw new Error(`no role ${prefix} in ${Object.keys(roles).join(', ')}`);
  return roles[id]?.Properties.AssumeRolePolicyDocument.Statement;
}

describe('ConfusedDeputyProtection', () => {
  let template: Template;

  beforeAll(() => {
    // GIVEN a stack trusting each kind of service principal, with the aspect applied
    const app = new App();
    const stack = new Stack(app, 'Trusts', { env });
    ConfusedDeputyProtection.applyTo(app);
    new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new iam.Role(stack, 'BuildRole', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    new iam.Role(stack, 'FunctionRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new iam.Role(stack, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
    new iam.Role(stack, 'SharedRole', {
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('codebuild.amazonaws.com'),
        new iam.ServicePrincipal('lambda.amazonaws.com'),
        new iam.AccountRootPrincipal(),
      ),
    });
    const alreadyScoped = new iam.Role(stack, 'ScopedRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': '320000000001' } },
      }),
    });
    alreadyScoped.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('ecs-tasks.amazonaws.com')],
        actions: ['sts:TagSession'],
      }),
    );
    // A role CDK's custom resource providers write as a plain CfnResource
    new CfnResource(stack, 'ProviderRole', {
      type: 'AWS::IAM::Role',
      properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Sid: 'Trust', Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
      },
    });
    new CfnResource(stack, 'MixedRole', {
      type: 'AWS::IAM::Role',
      properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Sid: 'Mixed',
              Effect: 'Allow',
              Principal: { Service: ['codebuild.amazonaws.com', 'lambda.amazonaws.com'], AWS: 'arn:aws:iam::320000000001:root' },
              Action: 'sts:AssumeRole',
            },
          ],
        },
      },
    });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['ca-central-1a', 'ca-central-1b'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      restrictDefaultSecurityGroup: false,
    });
    vpc.addFlowLog('FlowLog');
    const notificationKey = new kms.Key(stack, 'NotificationKey');
    notificationKey.grant(new iam.ServicePrincipal('vpce.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
    const buildKey = new kms.Key(stack, 'BuildKey');
    buildKey.grant(new iam.ServicePrincipal('codebuild.amazonaws.com'), 'kms:Decrypt');
    // WHEN it is synthesized
    template = Template.fromStack(stack);
  });

  it('scopes ECS tasks to the stack account and its ECS resources', () => {
    expect(trustOf(template, 'TaskRole')).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '320000000001' },
          ArnLike: { 'aws:SourceArn': arnLike('ecs', '*') },
        },
      },
    ]);
  });

  it('scopes CodeBuild to the projects of the stack account', () => {
    expect(trustOf(template, 'BuildRole')[0]?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '320000000001' },
      ArnLike: { 'aws:SourceArn': arnLike('codebuild', 'project/*') },
    });
  });

  it("scopes the flow log role CDK creates, and a custom resource provider's plain CfnResource role", () => {
    const expected = {
      StringEquals: { 'aws:SourceAccount': '320000000001' },
      ArnLike: { 'aws:SourceArn': arnLike('ec2', 'vpc-flow-log/*') },
    };
    expect(trustOf(template, 'VpcFlowLogIAMRole')[0]?.Condition).toEqual(expected);
    expect(trustOf(template, 'ProviderRole')).toEqual([
      { Sid: 'Trust', Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: expected },
    ]);
  });

  it('leaves the principals that document no source keys untouched (Lambda, CodePipeline)', () => {
    for (const [prefix, service] of [['FunctionRole', 'lambda.amazonaws.com'], ['PipelineRole', 'codepipeline.amazonaws.com']]) {
      expect(trustOf(template, prefix ?? '')).toEqual([
        { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' },
      ]);
    }
  });

  it('conditions only the listed service of a composite principal, and splits a mixed raw statement', () => {
    expect(trustOf(template, 'SharedRole').map((statement) => [statement.Principal, statement.Condition !== undefined])).toEqual([
      [{ Service: 'codebuild.amazonaws.com' }, true],
      [{ Service: 'lambda.amazonaws.com' }, false],
      [{ AWS: { 'Fn::Join': ['', ['arn:', PARTITION, ':iam::320000000001:root']] } }, false],
    ]);
    expect(trustOf(template, 'MixedRole')).toEqual([
      {
        Sid: 'Mixed',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::320000000001:root', Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
      {
        Sid: 'MixedCodebuild',
        Effect: 'Allow',
        Principal: { Service: 'codebuild.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '320000000001' },
          ArnLike: { 'aws:SourceArn': arnLike('codebuild', 'project/*') },
        },
      },
    ]);
  });

  it('keeps a condition the statement already has and never weakens a Deny', () => {
    const [allow, deny] = trustOf(template, 'ScopedRole');
    expect(allow?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '320000000001' },
      ArnLike: { 'aws:SourceArn': arnLike('ecs', '*') },
    });
    expect(deny).toEqual({ Effect: 'Deny', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:TagSession' });
  });

  it('rewrites key policies too: a listed service gets the keys, vpce.amazonaws.com (undocumented) does not', () => {
    const keys = template.findResources('AWS::KMS::Key');
    const statementFor = (keyPrefix: string, service: string): Record<string, unknown> | undefined => {
      const key = Object.entries(keys).find(([id]) => id.startsWith(keyPrefix))?.[1];
      return (key?.Properties.KeyPolicy.Statement as Record<string, { Service?: string }>[]).find(
        (statement) => (statement.Principal as { Service?: string }).Service === service,
      );
    };
    expect(statementFor('NotificationKey', 'vpce.amazonaws.com')?.Condition).toBeUndefined();
    expect(statementFor('BuildKey', 'codebuild.amazonaws.com')?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '320000000001' },
      ArnLike: { 'aws:SourceArn': arnLike('codebuild', 'project/*') },
    });
  });

  it('cites its evidence for every principal, supported or not', () => {
    expect(Object.keys(SOURCE_CONDITION_SERVICES).sort()).toEqual([
      'cloudwatch.amazonaws.com',
      'codebuild.amazonaws.com',
      'codepipeline.amazonaws.com',
      'ecs-tasks.amazonaws.com',
      'lambda.amazonaws.com',
      'vpc-flow-logs.amazonaws.com',
      'vpce.amazonaws.com',
    ]);
    for (const support of Object.values(SOURCE_CONDITION_SERVICES)) {
      expect(support.evidence).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      if (!support.sourceAccount) expect(support.sourceArn).toBeUndefined();
    }
  });
});
