import { AspectPriority, Aspects, Lazy, Stack, type IAspect } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { IConstruct } from 'constructs';

/** An egress rule no packet matches (ICMP type 252 code 86 to the broadcast address), as CDK writes it. */
export const NO_TRAFFIC_EGRESS: ec2.CfnSecurityGroup.EgressProperty = {
  cidrIp: '255.255.255.255/32',
  ipProtocol: 'icmp',
  fromPort: 252,
  toPort: 86,
  description: 'Matches no traffic: keeps the default allow-all egress rule out',
};

/**
 * Keeps AWS's default allow-all egress rule out of every security group under a scope. A
 * group created with an empty `SecurityGroupEgress` gets 0.0.0.0/0 egress from EC2, and CDK
 * writes rules towards other groups and prefix lists as standalone `AWS::EC2::SecurityGroupEgress`
 * resources, dropping its inline placeholder once it has any: a group built with
 * `allowAllOutbound: false` and one egress rule towards another group would in fact reach
 * everywhere. Groups whose inline egress list is empty get the no-traffic rule; groups with
 * inline rules (including an explicit allow-all) are left as written. Compliance rule
 * PrivateLink-SG2 fails synth on a group this missed.
 */
export class NoImplicitEgress implements IAspect {
  public static applyTo(scope: IConstruct): NoImplicitEgress {
    const aspect = new NoImplicitEgress();
    Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
    return aspect;
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof ec2.CfnSecurityGroup)) return;
    const inline: unknown = node.securityGroupEgress;
    node.securityGroupEgress = Lazy.any({
      produce: () => {
        const rules: unknown = Stack.of(node).resolve(inline);
        return Array.isArray(rules) && rules.length > 0 ? rules : [NO_TRAFFIC_EGRESS];
      },
    });
  }
}
