import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  alarmNameOf,
  alarmTopicName,
  dashboardNameOf,
  deploymentAlarmNames,
  type EnvironmentConfig,
  type ProviderAlarm,
} from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { fixtureEnvironment, type MutableConfigInput } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProviderStage } from '../src/index';

type Provider = MutableConfigInput['environments'][number]['provider'];
type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

/** The fixture's qa provider, changed by `edit` (values of this test, none of the example's). */
function qa(edit: (provider: Provider) => void): EnvironmentConfig {
  return fixtureEnvironment('qa', (input) => {
    const provider = input.environments[0]?.provider;
    if (!provider) throw new Error('no qa environment');
    edit(provider);
  });
}

/** qa with a database, EC2 capacity, and scaling and monitoring values unlike every default. */
const monitoredQa = (): EnvironmentConfig =>
  qa((provider) => {
    provider.capacity = { type: 'ec2', instanceType: 'c7i.large', minInstances: 2, maxInstances: 5 };
    provider.database = { engineVersion: '16.4', instanceClass: 'db.t4g.large', allocatedStorageGiB: 40 };
    provider.scaling = { maxCount: 9, requestsPerTarget: 1500, cpuPercent: 55 };
    provider.monitoring = {
      alarmEmails: ['pager@fixture.example', 'api-team@fixture.example'],
      target5xxPercent: 3,
      p99LatencyMs: 450,
      unhealthyTargets: 2,
      endpointResets: 25,
      databaseCpuPercent: 70,
      databaseFreeStoragePercent: 15,
      databaseConnections: 150,
      bakeMinutes: 5,
    };
  });

function resources(template: Template): Record<string, Resource> {
  return template.toJSON().Resources as Record<string, Resource>;
}

function alarmNamed(template: Template, name: string): Record<string, unknown> {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } })) as Resource[];
  expect(found).toHaveLength(1);
  return found[0]?.Properties ?? {};
}

function onlyOf(template: Template, type: string): [string, Resource] {
  const found = Object.entries(template.findResources(type)) as [string, Resource][];
  expect(found).toHaveLength(1);
  const [entry] = found;
  if (!entry) throw new Error(`no ${type}`);
  return entry;
}

