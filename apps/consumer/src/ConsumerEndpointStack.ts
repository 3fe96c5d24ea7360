import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  allowedClientCidrs,
  consumerAlarmName,
  consumerWaveNumber,
  endpointServiceParameterArn,
  listenerPort,
  smokeTestFunctionName,
  smokeTestRoleName,
  smokeTestRunnerRoleArn,
  subnetPlacement,
  type EnvironmentConfig,
  type ManagedConsumerConfig,
  type NewVpcConsumerConfig,
} from '@private-api/config';
import { PrivateVpc } from '@private-api/network';
import { ConsumerEndpoint } from '@private-api/privatelink';
import type { Construct } from 'constructs';
import { ConsumerSmokeTest } from './ConsumerSmokeTest';
import { EndpointAlarms } from './EndpointAlarms';
import { ExistingConsumerVpc } from './ExistingConsumerVpc';

export interface ConsumerEndpointStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** A consumer this repository deploys into: a new VPC (created in this stack) or its existing one. */
  readonly consumer: ManagedConsumerConfig;
}

/**
 * Everything one managed consumer runs, as one stack (the pipeline deploys each consumer with
 * one CloudFormation action): for a `new-vpc` consumer its VPC, then the interface endpoint to
 * the provider's API, the alarm on the packets it drops and the smoke test that calls it.
 *
 * The endpoint service name is read at deploy time from the provider's SSM parameter, shared
 * with this account through AWS RAM and addressed by its full ARN (a CloudFormation parameter
 * of type `AWS::SSM::Parameter::Value<String>`), so no `vpce-svc-…` id is ever copied by hand.
 * The scope's availability-zone context must list the consumer's zones (`addConsumerStacks`
 * sets it), so synth never looks zones up.
 */
export class ConsumerEndpointStack extends Stack {
  /** The VPC created for a `new-vpc` consumer; absent for a consumer in its existing VPC. */
  public readonly network?: PrivateVpc;
  /** The VPC the endpoint and the smoke function are in: the new one, or the imported existing one. */
  public readonly vpc: ec2.IVpc;
  public readonly endpoint: ConsumerEndpoint;
  public readonly smokeTest: ConsumerSmokeTest;
  /** The endpoint's `PacketsDropped` alarm, its topic and the topic's key. */
  public readonly alarms: EndpointAlarms;
  /** Where the endpoint's alarm notifies: subscribe the consumer's operators here. */
  public readonly alarmTopic: sns.ITopic;

  public constructor(scope: Construct, id: string, props: ConsumerEndpointStackProps) {
    super(scope, id, props);
    const { config, consumer } = props;
    const placement = this.placement(consumer);
    this.network = placement.network;
    this.vpc = placement.vpc;
    const { vpc, subnets } = placement;
    const serviceName = ssm.StringParameter.fromStringParameterArn(this, 'ProviderEndpointServiceName', endpointServiceParameterArn(config)).stringValue;

    this.endpoint = new ConsumerEndpoint(this, 'PrivateApi', {
      vpc,
      vpcSubnets: subnets,
      serviceName,
      port: listenerPort(config),
      allowedPeers: allowedClientCidrs(consumer).map((cidr) => ec2.Peer.ipv4(cidr)),
    });
    // The service name is a parameter reference, so the rule cannot see it is an endpoint service.
    Validations.of(this.endpoint.endpoint).acknowledge({
      id: 'PrivateLink::PrivateLink-VPCE2',
      reason:
        "This endpoint connects to the provider's endpoint service (name read from the provider's shared SSM parameter), not to an AWS service: such endpoints take no endpoint policy. Who may connect is the service's allowed principals and acceptance.",
    });

    this.alarms = new EndpointAlarms(this, 'Alarms', {
      endpoint: this.endpoint.endpoint,
      vpc,
      serviceName,
      threshold: config.provider.monitoring.consumerPacketsDropped,
      alarmName: consumerAlarmName(config, consumer),
    });
    this.alarmTopic = this.alarms.topic;

    const pipeline = config.pipeline;
    this.smokeTest = new ConsumerSmokeTest(this, 'SmokeTest', {
      vpc,
      vpcSubnets: subnets,
      endpoint: this.endpoint,
      checks: config.service.smokeChecks,
      functionName: smokeTestFunctionName(config, consumer),
      // Without a pipeline there is nobody to trust: the function is invoked by hand.
      ...(pipeline
        ? {
            invoker: {
              roleName: smokeTestRoleName(config),
              // Only the runner of this consumer's own wave (its place among the managed consumers).
              runnerRoleArns: [smokeTestRunnerRoleArn(config, consumerWaveNumber(config, consumer))],
              runnerAccount: pipeline.account,
            },
          }
        : {}),
      logRetention: config.provider.logRetentionDays as logs.RetentionDays,
    });

    this.addOutputs(config);
  }

  /**
   * Where the endpoint and the smoke function go: a new private VPC (no NAT, no internet
   * gateway, flow logs; no AWS service endpoints, its clients reach the provider through
   * PrivateLink alone), or the consumer's existing VPC and configured subnets.
   */
  private placement(consumer: ManagedConsumerConfig): { network?: PrivateVpc; vpc: ec2.IVpc; subnets: ec2.SubnetSelection } {
    if (consumer.kind === 'new-vpc') {
      const network = newConsumerVpc(this, consumer);
      return { network, vpc: network.vpc, subnets: network.privateSubnets };
    }
    const existing = new ExistingConsumerVpc(this, 'ConsumerVpc', { vpc: consumer.vpc });
    return { vpc: existing.vpc, subnets: existing.subnets };
  }

  private addOutputs(config: EnvironmentConfig): void {
    new CfnOutput(this, 'PrivateApiDnsName', {
      description: `DNS name clients in this VPC call ${config.serviceName} with`,
      value: this.endpoint.dnsName,
    });
    new CfnOutput(this, 'PrivateApiEndpointId', { value: this.endpoint.vpcEndpointId });
    new CfnOutput(this, 'PrivateApiSecurityGroupId', {
      description: 'Security group of the endpoint: admit more clients here',
      value: this.endpoint.securityGroup.securityGroupId,
    });
    new CfnOutput(this, 'SmokeTestFunctionName', {
      description: 'Run the smoke test by hand: aws lambda invoke --function-name <this> result.json',
      value: this.smokeTest.function.functionName,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: "Subscribe here to the endpoint's packets-dropped alarm",
      value: this.alarmTopic.topicArn,
    });
  }
}

/** The VPC of a `new-vpc` consumer, placed by the configured zones. */
function newConsumerVpc(scope: Construct, consumer: NewVpcConsumerConfig): PrivateVpc {
  const { availabilityZones, availabilityZoneIds } = subnetPlacement(consumer.vpc.availabilityZones);
  return new PrivateVpc(scope, 'Network', {
    cidr: consumer.vpc.cidr,
    ...(availabilityZones ? { availabilityZones } : {}),
    ...(availabilityZoneIds ? { availabilityZoneIds } : {}),
    subnetCidrMask: consumer.vpc.subnetCidrMask,
    interfaceEndpoints: [],
    s3GatewayEndpoint: false,
  });
}
