import type { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance } from 'cdk-nag';
import { admitsSsh, admitsWholeInternet, ingressRulesOf } from './cfn';

/**
 * No security group admits SSH (port 22, from any source) or the whole internet (0.0.0.0/0,
 * ::/0) on any port. Checks inline rules and standalone ingress resources of the group.
 */
export default function SecurityGroupNoSshOrInternetIngress(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof ec2.CfnSecurityGroup)) return NagRuleCompliance.NOT_APPLICABLE;
  return ingressRulesOf(node).some((rule) => admitsSsh(rule) || admitsWholeInternet(rule))
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
