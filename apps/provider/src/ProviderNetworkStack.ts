import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { subnetPlacement, type ProviderConfig } from '@private-api/config';
import { PrivateVpc } from '@private-api/network';
import type { Construct } from 'constructs';

export interface ProviderNetworkStackProps extends StackProps {
  readonly provider: ProviderConfig;
}

/**
 * The provider VPC: private subnets only, no NAT, the endpoints Fargate needs, flow logs. Its
 * subnets are placed by zone ID unless the config names every zone (see `subnetPlacement`); the
 * stack's availability-zone context must list the same zones (`addProviderStacks` sets it).
 */
export class ProviderNetworkStack extends Stack {
  public readonly network: PrivateVpc;

  public constructor(scope: Construct, id: string, props: ProviderNetworkStackProps) {
    super(scope, id, props);
    const placement = subnetPlacement(props.provider.availabilityZones);
    this.network = new PrivateVpc(this, 'Network', {
      cidr: props.provider.vpcCidr,
      availabilityZones: placement.availabilityZones,
      availabilityZoneIds: placement.availabilityZoneIds,
      subnetCidrMask: props.provider.subnetCidrMask,
      flowLogRetention: props.provider.logRetentionDays as logs.RetentionDays,
    });
  }
}
