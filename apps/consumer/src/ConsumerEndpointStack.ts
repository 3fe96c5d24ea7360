import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  allowedClientCidrs,
  endpointServiceParameterArn,
  listenerPort,
  smokeTestFunctionName,
  smokeTestRoleName,
  smokeTestRunnerRoleArnPattern,
  type ConsumerConfig,
  type EnvironmentConfig,
} from '@private-api/config';
import type { PrivateVpc } from '@private-api/network';
import { ConsumerEndpoint } from '@private-api/privatelink';
import type { Construct } from 'constructs';
import { ConsumerSmokeTest } from './ConsumerSmokeTest';

export interface ConsumerEndpointStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly consumer: ConsumerConfig;
  readonly network: PrivateVpc;
}

/**
 * The consumer's interface endpoint to the provider's API. The endpoint service name is read
 * at deploy time from the provider's SSM parameter, shared with this account through AWS RAM
 * and addressed by its full ARN (a CloudFormation parameter of type
 * `AWS::SSM::Parameter::Value<String>`), so no `vpce-svc-…` id is ever copied by hand.
 */
export class ConsumerEndpointStack extends Stack {
  public readonly endpoint: ConsumerEndpoint;
  public readonly smokeTest: ConsumerSmokeTest;

  public constructor(scope: Construct, id: string, props: ConsumerEndpointStackProps) {
    super(scope, id, props);
    const serviceName = ssm.StringParameter.fromStringParameterArn(
      this,
      'ProviderEndpointServiceName',
      endpointServiceParameterArn(props.config),
    ).stringValue;

    this.endpoint = new ConsumerEndpoint(this, 'PrivateApi', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.privateSubnets,
      serviceName,
      port: listenerPort(props.config),
      allowedPeers: allowedClientCidrs(props.consumer).map((cidr) => ec2.Peer.ipv4(cidr)),
    });

    this.smokeTest = new ConsumerSmokeTest(this, 'SmokeTest', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.privateSubnets,
      endpoint: this.endpoint,
      functionName: smokeTestFunctionName(props.config, props.consumer),
      invokerRoleName: smokeTestRoleName(props.config),
      runnerRoleArnPattern: smokeTestRunnerRoleArnPattern(props.config),
      runnerAccount: props.config.pipeline.account,
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
  }
}
