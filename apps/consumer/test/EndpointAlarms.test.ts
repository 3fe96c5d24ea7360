import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  consumerAlarmName,
  managedConsumers,
  type EnvironmentConfig,
  type ExistingVpcConsumerConfig,
  type ManagedConsumerConfig,
  type NewVpcConsumerConfig,
} from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { fixtureEnvironment } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsumerStage, consumerStageId, EndpointAlarms } from '../src/index';

/** Not the default (1): the threshold must come from the config. */
const PACKETS_DROPPED = 25;

function kindOf<K extends ManagedConsumerConfig['kind']>(config: EnvironmentConfig, kind: K): Extract<ManagedConsumerConfig, { kind: K }> {
  const consumer = managedConsumers(config).find((candidate) => candidate.kind === kind);
  if (!consumer) throw new Error(`the fixture has no ${kind} consumer`);
  return consumer as Extract<ManagedConsumerConfig, { kind: K }>;
}

/** The only resource of a type in a template, with its logical id. */
function only(template: Template, type: string): [string, { Properties: Record<string, unknown> }] {
  const found = Object.entries(template.findResources(type));
  expect(found, type).toHaveLength(1);
  const [entry] = found;
  if (!entry) throw new Error(`no ${type}`);
  return entry as [string, { Properties: Record<string, unknown> }];
}

describe("the consumer endpoint's packets-dropped alarm (fixture environment qa, consumerPacketsDropped 25)", () => {
  let config: EnvironmentConfig;
  let newVpc: NewVpcConsumerConfig;
  let existingVpc: ExistingVpcConsumerConfig;
  let templates: Map<string, Template>;
  const templateOf = (consumer: ManagedConsumerConfig): Template => {
    const template = templates.get(consumer.name);
    if (!template) throw new Error(`no template for ${consumer.name}`);
    return template;
  };

  beforeAll(() => {
    // GIVEN the fixture's new-VPC and existing-VPC consumers, and a threshold other than the default
    config = fixtureEnvironment('qa', (input) => {
      for (const environment of input.environments) {
        environment.provider.monitoring = { ...environment.provider.monitoring, consumerPacketsDropped: PACKETS_DROPPED };
      }
    });
    expect(config.provider.monitoring.consumerPacketsDropped).toBe(PACKETS_DROPPED);
    newVpc = kindOf(config, 'new-vpc');
    existingVpc = kindOf(config, 'existing-vpc');
    // WHEN their stages are synthesized
    const app = new PrivateApiApp();
    templates = new Map(
      [newVpc, existingVpc].map((consumer) => [
        consumer.name,
        Template.fromStack(new ConsumerStage(app, consumerStageId(consumer), { config, consumer }).endpointStack),
      ]),
    );
  });

  it("watches PacketsDropped of the consumer's endpoint by its full endpoint-level dimension set, summed per 5 minutes", () => {
    for (const consumer of [newVpc, existingVpc]) {
      const template = templateOf(consumer);
      const [endpointId] = only(template, 'AWS::EC2::VPCEndpoint');
      const vpcId = consumer.kind === 'new-vpc' ? { Ref: only(template, 'AWS::EC2::VPC')[0] } : consumer.vpc.id;
      const [, alarm] = only(template, 'AWS::CloudWatch::Alarm');
      expect(alarm.Properties).toEqual(
        expect.objectContaining({
          AlarmName: consumerAlarmName(config, consumer),
          Namespace: 'AWS/PrivateLinkEndpoints',
          MetricName: 'PacketsDropped',
          Statistic: 'Sum',
          Period: 300,
          Dimensions: [
            { Name: 'Endpoint Type', Value: 'Interface' },
            { Name: 'Service Name', Value: { Ref: expect.stringMatching(/^ProviderEndpointServiceName/) } },
            { Name: 'VPC Endpoint Id', Value: { Ref: endpointId } },
            { Name: 'VPC Id', Value: vpcId },
          ],
        }),
      );
    }
    expect(consumerAlarmName(config, newVpc)).toBe(`fixture-api-qa-consumer-${newVpc.name}-packets-dropped`);
  });

  it("alarms at or above the config's threshold for 2 consecutive periods, and not on missing data", () => {
    const [, alarm] = only(templateOf(newVpc), 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toEqual(
      expect.objectContaining({
        Threshold: PACKETS_DROPPED,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      }),
    );
    expect(JSON.stringify(alarm.Properties.AlarmDescription)).toMatch(new RegExp(`dropped at least ${PACKETS_DROPPED} packet.*Check first`));
  });

  it('notifies (alarm and back to OK) its own topic, encrypted with its own rotating key, TLS only', () => {
    const template = templateOf(newVpc);
    const [topicId, topic] = only(template, 'AWS::SNS::Topic');
    const [keyId, key] = only(template, 'AWS::KMS::Key');
    const [, alarm] = only(template, 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.Properties.EnableKeyRotation).toBe(true);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it("lets CloudWatch use the key and publish to the topic only for this account's alarm", () => {
    const template = templateOf(newVpc);
    const cloudWatch = (statements: { Principal?: unknown }[]) =>
      statements.filter((statement) => JSON.stringify(statement.Principal).includes('cloudwatch.amazonaws.com'));
    const [, key] = only(template, 'AWS::KMS::Key');
    const keyStatements = cloudWatch((key.Properties.KeyPolicy as { Statement: { Principal?: unknown }[] }).Statement);
    expect(keyStatements).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': newVpc.account },
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${newVpc.region}:${newVpc.account}:alarm:${consumerAlarmName(config, newVpc)}` },
        },
      },
    ]);
    const [, policy] = only(template, 'AWS::SNS::TopicPolicy');
    const topicStatements = cloudWatch((policy.Properties.PolicyDocument as { Statement: { Principal?: unknown }[] }).Statement);
    expect(topicStatements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Condition: {
          StringEquals: { 'aws:SourceAccount': newVpc.account },
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${newVpc.region}:${newVpc.account}:alarm:${consumerAlarmName(config, newVpc)}` },
        },
      }),
    ]);
  });
});

