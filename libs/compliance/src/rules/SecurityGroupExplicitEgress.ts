import type { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance } from 'cdk-nag';
import { resolved } from './cfn';

/**
 * A security group states its egress inline: with an empty `SecurityGroupEgress`, EC2 adds an
 * allow-all egress rule that no template shows.
 */
export default function SecurityGroupExplicitEgress(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof ec2.CfnSecurityGroup)) return NagRuleCompliance.NOT_APPLICABLE;
  const egress = resolved(node, node.securityGroupEgress);
  return Array.isArray(egress) && egress.length > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
