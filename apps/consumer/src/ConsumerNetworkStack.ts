import { Stack, type StackProps } from 'aws-cdk-lib';
import { subnetPlacement, type NewVpcConsumerConfig } from '@private-api/config';
import { PrivateVpc } from '@private-api/network';
import type { Construct } from 'constructs';

export interface ConsumerNetworkStackProps extends StackProps {
  /** A consumer that gets a new VPC (`kind: 'new-vpc'`). */
  readonly consumer: NewVpcConsumerConfig;
}

/**
 * The consumer VPC the interface endpoint lives in: private subnets only, flow logs. It needs
 * no AWS service endpoints: its clients reach the provider through PrivateLink alone. The
 * scope's availability-zone context must list `subnetPlacement(...).contextZones` (the
 * consumer's stacks set it), so synth never looks zones up.
 */
export class ConsumerNetworkStack extends Stack {
  public readonly network: PrivateVpc;

  public constructor(scope: Construct, id: string, props: ConsumerNetworkStackProps) {
    super(scope, id, props);
    const { availabilityZones, availabilityZoneIds } = subnetPlacement(props.consumer.vpc.availabilityZones);
    this.network = new PrivateVpc(this, 'Network', {
      cidr: props.consumer.vpc.cidr,
      ...(availabilityZones ? { availabilityZones } : {}),
      ...(availabilityZoneIds ? { availabilityZoneIds } : {}),
      subnetCidrMask: props.consumer.vpc.subnetCidrMask,
      interfaceEndpoints: [],
      s3GatewayEndpoint: false,
    });
  }
}
