import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { containerInsightsMetric, ecsServiceMetric, perEndpointSearch, rdsMetric } from './metrics';

export interface ServiceDashboardProps {
  /** The dashboard's name: letters, digits, `-` and `_`, at most 255 characters. */
  readonly dashboardName: string;
  /** The internal ALB: requests, latency, 4xx/5xx. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The ALB target group of the ECS service: healthy and unhealthy targets. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The NLB behind the endpoint service: flows and TCP resets. */
  readonly networkLoadBalancer: elbv2.INetworkLoadBalancer;
  /** The VPC endpoint service's ID (`vpce-svc-…`), usually a token: traffic per consumer endpoint. */
  readonly endpointServiceId: string;
  /** The ECS service: CPU, memory, running vs desired tasks. */
  readonly service: ecs.IBaseService;
  /**
   * The service's database: CPU, free storage, connections.
   * @default - no database row
   */
  readonly database?: rds.IDatabaseInstance;
  /**
   * Alarms shown in the status widget at the top.
   * @default - no status widget
   */
  readonly alarms?: readonly cloudwatch.IAlarm[];
  /**
   * The period of every graph (the PrivateLink graphs use at least 5 minutes).
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const FULL_WIDTH = 24;

/**
 * One CloudWatch dashboard for a private API, top to bottom the way a request travels: alarm
 * status; the consumer endpoints (per endpoint, found by a search on the endpoint service's ID);
 * the NLB; the ALB and its targets; the ECS service; the database when there is one.
 */
export class ServiceDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.dashboardName) && !DASHBOARD_NAME.test(props.dashboardName)) {
      throw new Error(
        `ServiceDashboard ${this.node.path}: dashboardName must be 1 to 255 letters, digits, hyphens or underscores, got ${JSON.stringify(props.dashboardName)}`,
      );
    }
    const period = props.period ?? Duration.minutes(1);
    if (period.toSeconds() < 60 || period.toSeconds() % 60 !== 0) {
      throw new Error(`ServiceDashboard ${this.node.path}: period must be a whole number of minutes, got ${JSON.stringify(period.toHumanString())}`);
    }
    const privateLinkPeriod = Duration.seconds(Math.max(300, period.toSeconds()));
    const alb = props.loadBalancer.metrics;
    const targets = props.targetGroup.metrics;
    const nlb = props.networkLoadBalancer.metrics;
    const graph = (title: string, left: cloudwatch.IMetric[], width: number, right: cloudwatch.IMetric[] = []): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const alarms = props.alarms ?? [];
    if (alarms.length > 0) {
      this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: FULL_WIDTH, height: 3 }));
    }
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '## Consumer endpoints (PrivateLink), one line per endpoint', width: FULL_WIDTH, height: 1 }),
      graph('Bytes processed per endpoint', [perEndpointSearch(props.endpointServiceId, 'BytesProcessed', privateLinkPeriod)], 8),
      graph('New connections per endpoint', [perEndpointSearch(props.endpointServiceId, 'NewConnections', privateLinkPeriod)], 8),
      graph('Resets sent per endpoint', [perEndpointSearch(props.endpointServiceId, 'RstPacketsSent', privateLinkPeriod)], 8),
    );
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '## Network Load Balancer', width: FULL_WIDTH, height: 1 }),
      graph('NLB flows', [nlb.activeFlowCount({ period }), nlb.newFlowCount({ period })], 12),
      graph('NLB TCP resets', [nlb.tcpClientResetCount({ period }), nlb.tcpElbResetCount({ period }), nlb.tcpTargetResetCount({ period })], 12),
    );
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '## Application Load Balancer and targets', width: FULL_WIDTH, height: 1 }),
      graph('Requests', [alb.requestCount({ period })], 6),
      graph('Target response time p99 (s)', [alb.targetResponseTime({ period, statistic: 'p99' })], 6),
      graph(
        '4xx / 5xx',
        [
          alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, { period }),
          alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period }),
          alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period }),
        ],
        6,
      ),
      graph('Targets', [targets.healthyHostCount({ period, statistic: 'Minimum' }), targets.unhealthyHostCount({ period, statistic: 'Maximum' })], 6),
    );
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '## ECS service', width: FULL_WIDTH, height: 1 }),
      graph('CPU and memory (%)', [ecsServiceMetric(props.service, 'CPUUtilization', period), ecsServiceMetric(props.service, 'MemoryUtilization', period)], 12),
      graph(
        'Tasks: running vs desired',
        [containerInsightsMetric(props.service, 'RunningTaskCount', period), containerInsightsMetric(props.service, 'DesiredTaskCount', period)],
        12,
      ),
    );
    if (props.database) {
      const identifier = props.database.instanceIdentifier;
      const fiveMinutes = Duration.seconds(Math.max(300, period.toSeconds()));
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({ markdown: '## Database', width: FULL_WIDTH, height: 1 }),
        graph('Database CPU (%)', [rdsMetric(identifier, 'CPUUtilization', fiveMinutes, 'Average')], 8),
        graph('Database free storage (bytes)', [rdsMetric(identifier, 'FreeStorageSpace', fiveMinutes, 'Minimum')], 8),
        graph('Database connections', [rdsMetric(identifier, 'DatabaseConnections', fiveMinutes, 'Maximum')], 8),
      );
    }
  }
}
