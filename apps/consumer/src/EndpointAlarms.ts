import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmTopic } from '@private-api/monitoring';
import { Construct } from 'constructs';

/** CloudWatch's limit on an alarm name. */
const MAX_ALARM_NAME_LENGTH = 255;

export interface EndpointAlarmsProps {
  /** The interface endpoint whose dropped packets are watched. */
  readonly endpoint: ec2.IInterfaceVpcEndpoint;
  /** The VPC the endpoint is in (the metric's `VPC Id` dimension). */
  readonly vpc: ec2.IVpc;
  /** The endpoint service the endpoint connects to (the metric's `Service Name` dimension). */
  readonly serviceName: string;
  /**
   * Dropped packets per 5 minutes, in each of 2 consecutive periods, that raise the alarm (≥ 1;
   * `provider.monitoring.consumerPacketsDropped` of the config).
   */
  readonly threshold: number;
  /** Fixed alarm name (`consumerAlarmName(config, consumer)`), so operators and the pipeline find it without a lookup. */
  readonly alarmName: string;
}

/**
 * The consumer side's alarm on its interface endpoint: `PacketsDropped` (namespace
 * `AWS/PrivateLinkEndpoints`), summed per 5 minutes, at or above the threshold for 2 periods in
 * a row, missing data not breaching (the endpoint reports only while it carries traffic). It
 * notifies an `AlarmTopic` named after it: encrypted with its own key (rotation on), TLS only,
 * that only this one alarm of this account may publish to.
 */
export class EndpointAlarms extends Construct {
  public readonly alarm: cloudwatch.Alarm;
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;

  public constructor(scope: Construct, id: string, props: EndpointAlarmsProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.threshold) && !(Number.isInteger(props.threshold) && props.threshold >= 1)) {
      throw new Error(`EndpointAlarms ${this.node.path}: threshold must be a whole number of packets, at least 1, got ${props.threshold}`);
    }
    if (!Token.isUnresolved(props.alarmName) && (props.alarmName.length === 0 || props.alarmName.length > MAX_ALARM_NAME_LENGTH)) {
      throw new Error(`EndpointAlarms ${this.node.path}: alarmName must be 1 to ${MAX_ALARM_NAME_LENGTH} characters, got "${props.alarmName}"`);
    }
    // Only this alarm may publish (and use the key). The key only encrypts notifications in
    // flight (SNS keeps no messages), so it goes with the stack.
    const notifications = new AlarmTopic(this, 'Notifications', {
      topicName: props.alarmName,
      alarmName: props.alarmName,
      keyRemovalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = notifications.topic;
    this.key = notifications.key;

    this.alarm = new cloudwatch.Alarm(this, 'PacketsDropped', {
      alarmName: props.alarmName,
      alarmDescription: [
        `The interface endpoint ${props.endpoint.vpcEndpointId} dropped at least ${props.threshold} packet(s) in each of two 5-minute periods: clients of this VPC lose requests to the provider's API.`,
        'Check first that the endpoint is Available (aws ec2 describe-vpc-endpoints), that its security group still admits the clients on the service port,',
        "then compare the drops per subnet (dimension Subnet Id) to find a failing zone, and ask the provider whether its load balancer's targets are healthy.",
      ].join(' '),
      metric: new cloudwatch.Metric({
        namespace: 'AWS/PrivateLinkEndpoints',
        metricName: 'PacketsDropped',
        // An alarm matches a metric by its full dimension set: the endpoint-level one, all four.
        dimensionsMap: {
          'Endpoint Type': 'Interface',
          'Service Name': props.serviceName,
          'VPC Endpoint Id': props.endpoint.vpcEndpointId,
          'VPC Id': props.vpc.vpcId,
        },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      }),
      threshold: props.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(notifications.alarmAction);
    this.alarm.addOkAction(notifications.alarmAction);
  }
}
