import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  allowedClientCidrs,
  consumerWaveNumber,
  endpointServiceParameterArn,
  listenerPort,
  smokeTestFunctionName,
  smokeTestRoleName,
  smokeTestRunnerRoleArn,
  type EnvironmentConfig,
  type ManagedConsumerConfig,
} from '@private-api/config';
import type { PrivateVpc } from '@private-api/network';
import { ConsumerEndpoint } from '@private-api/privatelink';
import type { Construct } from 'constructs';
import { ConsumerSmokeTest } from './ConsumerSmokeTest';
import { ExistingConsumerVpc } from './ExistingConsumerVpc';

export interface ConsumerEndpointStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** A consumer this repository deploys into: a new VPC or its existing one. */
  readonly consumer: ManagedConsumerConfig;
  /**
   * The VPC created for a `new-vpc` consumer (its network stack). Required for that kind, not
   * allowed for an `existing-vpc` consumer.
   * @default - the consumer's existing VPC, imported from the config (`existing-vpc` only)
   */
  readonly network?: PrivateVpc;
}

/**
 * The consumer's interface endpoint to the provider's API, and the smoke test that calls it.
 * The endpoint service name is read at deploy time from the provider's SSM parameter, shared
 * with this account through AWS RAM and addressed by its full ARN (a CloudFormation parameter
 * of type `AWS::SSM::Parameter::Value<String>`), so no `vpce-svc-…` id is ever copied by hand.
 */
export class ConsumerEndpointStack extends Stack {
  public readonly endpoint: ConsumerEndpoint;
  public readonly smokeTest: ConsumerSmokeTest;

  public constructor(scope: Construct, id: string, props: ConsumerEndpointStackProps) {
    super(scope, id, props);
    const { vpc, subnets } = this.placement(props);
    const serviceName = ssm.StringParameter.fromStringParameterArn(
      this,
      'ProviderEndpointServiceName',
      endpointServiceParameterArn(props.config),
    ).stringValue;

    this.endpoint = new ConsumerEndpoint(this, 'PrivateApi', {
      vpc,
      vpcSubnets: subnets,
      serviceName,
      port: listenerPort(props.config),
      allowedPeers: allowedClientCidrs(props.consumer).map((cidr) => ec2.Peer.ipv4(cidr)),
    });
    // The service name is a parameter reference, so the rule cannot see it is an endpoint service.
    Validations.of(this.endpoint.endpoint).acknowledge({
      id: 'PrivateLink::PrivateLink-VPCE2',
      reason:
        "This endpoint connects to the provider's endpoint service (name read from the provider's shared SSM parameter), not to an AWS service: such endpoints take no endpoint policy. Who may connect is the service's allowed principals and acceptance.",
    });

    const pipeline = props.config.pipeline;
    this.smokeTest = new ConsumerSmokeTest(this, 'SmokeTest', {
      vpc,
      vpcSubnets: subnets,
      endpoint: this.endpoint,
      checks: props.config.service.smokeChecks,
      functionName: smokeTestFunctionName(props.config, props.consumer),
      // Without a pipeline there is nobody to trust: the function is invoked by hand.
      ...(pipeline
        ? {
            invoker: {
              roleName: smokeTestRoleName(props.config),
              // Only the runner of this consumer's own wave (its place among the managed consumers).
              runnerRoleArns: [smokeTestRunnerRoleArn(props.config, consumerWaveNumber(props.config, props.consumer))],
              runnerAccount: pipeline.account,
            },
          }
        : {}),
      logRetention: props.config.provider.logRetentionDays as logs.RetentionDays,
    });

    new CfnOutput(this, 'PrivateApiDnsName', {
      description: `DNS name clients in this VPC call ${props.config.serviceName} with`,
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
  }

  /** Where the endpoint and the smoke function go: the new VPC's private subnets, or the configured ones. */
  private placement(props: ConsumerEndpointStackProps): { vpc: ec2.IVpc; subnets: ec2.SubnetSelection } {
    const { consumer, network } = props;
    if (consumer.kind === 'new-vpc') {
      if (!network) {
        throw new Error(`ConsumerEndpointStack ${this.node.path}: network is required for consumer ${consumer.name} (kind new-vpc), got undefined`);
      }
      return { vpc: network.vpc, subnets: network.privateSubnets };
    }
    if (network) {
      throw new Error(
        `ConsumerEndpointStack ${this.node.path}: network must not be given for consumer ${consumer.name} (kind existing-vpc: its VPC ${consumer.vpc.id} is imported), got ${network.node.path}`,
      );
    }
    const existing = new ExistingConsumerVpc(this, 'ConsumerVpc', { vpc: consumer.vpc });
    return { vpc: existing.vpc, subnets: existing.subnets };
  }
}
