import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  alarmReaderRoleName,
  bakeWatcherRoleArn,
  connectionAcceptorRoleName,
  consumerWaves,
  deploymentAlarmNames,
  managedConsumers,
  selfManagedConsumers,
  smokeTestRunnerRoleArn,
  type EnvironmentConfig,
} from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { fixtureEnvironment, type MutableConfigInput } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProviderStage } from '../src/index';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Sid?: string; Action: unknown; Resource: unknown; Condition?: unknown };

function roleNamed(template: Template, name: string): [string, Resource] | undefined {
  return (Object.entries(template.findResources('AWS::IAM::Role', { Properties: { RoleName: name } })) as [string, Resource][])[0];
}

function statementsOf(template: Template, roleId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  const policy = policies.find((candidate) => JSON.stringify(candidate.Properties['Roles']) === JSON.stringify([{ Ref: roleId }]));
  return ((policy?.Properties['PolicyDocument'] as { Statement: Statement[] } | undefined)?.Statement ?? []);
}

function qaWith(edit: (input: MutableConfigInput) => void = () => undefined): EnvironmentConfig {
  return fixtureEnvironment('qa', edit);
}

describe('the roles the pipeline assumes in the provider account, and the self-managed acceptor (fixture qa: managed and self-managed consumers)', () => {
  let config: EnvironmentConfig;
  let stage: ProviderStage;
  let template: Template;
  let serviceId: unknown;

  beforeAll(() => {
    // GIVEN qa with acceptance (the default), a pipeline and a 6-minute bake
    config = qaWith((input) => {
      const [qa] = input.environments;
      if (!qa) throw new Error('no qa');
      qa.provider.monitoring = { bakeMinutes: 6 };
    });
    // WHEN its provider stage is synthesized with both compliance packs
    const app = new PrivateApiApp();
    stage = new ProviderStage(app, 'Provider', { config });
    app.synth(); // throws on any unacknowledged finding
    template = Template.fromStack(stage.serviceStack);
    serviceId = stage.serviceStack.resolve(stage.serviceStack.privateLink.endpointService.vpcEndpointServiceId);
  });

  it("trusts the connection acceptor to the waves' runner roles only, and lets it accept on this endpoint service only", () => {
    const pipelineAccount = config.pipeline?.account;
    const [roleId, role] = roleNamed(template, connectionAcceptorRoleName(config)) ?? [];
    expect(role?.Properties['AssumeRolePolicyDocument']).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: `arn:aws:iam::${pipelineAccount}:root` },
          Condition: {
            ArnEquals: { 'aws:PrincipalArn': consumerWaves(config).map((_, index) => smokeTestRunnerRoleArn(config, index + 1)) },
          },
        },
      ],
    });
    const statements = statementsOf(template, roleId ?? '');
    expect(statements.map((statement) => statement.Action)).toEqual(['ec2:DescribeVpcEndpointConnections', 'ec2:AcceptVpcEndpointConnections']);
    expect(statements[0]?.Resource).toBe('*');
    expect(statements[0]?.Condition).toEqual({ StringEquals: { 'ec2:Region': config.provider.region } });
    expect(JSON.stringify(statements[1]?.Resource)).toContain(':vpc-endpoint-service/');
    expect(JSON.stringify(statements[1]?.Resource)).toContain(JSON.stringify(serviceId));
  });

  it('trusts the alarm reader to the bake watcher only, and lets it read the deployment alarms only', () => {
    const [roleId, role] = roleNamed(template, alarmReaderRoleName(config)) ?? [];
    expect(JSON.stringify(role?.Properties['AssumeRolePolicyDocument'])).toContain(
      JSON.stringify({ ArnEquals: { 'aws:PrincipalArn': [bakeWatcherRoleArn(config)] } }),
    );
    const statements = statementsOf(template, roleId ?? '');
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('cloudwatch:DescribeAlarms');
    const resources = JSON.stringify(statements[0]?.Resource);
    const names = deploymentAlarmNames(config);
    expect(names).toHaveLength(3);
    for (const name of names) expect(resources).toContain(`:alarm:${name}`);
    expect((statements[0]?.Resource as unknown[]).length).toBe(names.length);
  });

  it("accepts self-managed consumers' connections from a function on the notification topic, for their accounts only", () => {
    const selfManaged = [...new Set(selfManagedConsumers(config).map((consumer) => consumer.account))];
    const managedOnly = managedConsumers(config)
      .map((consumer) => consumer.account)
      .filter((account) => !selfManaged.includes(account));
    expect(selfManaged.length).toBeGreaterThan(0);
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { ALLOWED_OWNERS: selfManaged.join(',') } } },
    });
    expect(Object.keys(functions)).toHaveLength(1);
    const variables = JSON.stringify(functions);
    for (const account of managedOnly) expect(variables).not.toContain(account);
    // subscribed to the endpoint service's connection notifications
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: Match.stringLikeRegexp('endpoint connection') } }));
    template.hasResourceProperties('AWS::EC2::VPCEndpointConnectionNotification', { ConnectionNotificationArn: { Ref: topicId } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: { Ref: topicId } });
  });
});

describe('without a bake, a pipeline, acceptance or self-managed consumers', () => {
  const synth = (config: EnvironmentConfig): Template => Template.fromStack(new ProviderStage(new App(), 'Provider', { config }).serviceStack);

  it('has no alarm reader when the environment bakes 0 minutes', () => {
    const config = qaWith((input) => {
      const [qa] = input.environments;
      if (qa) qa.provider.monitoring = { bakeMinutes: 0 };
    });
    const template = synth(config);
    expect(roleNamed(template, alarmReaderRoleName(config))).toBeUndefined();
    expect(roleNamed(template, connectionAcceptorRoleName(config))).toBeDefined();
  });

  it('has neither pipeline role without a pipeline section', () => {
    const config = qaWith((input) => {
      delete input.pipeline;
    });
    const template = synth(config);
    expect(roleNamed(template, alarmReaderRoleName(config))).toBeUndefined();
    expect(roleNamed(template, connectionAcceptorRoleName(config))).toBeUndefined();
  });

  it('has no acceptor role and no acceptor function when the service requires no acceptance', () => {
    const config = qaWith((input) => {
      const [qa] = input.environments;
      if (qa) qa.provider.acceptanceRequired = false;
    });
    const template = synth(config);
    expect(roleNamed(template, connectionAcceptorRoleName(config))).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'lambda' }, 0);
  });
});
