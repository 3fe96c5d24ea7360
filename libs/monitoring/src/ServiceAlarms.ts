import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { alarmNameOf, DEPLOYMENT_ALARMS, type ProviderAlarm } from '@private-api/config';
import { Construct } from 'constructs';
import { containerInsightsMetric, endpointServiceMetric, rdsMetric } from './metrics';

export interface ServiceAlarmsProps {
  /** The service's name (`config.serviceName`): the first part of every alarm name. */
  readonly serviceName: string;
  /** The environment's name: the second part of every alarm name (`<service>-<env>-<alarm>`). */
  readonly environmentName: string;

  /** Where every alarm sends its ALARM and OK notifications (`AlarmTopic.alarmAction`). */
  readonly alarmAction: cloudwatch.IAlarmAction;

  /** The ALB target group of the ECS service: 5xx rate, p99 latency and unhealthy targets. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The ECS service, whose cluster must have Container Insights on (running vs desired tasks). */
  readonly service: ecs.IBaseService;
  /** The VPC endpoint service's ID (`vpce-svc-…`), usually a token: resets sent to consumers. */
  readonly endpointServiceId: string;

  /**
   * The service's database: CPU, free storage and connections alarms.
   * @default - no database alarms
   */
  readonly database?: rds.IDatabaseInstance;
  /**
   * The database's allocated storage in GiB: the free storage threshold is a share of it.
   * Required with `database`.
   * @default - none
   */
  readonly databaseAllocatedStorageGiB?: number;

  /**
   * Target 5xx responses in percent of requests above which the service is in alarm.
   * @default 1
   */
  readonly target5xxPercent?: number;
  /**
   * The p99 target response time above which the service is in alarm.
   * @default Duration.seconds(1)
   */
  readonly p99Latency?: Duration;
  /**
   * Unhealthy targets at which the service is in alarm.
   * @default 1
   */
  readonly unhealthyTargets?: number;
  /**
   * TCP resets the endpoint service sends per 5 minutes at which it is in alarm.
   * @default 100
   */
  readonly endpointResets?: number;
  /**
   * Average database CPU in percent above which it is in alarm.
   * @default 80
   */
  readonly databaseCpuPercent?: number;
  /**
   * Free database storage, in percent of the allocated storage, under which it is in alarm.
   * @default 10
   */
  readonly databaseFreeStoragePercent?: number;
  /**
   * Database connections above which it is in alarm.
   * @default 200
   */
  readonly databaseConnections?: number;
}

/** What an alarm says when it fires: what it means, then the first thing to do. */
const RUNBOOK: Readonly<Record<ProviderAlarm, string>> = {
  'target-5xx-rate':
    'Tasks answer more than the threshold share of requests with 5xx: consumers see errors. First: open the task logs (CloudWatch Logs, the service log group) for the failing requests; if a deployment is in progress ECS rolls it back on this alarm, otherwise check the database and recent config changes.',
  'unhealthy-targets':
    'ALB targets fail their health check: capacity is shrinking and tasks are being replaced. First: look at the ECS service events and the stopped tasks\' reasons (health check path, container exit code, out of memory); a deployment in progress is rolled back on this alarm.',
  'p99-latency':
    'The slowest 1 % of requests take longer than the threshold: consumers may time out. First: compare CPU, running tasks and database CPU/connections on the dashboard; if tasks are saturated and not scaling out, raise provider.scaling.maxCount; a deployment in progress is rolled back on this alarm.',
  'running-tasks-below-desired':
    'ECS has run fewer tasks than desired for 5 minutes: tasks fail to start or keep stopping. First: read the ECS service events (placement failures, image pull errors, capacity provider limits on EC2) and the last stopped task\'s stop reason.',
  'endpoint-resets':
    'The endpoint service resets many consumer connections: the NLB or the ALB behind it has no healthy target, or connections are refused. First: check the NLB and ALB healthy host counts on the dashboard, then the unhealthy-targets alarm.',
  'database-cpu':
    'The database CPU stays above the threshold: queries slow down. First: open Performance Insights for the top SQL by load; then consider a larger instance class (provider.database.instanceClass).',
  'database-free-storage':
    'The database is running out of storage: it stops accepting writes when full. First: check what grows (tables, WAL, temporary files); raise provider.database.allocatedStorageGiB or set maxAllocatedStorageGiB for storage autoscaling.',
  'database-connections':
    'The database has more connections than the threshold: new connections will soon be refused. First: compare with the running task count (each task holds a pool); look for leaked or idle-in-transaction sessions; lower the pool size or raise the instance class.',
};

