import { Stack, type StackProps } from 'aws-cdk-lib';
import type { ConsumerConfig } from '@private-api/config';
import { PrivateVpc } from '@private-api/network';
import type { Construct } from 'constructs';

export interface ConsumerNetworkStackProps extends StackProps {
  readonly consumer: ConsumerConfig;
}

/**
 * The consumer VPC the interface endpoint lives in: private subnets only, flow logs. It needs
 * no AWS service endpoints: its clients reach the provider through PrivateLink alone.
 */
export class ConsumerNetworkStack extends Stack {
  public readonly network: PrivateVpc;

  public constructor(scope: Construct, id: string, props: ConsumerNetworkStackProps) {
    super(scope, id, props);
    this.network = new PrivateVpc(this, 'Network', {
      cidr: props.consumer.vpcCidr,
      availabilityZones: [...props.consumer.availabilityZones],
      subnetCidrMask: props.consumer.subnetCidrMask,
      interfaceEndpoints: [],
      s3GatewayEndpoint: false,
    });
  }
}
