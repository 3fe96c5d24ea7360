import { Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ProviderConfig } from '@private-api/config';
import { PrivateVpc } from '@private-api/network';
import type { Construct } from 'constructs';

export interface ProviderNetworkStackProps extends StackProps {
  readonly provider: ProviderConfig;
}

/** The provider VPC: private subnets only, no NAT, the endpoints Fargate needs, flow logs. */
export class ProviderNetworkStack extends Stack {
  public readonly network: PrivateVpc;

  public constructor(scope: Construct, id: string, props: ProviderNetworkStackProps) {
    super(scope, id, props);
    this.network = new PrivateVpc(this, 'Network', {
      cidr: props.provider.vpcCidr,
      availabilityZones: [...props.provider.availabilityZones],
      subnetCidrMask: props.provider.subnetCidrMask,
      flowLogRetention: props.provider.logRetentionDays as logs.RetentionDays,
    });
  }
}
