import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * Metrics whose L2 constructs have no method for them, built in one place with their exact
 * namespaces and dimension names.
 */

/** The endpoint service metrics' namespace; its dimension names contain spaces. */
export const PRIVATELINK_SERVICES_NAMESPACE = 'AWS/PrivateLinkServices';

/**
 * An AWS/PrivateLinkServices metric of one endpoint service, summed over all its endpoints and
 * load balancers (the `Service Id` dimension alone), e.g. `RstPacketsSent`, `NewConnections`.
 * https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-cloudwatch-metrics.html
 */
export function endpointServiceMetric(endpointServiceId: string, metricName: string, period: Duration, statistic = 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: PRIVATELINK_SERVICES_NAMESPACE,
    metricName,
    dimensionsMap: { 'Service Id': endpointServiceId },
    period,
    statistic,
  });
}

/**
 * A search for one AWS/PrivateLinkServices metric of the endpoint service, one line per
 * consumer endpoint (`Service Id`, `VPC Endpoint Id`): the endpoints are created by the
 * consumers after deploy, so their IDs cannot be named in the template. Search expressions
 * work in graphs, not in alarms.
 */
export function perEndpointSearch(endpointServiceId: string, metricName: string, period: Duration, statistic = 'Sum'): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${PRIVATELINK_SERVICES_NAMESPACE},"Service Id","VPC Endpoint Id"} MetricName="${metricName}" "Service Id"="${endpointServiceId}"', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    period,
    label: '',
  });
}

/**
 * An ECS/ContainerInsights metric of a service (`DesiredTaskCount`, `RunningTaskCount`, …): its
 * cluster must have Container Insights on.
 */
export function containerInsightsMetric(service: ecs.IBaseService, metricName: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'ECS/ContainerInsights',
    metricName,
    dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
    period,
    statistic: 'Average',
  });
}

/** An AWS/ECS service metric (`CPUUtilization`, `MemoryUtilization`): `IBaseService` has no metric methods. */
export function ecsServiceMetric(service: ecs.IBaseService, metricName: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ECS',
    metricName,
    dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
    period,
    statistic: 'Average',
  });
}

/** An AWS/RDS metric of one DB instance (`IDatabaseInstance` has no metric methods). */
export function rdsMetric(instanceIdentifier: string, metricName: string, period: Duration, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS',
    metricName,
    dimensionsMap: { DBInstanceIdentifier: instanceIdentifier },
    period,
    statistic,
  });
}