/** The ECS cluster settings value(s) that mean Container Insights publishes task counts. */
const INSIGHTS_ON = ['enabled', 'enhanced'];

/**
 * The alarms of a private API service, each with a fixed name (`<service>-<env>-<alarm>`, see
 * `alarmNameOf`) so that the ECS service and the pipeline can name them before they exist, and
 * each notifying `alarmAction` when it fires and when it clears:
 *
 * - `target-5xx-rate`: 100 × HTTPCode_Target_5XX_Count / RequestCount of the target group, per
 *   minute, above the threshold in 3 of 5 minutes;
 * - `unhealthy-targets`: UnHealthyHostCount (maximum) at or above the threshold 3 minutes running;
 * - `p99-latency`: TargetResponseTime p99 above the threshold in 3 of 5 minutes;
 * - `running-tasks-below-desired`: Container Insights DesiredTaskCount − RunningTaskCount above 0
 *   for 5 minutes running;
 * - `endpoint-resets`: AWS/PrivateLinkServices RstPacketsSent (sum per 5 minutes, by `Service Id`)
 *   at or above the threshold twice running;
 * - with a database: CPU, free storage (a share of the allocated storage) and connections.
 *
 * Missing data never breaches: no traffic is not an error (and a new environment starts quiet).
 * The first three are the deployment alarms ({@link deploymentAlarms}).
 */
export class ServiceAlarms extends Construct {
  /** Every alarm, by what it watches. */
  public readonly alarms: Readonly<Partial<Record<ProviderAlarm, cloudwatch.Alarm>>>;
  /** The alarms that roll an ECS deployment back (`deploymentAlarmNames`), in that order. */
  public readonly deploymentAlarms: readonly cloudwatch.Alarm[];

