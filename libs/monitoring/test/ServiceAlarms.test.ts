import { Duration, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlarmTopic, ServiceAlarms, type ServiceAlarmsProps } from '../src/index';
import { serviceHarness } from './harness';

type Harness = ReturnType<typeof serviceHarness>;

function build(props: Partial<ServiceAlarmsProps> = {}, options: Parameters<typeof serviceHarness>[0] = {}) {
  const harness = serviceHarness(options);
  const topic = new AlarmTopic(harness.stack, 'AlarmTopic', { topicName: 'orders-api-uat-alarms', alarmNamePrefix: 'orders-api-uat-' });
  const alarms = new ServiceAlarms(harness.stack, 'ServiceAlarms', {
    serviceName: 'orders-api',
    environmentName: 'uat',
    alarmAction: topic.alarmAction,
    targetGroup: harness.targetGroup,
    service: harness.service,
    endpointServiceId: harness.endpointService.vpcEndpointServiceId,
    ...(harness.database ? { database: harness.database, databaseAllocatedStorageGiB: 50 } : {}),
    ...props,
  });
  return { ...harness, topic, alarms, template: Template.fromStack(harness.stack) };
}

type AlarmResource = { Properties: Record<string, unknown> };

function alarmNamed(template: Template, name: string): Record<string, unknown> {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } })) as AlarmResource[];
  expect(found).toHaveLength(1);
  return found[0]?.Properties ?? {};
}