describe('EndpointAlarms on its own', () => {
  let template: Template;

  beforeAll(() => {
    // GIVEN an interface endpoint in a VPC
    const stack = new Stack(undefined, 'Alarms', { env: { account: '210000000077', region: 'us-east-2' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const endpoint = vpc.addInterfaceEndpoint('Endpoint', { service: new ec2.InterfaceVpcEndpointService('com.amazonaws.vpce.us-east-2.vpce-svc-0abc', 443) });
    // WHEN its alarms are added with a threshold other than the default
    new EndpointAlarms(stack, 'Alarms', {
      endpoint,
      vpc,
      serviceName: 'com.amazonaws.vpce.us-east-2.vpce-svc-0abc',
      threshold: 7,
      alarmName: 'svc-qa-consumer-c1-packets-dropped',
    });
    template = Template.fromStack(stack);
  });

  it('alarms at the given threshold, under the given name, for the given service name', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'svc-qa-consumer-c1-packets-dropped',
      Threshold: 7,
      Dimensions: Match.arrayWith([{ Name: 'Service Name', Value: 'com.amazonaws.vpce.us-east-2.vpce-svc-0abc' }]),
    });
  });

  it('fails when the threshold is not a whole number of at least 1, or the alarm name is empty or too long', () => {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const endpoint = vpc.addInterfaceEndpoint('Endpoint', { service: new ec2.InterfaceVpcEndpointService('com.amazonaws.vpce.us-east-2.vpce-svc-0abc', 443) });
    const base = { endpoint, vpc, serviceName: 'com.amazonaws.vpce.us-east-2.vpce-svc-0abc', threshold: 1, alarmName: 'alarm' };
    expect(() => new EndpointAlarms(stack, 'Zero', { ...base, threshold: 0 })).toThrow(
      'EndpointAlarms Default/Zero: threshold must be a whole number of packets, at least 1, got 0',
    );
    expect(() => new EndpointAlarms(stack, 'Fraction', { ...base, threshold: 1.5 })).toThrow(
      'EndpointAlarms Default/Fraction: threshold must be a whole number of packets, at least 1, got 1.5',
    );
    expect(() => new EndpointAlarms(stack, 'Empty', { ...base, alarmName: '' })).toThrow(
      'EndpointAlarms Default/Empty: alarmName must be 1 to 255 characters, got ""',
    );
    expect(() => new EndpointAlarms(stack, 'Long', { ...base, alarmName: 'a'.repeat(256) })).toThrow(
      `EndpointAlarms Default/Long: alarmName must be 1 to 255 characters, got "${'a'.repeat(256)}"`,
    );
  });
});