describe('provider monitoring, autoscaling and deployment alarms (qa with a database on EC2 capacity)', () => {
  let config: EnvironmentConfig;
  let stage: ProviderStage;
  let template: Template;
  let topicArn: unknown;

  beforeAll(() => {
    config = monitoredQa();
    stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
    template = Template.fromStack(stage.serviceStack);
    topicArn = stage.serviceStack.resolve(stage.serviceStack.monitoring.alarmTopic.topic.topicArn);
  });

  const name = (alarm: ProviderAlarm) => alarmNameOf(config, alarm);

  describe('alarm topic and dashboard', () => {
    it('sends every alarm to a KMS-encrypted topic named after the service and environment, with the configured emails subscribed', () => {
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: alarmTopicName(config),
        KmsMasterKeyId: stage.serviceStack.resolve(stage.serviceStack.monitoring.alarmTopic.key.keyArn),
      });
      for (const address of ['pager@fixture.example', 'api-team@fixture.example']) {
        template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: address, TopicArn: topicArn });
      }
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
      expect(alarms).toHaveLength(8);
      for (const alarm of alarms) expect(alarm.Properties).toMatchObject({ AlarmActions: [topicArn], OKActions: [topicArn] });
    });

    it('has one dashboard named <service>-<env>', () => {
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: dashboardNameOf(config) });
      expect(dashboardNameOf(config)).toBe(`${config.serviceName}-${config.name}`);
    });
  });

  describe('alarms, with the thresholds of provider.monitoring', () => {
    it('target 5xx rate: 100 × 5xx / requests of the service target group above 3 %', () => {
      const alarm = alarmNamed(template, name('target-5xx-rate'));
      expect(alarm).toMatchObject({ Threshold: 3, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3 });
      expect(JSON.stringify(alarm['Metrics'])).toContain('HTTPCode_Target_5XX_Count');
      expect(JSON.stringify(alarm['Metrics'])).toContain('100 * FILL(errors, 0) / requests');
      // the target group the ECS service is registered in
      const [targetGroupId] = Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup', { Properties: { TargetType: 'ip' } }));
      expect(JSON.stringify(alarm['Metrics'])).toContain(`"${targetGroupId}","TargetGroupFullName"`);
    });

    it('unhealthy targets at 2, p99 latency above 0.45 s', () => {
      expect(alarmNamed(template, name('unhealthy-targets'))).toMatchObject({ MetricName: 'UnHealthyHostCount', Threshold: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(alarmNamed(template, name('p99-latency'))).toMatchObject({ MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99', Threshold: 0.45 });
    });

    it('running tasks below desired, from Container Insights (on in the cluster)', () => {
      expect(JSON.stringify(alarmNamed(template, name('running-tasks-below-desired'))['Metrics'])).toContain('ECS/ContainerInsights');
      template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    });

    it('endpoint resets: RstPacketsSent of this endpoint service at 25 per 5 minutes', () => {
      expect(alarmNamed(template, name('endpoint-resets'))).toMatchObject({
        Namespace: 'AWS/PrivateLinkServices',
        MetricName: 'RstPacketsSent',
        Dimensions: [{ Name: 'Service Id', Value: stage.serviceStack.resolve(stage.serviceStack.privateLink.endpointService.vpcEndpointServiceId) }],
        Period: 300,
        Threshold: 25,
      });
    });

    it('database CPU above 70 %, free storage under 15 % of 40 GiB, connections above 150, on the data stack’s instance', () => {
      expect(alarmNamed(template, name('database-cpu'))).toMatchObject({ Namespace: 'AWS/RDS', MetricName: 'CPUUtilization', Threshold: 70 });
      expect(alarmNamed(template, name('database-free-storage'))).toMatchObject({ MetricName: 'FreeStorageSpace', Threshold: 0.15 * 40 * 1024 ** 3, ComparisonOperator: 'LessThanThreshold' });
      const connections = alarmNamed(template, name('database-connections'));
      expect(connections).toMatchObject({ MetricName: 'DatabaseConnections', Threshold: 150 });
      expect(connections['Dimensions']).toEqual([
        {
          Name: 'DBInstanceIdentifier',
          Value: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: stage.dataStack?.stackName, OutputName: expect.stringContaining('DatabaseInstance') }) },
        },
      ]);
    });
  });

  describe('the ECS service', () => {
    it('rolls a deployment back on the deployment alarms, and on the circuit breaker', () => {
      template.hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: Match.objectLike({
          Alarms: { AlarmNames: deploymentAlarmNames(config), Enable: true, Rollback: true },
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        }),
      });
    });

    it('depends on its deployment alarms, so they exist before it names them', () => {
      const [, service] = onlyOf(template, 'AWS::ECS::Service');
      const all = resources(template);
      const alarmIds = Object.entries(all)
        .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm' && deploymentAlarmNames(config).includes(String(resource.Properties['AlarmName'])))
        .map(([id]) => id);
      expect(alarmIds).toHaveLength(3);
      expect(service.DependsOn).toEqual(expect.arrayContaining(alarmIds));
    });

    it('leaves DesiredCount to autoscaling, so a redeploy keeps a scaled-out task count', () => {
      const [, service] = onlyOf(template, 'AWS::ECS::Service');
      expect(service.Properties['DesiredCount']).toBeUndefined();
    });

    it('scales from desiredCount to maxCount on ALB requests per target and on CPU', () => {
      const [targetId, target] = onlyOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
      expect(target.Properties).toMatchObject({ MinCapacity: config.provider.desiredCount, MaxCapacity: 9, ScalableDimension: 'ecs:service:DesiredCount', ServiceNamespace: 'ecs' });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        ScalingTargetId: { Ref: targetId },
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          TargetValue: 1500,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: Match.anyValue() },
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
        }),
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        ScalingTargetId: { Ref: targetId },
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          TargetValue: 55,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        }),
      });
      template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
    });

    it('gets instances for the extra tasks: the capacity provider scales the container instances on the tasks it must place', () => {
      template.hasResourceProperties('AWS::ECS::CapacityProvider', {
        AutoScalingGroupProvider: Match.objectLike({
          ManagedScaling: Match.objectLike({ Status: 'ENABLED', TargetCapacity: 100 }),
          ManagedTerminationProtection: 'ENABLED',
        }),
      });
      const [, service] = onlyOf(template, 'AWS::ECS::Service');
      const [providerId] = Object.keys(template.findResources('AWS::ECS::CapacityProvider'));
      expect(service.Properties['CapacityProviderStrategy']).toEqual([{ CapacityProvider: { Ref: providerId }, Weight: 1 }]);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '5' });
    });
  });

  it('synthesizes with zero unacknowledged findings in both packs', () => {
    const app = new PrivateApiApp();
    new ProviderStage(app, 'Provider', { config: monitoredQa() });
    expect(unacknowledgedFindings(app).map((finding) => `${finding.rule} ${finding.constructPaths.join(',')}`)).toEqual([]);
  });
});

describe('provider without autoscaling and without a database (qa, maxCount = desiredCount)', () => {
  let config: EnvironmentConfig;
  let template: Template;

  beforeAll(() => {
    config = qa((provider) => {
      provider.scaling = { maxCount: 3 };
      provider.desiredCount = 3;
    });
    template = Template.fromStack(new ProviderStage(new PrivateApiApp(), 'Provider', { config }).serviceStack);
  });

  it('has no scalable target or scaling policy at all, and writes DesiredCount', () => {
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 0);
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
  });

  it('has no database alarm, and the default thresholds, with no email subscription', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/RDS' } }))).toEqual([]);
    expect(alarmNamed(template, alarmNameOf(config, 'target-5xx-rate'))).toMatchObject({ Threshold: 1 });
    expect(alarmNamed(template, alarmNameOf(config, 'p99-latency'))).toMatchObject({ Threshold: 1 });
    expect(Object.keys(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }))).toEqual([]);
  });

  it('still rolls deployments back on the deployment alarms', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { AlarmNames: deploymentAlarmNames(config), Enable: true, Rollback: true } }),
    });
  });
});
