import { Duration } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { alarmNamePrefixOf, alarmTopicName, dashboardNameOf, type EnvironmentConfig } from '@private-api/config';
import type { PrivateDatabase } from '@private-api/data';
import { AlarmTopic, ServiceAlarms, ServiceDashboard } from '@private-api/monitoring';
import type { PrivateApiEndpointService } from '@private-api/privatelink';
import type { Construct } from 'constructs';
import type { ApiService } from './ApiService';
import { StackPart } from './StackPart';

export interface ServiceMonitoringProps {
  readonly config: EnvironmentConfig;
  /** The ECS service and its cluster. */
  readonly api: ApiService;
  /** The ALB, NLB and endpoint service in front of it. */
  readonly privateLink: PrivateApiEndpointService;
  /** The ALB target group the service is registered in. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /**
   * The environment's database (`ProviderDataStack`).
   * @default - no database alarms or graphs
   */
  readonly database?: PrivateDatabase;
}

/**
 * What the provider team sees and hears: the alarm topic (`<service>-<env>-alarms`, emails from
 * `provider.monitoring.alarmEmails`), the alarms with their fixed names and the thresholds of
 * `provider.monitoring`, and the dashboard (`<service>-<env>`). The ECS service depends on its
 * deployment alarms, so they exist before a deployment can name them.
 */
export class ServiceMonitoring extends StackPart {
  public readonly alarmTopic: AlarmTopic;
  public readonly alarms: ServiceAlarms;
  public readonly dashboard: ServiceDashboard;

  public constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const { config, api, privateLink, targetGroup, database } = props;
    const { monitoring } = config.provider;
    const endpointServiceId = privateLink.endpointService.vpcEndpointServiceId;

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      topicName: alarmTopicName(config),
      alarmNamePrefix: alarmNamePrefixOf(config),
      emailAddresses: monitoring.alarmEmails,
    });
    this.alarms = new ServiceAlarms(this, 'ServiceAlarms', {
      serviceName: config.serviceName,
      environmentName: config.name,
      alarmAction: this.alarmTopic.alarmAction,
      targetGroup,
      service: api.service,
      endpointServiceId,
      database: database?.instance,
      databaseAllocatedStorageGiB: database ? config.provider.database?.allocatedStorageGiB : undefined,
      target5xxPercent: monitoring.target5xxPercent,
      p99Latency: Duration.millis(monitoring.p99LatencyMs),
      unhealthyTargets: monitoring.unhealthyTargets,
      endpointResets: monitoring.endpointResets,
      databaseCpuPercent: monitoring.databaseCpuPercent,
      databaseFreeStoragePercent: monitoring.databaseFreeStoragePercent,
      databaseConnections: monitoring.databaseConnections,
    });
    api.service.node.addDependency(...this.alarms.deploymentAlarms);
    this.dashboard = new ServiceDashboard(this, 'ServiceDashboard', {
      dashboardName: dashboardNameOf(config),
      loadBalancer: privateLink.alb,
      targetGroup,
      networkLoadBalancer: privateLink.nlb,
      endpointServiceId,
      service: api.service,
      database: database?.instance,
      alarms: this.alarms.all,
    });
  }
}
