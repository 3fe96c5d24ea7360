import type { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance, NagRules } from 'cdk-nag';
import { admitsWholeInternet, ingressRulesOf, resolved, securityGroupsReferenced } from './cfn';

/**
 * Interface VPC endpoints name their security groups explicitly (instead of getting the VPC's
 * default group) and none of those groups admits 0.0.0.0/0 or ::/0.
 */
export default function InterfaceEndpointSecurityGroup(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof ec2.CfnVPCEndpoint)) return NagRuleCompliance.NOT_APPLICABLE;
  if (NagRules.resolveIfPrimitive(node, node.vpcEndpointType) !== 'Interface') return NagRuleCompliance.NOT_APPLICABLE;
  const ids = resolved(node, node.securityGroupIds);
  if (!Array.isArray(ids) || ids.length === 0) return NagRuleCompliance.NON_COMPLIANT;
  const groups = securityGroupsReferenced(node, node.securityGroupIds);
  return groups.some((group) => ingressRulesOf(group).some(admitsWholeInternet))
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
