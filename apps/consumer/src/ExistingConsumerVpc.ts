import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { ExistingVpcConsumerConfig } from '@private-api/config';
import { Construct } from 'constructs';

export interface ExistingConsumerVpcProps {
  /** The consumer's VPC as the config states it: id, CIDR and one subnet per zone ID. */
  readonly vpc: ExistingVpcConsumerConfig['vpc'];
}

/**
 * A consumer's existing VPC, imported from the config alone: no `Vpc.fromLookup`, so synth
 * needs no credentials for the consumer account and never caches a lookup. The zone IDs stand
 * in for zone names (CDK uses them only as labels, e.g. to keep one subnet per zone).
 */
export class ExistingConsumerVpc extends Construct {
  public readonly vpc: ec2.IVpc;
  /** Exactly the configured subnets, in config order. */
  public readonly subnets: ec2.SubnetSelection;

  public constructor(scope: Construct, id: string, props: ExistingConsumerVpcProps) {
    super(scope, id);
    const { subnets } = props.vpc;
    if (subnets.length === 0) {
      throw new Error(`ExistingConsumerVpc ${this.node.path}: vpc.subnets must name at least one subnet, got []`);
    }
    const zoneIds = subnets.map((subnet) => subnet.zoneId);
    const repeated = zoneIds.filter((zone, index) => zoneIds.indexOf(zone) !== index);
    if (repeated.length > 0) {
      // An interface endpoint takes at most one subnet per zone.
      throw new Error(`ExistingConsumerVpc ${this.node.path}: vpc.subnets must name one subnet per zone, got zone(s) ${repeated.join(', ')} twice`);
    }
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: props.vpc.id,
      vpcCidrBlock: props.vpc.cidr,
      availabilityZones: zoneIds,
    });
    this.subnets = {
      subnets: subnets.map(({ zoneId, subnetId }) =>
        ec2.Subnet.fromSubnetAttributes(this, `Subnet-${zoneId}`, { subnetId, availabilityZone: zoneId }),
      ),
    };
  }
}
