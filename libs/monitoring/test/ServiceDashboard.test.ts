import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlarmTopic, ServiceAlarms, ServiceDashboard, type ServiceDashboardProps } from '../src/index';
import { serviceHarness } from './harness';

function build(props: Partial<ServiceDashboardProps> = {}, options: Parameters<typeof serviceHarness>[0] = {}) {
  const harness = serviceHarness(options);
  const topic = new AlarmTopic(harness.stack, 'AlarmTopic', { topicName: 'orders-api-uat-alarms', alarmNamePrefix: 'orders-api-uat-', emailAddresses: ['oncall@example.net'] });
  const alarms = new ServiceAlarms(harness.stack, 'ServiceAlarms', {
    serviceName: 'orders-api',
    environmentName: 'uat',
    alarmAction: topic.alarmAction,
    targetGroup: harness.targetGroup,
    service: harness.service,
    endpointServiceId: harness.endpointService.vpcEndpointServiceId,
    ...(harness.database ? { database: harness.database, databaseAllocatedStorageGiB: 50 } : {}),
  });
  const dashboard = new ServiceDashboard(harness.stack, 'ServiceDashboard', {
    dashboardName: 'orders-api-uat',
    loadBalancer: harness.alb,
    targetGroup: harness.targetGroup,
    networkLoadBalancer: harness.nlb,
    endpointServiceId: harness.endpointService.vpcEndpointServiceId,
    service: harness.service,
    database: harness.database,
    alarms: alarms.all,
    ...props,
  });
  return { ...harness, alarms, dashboard };
}

type Widget = { type: string; properties: { title?: string; markdown?: string; metrics?: unknown[][]; alarms?: string[] } };

/** The dashboard body as JSON, each reference written as `<logicalId>` or `<logicalId.attribute>`, other intrinsics as `<expression>`. */
function bodyOf(template: Template): { widgets: Widget[] } {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as { Properties: { DashboardBody: unknown } }[];
  const flatten = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(flatten).join(join[0]);
    const ref = (value as { Ref?: string }).Ref;
    if (ref) return `<${ref}>`;
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt) return `<${getAtt.join('.')}>`;
    // Other intrinsics (the ALB's full name is an Fn::Select of an Fn::Split) stay opaque.
    return '<expression>';
  };
  return JSON.parse(flatten(dashboard?.Properties.DashboardBody)) as { widgets: Widget[] };
}

const metricNames = (widget: Widget | undefined): string[] =>
  (widget?.properties.metrics ?? []).map((row) => row.filter((cell) => typeof cell === 'string').slice(0, 2).join(' '));