describe('ServiceAlarms', () => {
  let harness: Harness;
  let stack: Stack;
  let template: Template;
  let alarms: ServiceAlarms;
  let topicRef: unknown;

  beforeAll(() => {
    // GIVEN thresholds unlike the defaults and a database of 50 GiB
    const built = build(
      { target5xxPercent: 2.5, p99Latency: Duration.millis(350), unhealthyTargets: 2, endpointResets: 30, databaseCpuPercent: 65, databaseFreeStoragePercent: 20, databaseConnections: 120 },
      { database: true },
    );
    ({ stack, template, alarms } = built);
    harness = built;
    topicRef = stack.resolve(built.topic.topic.topicArn);
  });

  it('names every alarm <service>-<env>-<alarm>, with a description, notifying the topic when it fires and when it clears, missing data not breaching', () => {
    const all = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as AlarmResource[];
    expect(all.map((alarm) => alarm.Properties['AlarmName']).sort()).toEqual(
      [
        'orders-api-uat-database-connections',
        'orders-api-uat-database-cpu',
        'orders-api-uat-database-free-storage',
        'orders-api-uat-endpoint-resets',
        'orders-api-uat-p99-latency',
        'orders-api-uat-running-tasks-below-desired',
        'orders-api-uat-target-5xx-rate',
        'orders-api-uat-unhealthy-targets',
      ].sort(),
    );
    for (const alarm of all) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [topicRef], OKActions: [topicRef], TreatMissingData: 'notBreaching' });
      expect(String(alarm.Properties['AlarmDescription'])).toMatch(/First: /);
    }
    const resources = template.toJSON().Resources as Record<string, AlarmResource>;
    const nameOf = (alarm: (typeof alarms.deploymentAlarms)[number]) => resources[(stack.resolve(alarm.alarmName) as { Ref: string }).Ref]?.Properties['AlarmName'];
    expect(alarms.deploymentAlarms.map(nameOf)).toEqual([
      'orders-api-uat-target-5xx-rate',
      'orders-api-uat-unhealthy-targets',
      'orders-api-uat-p99-latency',
    ]);
  });

  it('alarms on 100 × target 5xx / requests of the target group above the threshold in 3 of 5 minutes', () => {
    const alarm = alarmNamed(template, 'orders-api-uat-target-5xx-rate');
    expect(alarm).toMatchObject({ Threshold: 2.5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    const queries = alarm['Metrics'] as { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string }[] }; Period: number; Stat: string } }[];
    expect(queries.find((query) => query.Expression)?.Expression).toBe('100 * FILL(errors, 0) / requests');
    const stats = Object.fromEntries(queries.filter((query) => query.MetricStat).map((query) => [query.Id, query.MetricStat]));
    expect(stats['errors']).toMatchObject({ Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count' }, Period: 60, Stat: 'Sum' });
    expect(stats['requests']).toMatchObject({ Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount' }, Period: 60, Stat: 'Sum' });
    expect(stats['errors']?.Metric.Dimensions.map((dimension) => dimension.Name).sort()).toEqual(['LoadBalancer', 'TargetGroup']);
  });

  it('alarms on unhealthy targets at the threshold 3 minutes running, and on p99 latency (seconds) in 3 of 5 minutes', () => {
    expect(alarmNamed(template, 'orders-api-uat-unhealthy-targets')).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'UnHealthyHostCount',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    expect(alarmNamed(template, 'orders-api-uat-p99-latency')).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Period: 60,
      Threshold: 0.35,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
    });
  });

  it('alarms when Container Insights counts fewer running than desired tasks for 5 minutes running', () => {
    const alarm = alarmNamed(template, 'orders-api-uat-running-tasks-below-desired');
    expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 5 });
    const queries = alarm['Metrics'] as { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] } } }[];
    expect(queries.find((query) => query.Expression)?.Expression).toBe('desired - running');
    const metrics = queries.filter((query) => query.MetricStat).map((query) => query.MetricStat?.Metric);
    expect(metrics.map((metric) => `${metric?.Namespace} ${metric?.MetricName}`).sort()).toEqual(['ECS/ContainerInsights DesiredTaskCount', 'ECS/ContainerInsights RunningTaskCount']);
    expect(metrics[0]?.Dimensions).toEqual([
      { Name: 'ClusterName', Value: stack.resolve(harness.cluster.clusterName) },
      { Name: 'ServiceName', Value: stack.resolve(harness.service.serviceName) },
    ]);
  });

  it('alarms on the resets the endpoint service sends, summed per 5 minutes by Service Id', () => {
    expect(alarmNamed(template, 'orders-api-uat-endpoint-resets')).toMatchObject({
      Namespace: 'AWS/PrivateLinkServices',
      MetricName: 'RstPacketsSent',
      Dimensions: [{ Name: 'Service Id', Value: stack.resolve(harness.endpointService.vpcEndpointServiceId) }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 30,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on the database CPU, free storage (the percent of the allocated bytes) and connections', () => {
    const dimensions = [{ Name: 'DBInstanceIdentifier', Value: stack.resolve(harness.database?.instanceIdentifier) }];
    expect(alarmNamed(template, 'orders-api-uat-database-cpu')).toMatchObject({ Namespace: 'AWS/RDS', MetricName: 'CPUUtilization', Dimensions: dimensions, Threshold: 65, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarmNamed(template, 'orders-api-uat-database-free-storage')).toMatchObject({
      Namespace: 'AWS/RDS',
      MetricName: 'FreeStorageSpace',
      Statistic: 'Minimum',
      Threshold: 0.2 * 50 * 1024 ** 3,
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(alarmNamed(template, 'orders-api-uat-database-connections')).toMatchObject({ MetricName: 'DatabaseConnections', Threshold: 120, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('has no database alarm without a database, and the default thresholds', () => {
    const { template: stateless } = build();
    expect(Object.values(stateless.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/RDS' } }))).toHaveLength(0);
    stateless.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    expect(alarmNamed(stateless, 'orders-api-uat-target-5xx-rate')).toMatchObject({ Threshold: 1 });
    expect(alarmNamed(stateless, 'orders-api-uat-p99-latency')).toMatchObject({ Threshold: 1 });
    expect(alarmNamed(stateless, 'orders-api-uat-unhealthy-targets')).toMatchObject({ Threshold: 1 });
    expect(alarmNamed(stateless, 'orders-api-uat-endpoint-resets')).toMatchObject({ Threshold: 100 });
  });

  it('fails when a threshold is out of range, naming the prop and the value', () => {
    expect(() => build({ target5xxPercent: 0 })).toThrow(/ServiceAlarms Service\/ServiceAlarms: target5xxPercent must be above 0 and at most 100, got 0/);
    expect(() => build({ p99Latency: Duration.millis(0) })).toThrow(/p99Latency must be longer than 0, got "0 millis"/);
    expect(() => build({ unhealthyTargets: 1.5 })).toThrow(/unhealthyTargets must be a whole number of at least 1, got 1.5/);
    expect(() => build({ endpointResets: 0 })).toThrow(/endpointResets must be a whole number of at least 1, got 0/);
    expect(() => build({ databaseCpuPercent: 120 })).toThrow(/databaseCpuPercent must be above 0 and at most 100, got 120/);
    expect(() => build({ databaseFreeStoragePercent: 100 })).toThrow(/databaseFreeStoragePercent must be above 0 and below 100, got 100/);
    expect(() => build({ environmentName: 'u a t' })).toThrow(/environmentName must be letters, digits, hyphens or underscores, got "u a t"/);
  });

  it('fails when a database comes without its allocated storage', () => {
    expect(() => build({ databaseAllocatedStorageGiB: undefined }, { database: true })).toThrow(/databaseAllocatedStorageGiB is required with database/);
  });

  it('fails when the cluster has Container Insights off (the running-tasks alarm would never fire)', () => {
    expect(() => build({}, { containerInsights: ecs.ContainerInsights.DISABLED })).toThrow(
      /ServiceAlarms Service\/ServiceAlarms: service.cluster must have Container Insights on .*, got "disabled"/,
    );
  });

  it('accepts enhanced Container Insights', () => {
    expect(() => build({}, { containerInsights: ecs.ContainerInsights.ENHANCED })).not.toThrow();
  });
});