  public constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const fail = (field: string, value: unknown, rule: string): never => {
      throw new Error(`ServiceAlarms ${this.node.path}: ${field} ${rule}, got ${JSON.stringify(value)}`);
    };
    const target5xxPercent = props.target5xxPercent ?? 1;
    const p99Latency = props.p99Latency ?? Duration.seconds(1);
    const unhealthyTargets = props.unhealthyTargets ?? 1;
    const endpointResets = props.endpointResets ?? 100;
    const databaseCpuPercent = props.databaseCpuPercent ?? 80;
    const databaseFreeStoragePercent = props.databaseFreeStoragePercent ?? 10;
    const databaseConnections = props.databaseConnections ?? 200;
    if (!(target5xxPercent > 0 && target5xxPercent <= 100)) fail('target5xxPercent', target5xxPercent, 'must be above 0 and at most 100');
    if (!(p99Latency.toMilliseconds() > 0)) fail('p99Latency', p99Latency.toHumanString(), 'must be longer than 0');
    const wholeAtLeastOne = (field: string, value: number): void => {
      if (!Token.isUnresolved(value) && !(Number.isInteger(value) && value >= 1)) fail(field, value, 'must be a whole number of at least 1');
    };
    wholeAtLeastOne('unhealthyTargets', unhealthyTargets);
    wholeAtLeastOne('endpointResets', endpointResets);
    wholeAtLeastOne('databaseConnections', databaseConnections);
    if (!(databaseCpuPercent > 0 && databaseCpuPercent <= 100)) fail('databaseCpuPercent', databaseCpuPercent, 'must be above 0 and at most 100');
    if (!(databaseFreeStoragePercent > 0 && databaseFreeStoragePercent < 100)) {
      fail('databaseFreeStoragePercent', databaseFreeStoragePercent, 'must be above 0 and below 100');
    }
    if (props.database && props.databaseAllocatedStorageGiB === undefined) {
      fail('databaseAllocatedStorageGiB', props.databaseAllocatedStorageGiB, 'is required with database (the free storage threshold is a share of it)');
    }
    if (props.databaseAllocatedStorageGiB !== undefined && !(props.databaseAllocatedStorageGiB >= 1)) {
      fail('databaseAllocatedStorageGiB', props.databaseAllocatedStorageGiB, 'must be a positive number of GiB');
    }
    for (const [field, value] of [['serviceName', props.serviceName], ['environmentName', props.environmentName]] as const) {
      if (!Token.isUnresolved(value) && !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value)) fail(field, value, 'must be letters, digits, hyphens or underscores');
    }
    this.requireContainerInsights(props.service.cluster, fail);

    const names = { serviceName: props.serviceName, name: props.environmentName };
    const alarms: Partial<Record<ProviderAlarm, cloudwatch.Alarm>> = {};
    const add = (alarm: ProviderAlarm, constructId: string, options: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'treatMissingData'>): void => {
      const created = new cloudwatch.Alarm(this, constructId, {
        ...options,
        alarmName: alarmNameOf(names, alarm),
        alarmDescription: RUNBOOK[alarm],
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(props.alarmAction);
      created.addOkAction(props.alarmAction);
      alarms[alarm] = created;
    };

    const minute = Duration.minutes(1);
    const targets = props.targetGroup.metrics;
    add('target-5xx-rate', 'Target5xxRate', {
      metric: new cloudwatch.MathExpression({
        // No 5xx in a minute publishes no datapoint: FILL makes it 0 % rather than no data.
        expression: '100 * FILL(errors, 0) / requests',
        usingMetrics: {
          errors: targets.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute, statistic: 'Sum' }),
          requests: targets.requestCount({ period: minute, statistic: 'Sum' }),
        },
        period: minute,
        label: 'Target 5xx (% of requests)',
      }),
      threshold: target5xxPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    add('unhealthy-targets', 'UnhealthyTargets', {
      metric: targets.unhealthyHostCount({ period: minute, statistic: 'Maximum' }),
      threshold: unhealthyTargets,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
    add('p99-latency', 'P99Latency', {
      // TargetResponseTime is in seconds.
      metric: targets.targetResponseTime({ period: minute, statistic: 'p99' }),
      threshold: p99Latency.toMilliseconds() / 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    add('running-tasks-below-desired', 'RunningTasksBelowDesired', {
      metric: new cloudwatch.MathExpression({
        expression: 'desired - running',
        usingMetrics: {
          desired: containerInsightsMetric(props.service, 'DesiredTaskCount', minute),
          running: containerInsightsMetric(props.service, 'RunningTaskCount', minute),
        },
        period: minute,
        label: 'Tasks missing (desired - running)',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
    });
    add('endpoint-resets', 'EndpointResets', {
      metric: endpointServiceMetric(props.endpointServiceId, 'RstPacketsSent', Duration.minutes(5)),
      threshold: endpointResets,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });

    if (props.database && props.databaseAllocatedStorageGiB !== undefined) {
      const fiveMinutes = Duration.minutes(5);
      const identifier = props.database.instanceIdentifier;
      add('database-cpu', 'DatabaseCpu', {
        metric: rdsMetric(identifier, 'CPUUtilization', fiveMinutes, 'Average'),
        threshold: databaseCpuPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      });
      add('database-free-storage', 'DatabaseFreeStorage', {
        // FreeStorageSpace is in bytes. The threshold follows the storage allocated at creation:
        // with storage autoscaling on, RDS grows the volume first and the alarm stays quiet longer.
        metric: rdsMetric(identifier, 'FreeStorageSpace', fiveMinutes, 'Minimum'),
        threshold: Math.round((databaseFreeStoragePercent / 100) * props.databaseAllocatedStorageGiB * 1024 ** 3),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      });
      add('database-connections', 'DatabaseConnections', {
        metric: rdsMetric(identifier, 'DatabaseConnections', fiveMinutes, 'Maximum'),
        threshold: databaseConnections,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      });
    }
    this.alarms = alarms;
    this.deploymentAlarms = DEPLOYMENT_ALARMS.map((alarm) => {
      const found = alarms[alarm];
      if (!found) throw new Error(`ServiceAlarms ${this.node.path}: no ${alarm} alarm`);
      return found;
    });
  }

  /** Every alarm, in the order they were created. */
  public get all(): cloudwatch.Alarm[] {
    return Object.values(this.alarms).filter((alarm): alarm is cloudwatch.Alarm => alarm !== undefined);
  }

  /**
   * DesiredTaskCount and RunningTaskCount come from Container Insights only: without it the
   * running-tasks alarm would never fire. An imported cluster cannot be checked.
   */
  private requireContainerInsights(cluster: ecs.ICluster, fail: (field: string, value: unknown, rule: string) => never): void {
    const cfnCluster = cluster.node.defaultChild;
    if (!(cfnCluster instanceof ecs.CfnCluster)) return;
    const settings = cfnCluster.clusterSettings;
    if (settings !== undefined && Token.isUnresolved(settings)) return;
    const insights = (Array.isArray(settings) ? settings : [])
      .filter((setting): setting is ecs.CfnCluster.ClusterSettingsProperty => !Token.isUnresolved(setting))
      .find((setting) => setting.name === 'containerInsights');
    if (!insights || !INSIGHTS_ON.includes(String(insights.value))) {
      fail('service.cluster', insights?.value ?? 'disabled', 'must have Container Insights on (containerInsightsV2: ContainerInsights.ENABLED)');
    }
  }
}