describe('ServiceDashboard', () => {
  let template: Template;
  let widgets: Widget[];
  let endpointServiceRef: string;

  beforeAll(() => {
    // GIVEN the service, its load balancers, its endpoint service, a database and the alarms
    const { stack, endpointService } = build({}, { database: true });
    template = Template.fromStack(stack);
    widgets = bodyOf(template).widgets;
    endpointServiceRef = `<${(stack.resolve(endpointService.vpcEndpointServiceId) as { Ref: string }).Ref}>`;
  });

  const titled = (title: string) => widgets.find((widget) => widget.properties.title === title);

  it('is one dashboard with the given name, alarm status first', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders-api-uat' });
    expect(widgets[0]?.type).toBe('alarm');
    expect(widgets[0]?.properties.alarms).toHaveLength(8);
  });

  it('graphs each consumer endpoint with a search on the endpoint service id (the endpoint ids are unknown at synth)', () => {
    for (const metric of ['BytesProcessed', 'NewConnections', 'RstPacketsSent']) {
      const search = JSON.stringify(widgets.find((widget) => JSON.stringify(widget).includes(`MetricName=\\"${metric}\\"`))?.properties.metrics);
      expect(search).toContain(
        `SEARCH('{AWS/PrivateLinkServices,\\"Service Id\\",\\"VPC Endpoint Id\\"} MetricName=\\"${metric}\\" \\"Service Id\\"=\\"${endpointServiceRef}\\"', 'Sum', 300)`,
      );
    }
  });

  it('graphs the NLB flows and TCP resets', () => {
    expect(metricNames(titled('NLB flows'))).toEqual(['AWS/NetworkELB ActiveFlowCount', 'AWS/NetworkELB NewFlowCount']);
    expect(metricNames(titled('NLB TCP resets'))).toEqual(['AWS/NetworkELB TCP_Client_Reset_Count', 'AWS/NetworkELB TCP_ELB_Reset_Count', 'AWS/NetworkELB TCP_Target_Reset_Count']);
  });

  it('graphs ALB requests, p99 latency, 4xx/5xx and healthy vs unhealthy targets', () => {
    expect(metricNames(titled('Requests'))).toEqual(['AWS/ApplicationELB RequestCount']);
    expect(metricNames(titled('Target response time p99 (s)'))).toEqual(['AWS/ApplicationELB TargetResponseTime']);
    expect(JSON.stringify(titled('Target response time p99 (s)'))).toContain('"stat":"p99"');
    expect(metricNames(titled('4xx / 5xx'))).toEqual(['AWS/ApplicationELB HTTPCode_Target_4XX_Count', 'AWS/ApplicationELB HTTPCode_Target_5XX_Count', 'AWS/ApplicationELB HTTPCode_ELB_5XX_Count']);
    expect(metricNames(titled('Targets'))).toEqual(['AWS/ApplicationELB HealthyHostCount', 'AWS/ApplicationELB UnHealthyHostCount']);
  });

  it('graphs ECS CPU and memory, and running vs desired tasks from Container Insights', () => {
    expect(metricNames(titled('CPU and memory (%)'))).toEqual(['AWS/ECS CPUUtilization', 'AWS/ECS MemoryUtilization']);
    expect(metricNames(titled('Tasks: running vs desired'))).toEqual(['ECS/ContainerInsights RunningTaskCount', 'ECS/ContainerInsights DesiredTaskCount']);
  });

  it('graphs the database CPU, free storage and connections', () => {
    expect(metricNames(titled('Database CPU (%)'))).toEqual(['AWS/RDS CPUUtilization']);
    expect(metricNames(titled('Database free storage (bytes)'))).toEqual(['AWS/RDS FreeStorageSpace']);
    expect(metricNames(titled('Database connections'))).toEqual(['AWS/RDS DatabaseConnections']);
  });

  it('has no database row without a database', () => {
    const { stack } = build();
    const titles = bodyOf(Template.fromStack(stack)).widgets.map((widget) => widget.properties.title ?? widget.properties.markdown);
    expect(titles.filter((title) => /database/i.test(title ?? ''))).toEqual([]);
  });

  it('fails when the dashboard name or the period is invalid, naming the prop and the value', () => {
    expect(() => build({ dashboardName: 'orders api/uat' })).toThrow(
      /ServiceDashboard Service\/ServiceDashboard: dashboardName must be 1 to 255 letters, digits, hyphens or underscores, got "orders api\/uat"/,
    );
    expect(() => build({ period: Duration.seconds(90) })).toThrow(/period must be a whole number of minutes, got "1 minute 30 seconds"/);
  });
});

describe('the monitoring constructs under both compliance packs', () => {
  it('synthesize with no unacknowledged finding', () => {
    // The harness (a bare VPC, load balancers, a database) has findings of its own; the monitoring constructs have none.
    const { app } = build({}, { app: new PrivateApiApp(), database: true });
    const findings = unacknowledgedFindings(app as PrivateApiApp).filter((finding) =>
      finding.constructPaths.some((path) => /^Service\/(AlarmTopic|ServiceAlarms|ServiceDashboard)/.test(path)),
    );
    expect(findings.map((finding) => `${finding.rule} ${finding.constructPaths.join(',')}`)).toEqual([]);
  });
});
