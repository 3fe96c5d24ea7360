import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { applyDeployPathGuards, PrivateApiApp, unacknowledgedFindings, type ComplianceFinding } from '@private-api/compliance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointConnectionNotifications, SelfManagedConnectionAcceptance, type SelfManagedConnectionAcceptanceProps } from '../src/index';

const env = { account: '111111111111', region: 'us-east-2' };
const serviceId = 'vpce-svc-0123456789abcdef0';
const owners = ['210000000001', '210000000002'];

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/** The only resource of a type in the template. */
function only(template: Template, type: string): { id: string; properties: Record<string, unknown> } {
  const entries = Object.entries(template.findResources(type) as Resources);
  expect(entries).toHaveLength(1);
  const [id, resource] = entries[0] ?? ['', { Properties: {} }];
  return { id, properties: resource.Properties };
}

describe('SelfManagedConnectionAcceptance', () => {
  let outdir: string;
  let stack: Stack;
  let acceptance: SelfManagedConnectionAcceptance;
  let notifications: EndpointConnectionNotifications;
  let findings: readonly ComplianceFinding[];
  let template: Template;

  beforeAll(() => {
    // GIVEN the provider's notification topic (KMS-encrypted) in a bare stack with both compliance
    // packs and the deploy-path guards every provider stage gets
    outdir = mkdtempSync(join(tmpdir(), 'provider-acceptance-'));
    const app = new PrivateApiApp({ outdir });
    stack = new Stack(app, 'Provider', { env });
    notifications = new EndpointConnectionNotifications(stack, 'Notifications', { serviceName: 'fixture-api' });
    // WHEN the acceptor subscribes to it
    acceptance = new SelfManagedConnectionAcceptance(stack, 'ConnectionAcceptance', {
      endpointServiceId: serviceId,
      allowedOwners: owners,
      topic: notifications.topic,
      logRetention: logs.RetentionDays.THREE_MONTHS,
    });
    applyDeployPathGuards(stack, { boundaryName: 'fixture-api-permissions-boundary', namePrefix: 'fixture-api-' });
    findings = unacknowledgedFindings(app);
    template = Template.fromStack(stack);
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it('has zero unacknowledged compliance findings', () => {
    expect(findings.map((finding) => `${finding.rule} ${finding.constructPaths.join(',')}`)).toEqual([]);
  });

  it('is a Node.js 24 function outside any VPC, one instance at a time, configured through its environment', () => {
    const { properties } = only(template, 'AWS::Lambda::Function');
    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      Timeout: 60,
      Environment: { Variables: { SERVICE_ID: serviceId, ALLOWED_OWNERS: owners.join(',') } },
      Role: { 'Fn::GetAtt': [stack.getLogicalId(acceptance.role.node.defaultChild as iam.CfnRole), 'Arn'] },
    });
    expect(properties['VpcConfig']).toBeUndefined();
  });

  it('writes to its own log group, with the retention given', () => {
    const logGroup = only(template, 'AWS::Logs::LogGroup');
    expect(logGroup.properties['RetentionInDays']).toBe(90);
    const { properties } = only(template, 'AWS::Lambda::Function');
    expect(properties['LoggingConfig']).toEqual({ LogGroup: { Ref: logGroup.id } });
  });

  it('is subscribed to the notification topic, which may invoke it (and only that topic)', () => {
    const topicRef = stack.resolve(notifications.topic.topicArn);
    const functionArn = stack.resolve(acceptance.function.functionArn);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: topicRef, Endpoint: functionArn });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      SourceArn: topicRef,
      FunctionName: functionArn,
    });
  });

  it('may describe connections (in this region) and accept them on this endpoint service only, and write its logs', () => {
    const policy = only(template, 'AWS::IAM::Policy');
    expect(policy.properties['Roles']).toEqual([{ Ref: stack.getLogicalId(acceptance.role.node.defaultChild as iam.CfnRole) }]);
    const logGroup = only(template, 'AWS::Logs::LogGroup');
    expect((policy.properties['PolicyDocument'] as { Statement: unknown }).Statement).toEqual([
      {
        Sid: 'DescribeConnections',
        Action: 'ec2:DescribeVpcEndpointConnections',
        Effect: 'Allow',
        Resource: '*',
        Condition: { StringEquals: { 'ec2:Region': 'us-east-2' } },
      },
      {
        Sid: 'AcceptOnThisService',
        Action: 'ec2:AcceptVpcEndpointConnections',
        Effect: 'Allow',
        Resource: `arn:aws:ec2:us-east-2:111111111111:vpc-endpoint-service/${serviceId}`,
      },
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logGroup.id, 'Arn'] },
      },
    ]);
  });

  it('is assumed by Lambda only, with the permissions boundary the guards give every role', () => {
    const role = only(template, 'AWS::IAM::Role');
    expect(role.properties['AssumeRolePolicyDocument']).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
    });
    expect(role.properties['PermissionsBoundary']).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/fixture-api-permissions-boundary',
    });
    expect(role.properties['ManagedPolicyArns']).toBeUndefined();
  });

  it('accepts a token as the endpoint service id (the service is created in the same deploy)', () => {
    // GIVEN a service id only known at deploy time; bundling skipped: only the policy matters here
    const tokenStack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Tokens', { env });
    const tokenAcceptance = new SelfManagedConnectionAcceptance(tokenStack, 'ConnectionAcceptance', {
      endpointServiceId: Fn.importValue('EndpointServiceId'),
      allowedOwners: owners,
      topic: new EndpointConnectionNotifications(tokenStack, 'Notifications', { serviceName: 'fixture-api' }).topic,
      logRetention: logs.RetentionDays.ONE_MONTH,
    });
    // THEN the accept statement names that service
    expect(tokenAcceptance.function).toBeDefined();
    Template.fromStack(tokenStack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AcceptOnThisService',
            Action: 'ec2:AcceptVpcEndpointConnections',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:us-east-2:111111111111:vpc-endpoint-service/', { 'Fn::ImportValue': 'EndpointServiceId' }]],
            },
          },
        ]),
      },
    });
  });
});

describe('SelfManagedConnectionAcceptance props', () => {
  function build(overrides: Partial<SelfManagedConnectionAcceptanceProps>): () => void {
    return () => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Provider', { env });
      new SelfManagedConnectionAcceptance(stack, 'ConnectionAcceptance', {
        endpointServiceId: serviceId,
        allowedOwners: owners,
        topic: new EndpointConnectionNotifications(stack, 'Notifications', { serviceName: 'fixture-api' }).topic,
        logRetention: logs.RetentionDays.ONE_MONTH,
        ...overrides,
      });
    };
  }

  it('fails when allowedOwners is empty', () => {
    expect(build({ allowedOwners: [] })).toThrow(
      'SelfManagedConnectionAcceptance Provider/ConnectionAcceptance: allowedOwners must name at least one consumer account, got []',
    );
  });

  it('fails when an allowed owner is not a 12-digit account id', () => {
    expect(build({ allowedOwners: ['210000000001', '21000000000'] })).toThrow(
      'SelfManagedConnectionAcceptance Provider/ConnectionAcceptance: allowedOwners must be 12-digit account ids, got 21000000000',
    );
  });

  it('fails when endpointServiceId is not an endpoint service id', () => {
    expect(build({ endpointServiceId: 'com.amazonaws.vpce.us-east-2.vpce-svc-0123456789abcdef0' })).toThrow(
      /endpointServiceId must be a VPC endpoint service id \(vpce-svc-…\), got com\.amazonaws\.vpce/,
    );
  });
});
