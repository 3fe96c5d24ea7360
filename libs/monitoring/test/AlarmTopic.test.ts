import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlarmTopic, type AlarmTopicProps } from '../src/index';
import { env } from './harness';

function build(props: Partial<AlarmTopicProps> = {}) {
  const stack = new Stack(new App(), 'Alarms', { env });
  const alarmTopic = new AlarmTopic(stack, 'AlarmTopic', {
    topicName: 'orders-api-uat-alarms',
    alarmNamePrefix: 'orders-api-uat-',
    emailAddresses: ['oncall@example.net', 'orders-team@example.net'],
    ...props,
  });
  return { stack, alarmTopic, template: Template.fromStack(stack) };
}

/** The ARN pattern of this stack's alarms whose names start with `prefix`. */
const alarmArn = (prefix: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${env.region}:${env.account}:alarm:${prefix}*`]],
});

describe('AlarmTopic', () => {
  let stack: Stack;
  let alarmTopic: AlarmTopic;
  let template: Template;

  beforeAll(() => {
    // GIVEN a topic for the alarms named orders-api-uat-*, with two subscribers
    ({ stack, alarmTopic, template } = build());
  });

  it('is a named topic encrypted with its own rotating, retained key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'orders-api-uat-alarms',
      KmsMasterKeyId: stack.resolve(alarmTopic.key.keyArn),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('refuses anything but TLS, and lets CloudWatch publish only for this account’s alarms of the prefix', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': env.account }, ArnLike: { 'aws:SourceArn': alarmArn('orders-api-uat-') } },
          }),
        ]),
      },
    });
  });

  it('lets CloudWatch use the key for those alarms only (a source account and a source ARN)', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'CloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': env.account }, ArnLike: { 'aws:SourceArn': alarmArn('orders-api-uat-') } },
          },
        ]),
      },
    });
  });

  it('subscribes every address by email', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const address of ['oncall@example.net', 'orders-team@example.net']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: address, TopicArn: stack.resolve(alarmTopic.topic.topicArn) });
    }
  });

  it('has no subscription without addresses, and may let the key go with the stack', () => {
    const { template: bare } = build({ emailAddresses: [], keyRemovalPolicy: RemovalPolicy.DESTROY });
    bare.resourceCountIs('AWS::SNS::Subscription', 0);
    bare.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  it('lets exactly one alarm publish when given alarmName instead of a prefix', () => {
    const { template: single } = build({ alarmNamePrefix: undefined, alarmName: 'orders-api-uat-consumer-a-packets-dropped' });
    const exact = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${env.region}:${env.account}:alarm:orders-api-uat-consumer-a-packets-dropped`]],
    };
    const condition = { StringEquals: { 'aws:SourceAccount': env.account }, ArnLike: { 'aws:SourceArn': exact } };
    single.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: condition })]) },
    });
    single.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: condition })]) },
    });
  });

  it('fails unless exactly one of alarmNamePrefix and alarmName is given, and on a wildcard alarm name', () => {
    expect(() => build({ alarmName: 'orders-api-uat-x' })).toThrow(/alarmNamePrefix\/alarmName must be exactly one of the two/);
    expect(() => build({ alarmNamePrefix: undefined })).toThrow(/alarmNamePrefix\/alarmName must be exactly one of the two/);
    expect(() => build({ alarmNamePrefix: undefined, alarmName: 'orders-*' })).toThrow(/alarmName must be 1 to 255 characters without wildcards or line breaks, got "orders-\*"/);
  });

  it('fails when the topic name, the alarm name prefix or an address is invalid, naming the prop and the value', () => {
    expect(() => build({ topicName: 'alarms for orders' })).toThrow(/AlarmTopic Alarms\/AlarmTopic: topicName must be 1 to 256 letters, digits, hyphens or underscores, got "alarms for orders"/);
    expect(() => build({ alarmNamePrefix: '*' })).toThrow(/alarmNamePrefix must be 1 to 200 characters without wildcards or spaces, got "\*"/);
    expect(() => build({ emailAddresses: ['oncall@example.net', 'oncall'] })).toThrow(/emailAddresses\[1\] must be an email address, got "oncall"/);
    expect(() => build({ emailAddresses: ['oncall@example.net', 'OnCall@example.net'] })).toThrow(/emailAddresses\[1\] must not repeat an earlier address, got "OnCall@example.net"/);
  });
});
