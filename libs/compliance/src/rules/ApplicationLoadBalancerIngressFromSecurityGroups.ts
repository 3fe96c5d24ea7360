import type { CfnResource } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { NagRuleCompliance, NagRules } from 'cdk-nag';
import { hasAddressSource, ingressRulesOf, resolved, securityGroupsReferenced } from './cfn';

/**
 * Application load balancers have security groups that admit only other security groups
 * (the NLB's): no CIDR or prefix-list source, not even the VPC's own range.
 */
export default function ApplicationLoadBalancerIngressFromSecurityGroups(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof elbv2.CfnLoadBalancer)) return NagRuleCompliance.NOT_APPLICABLE;
  const type: unknown = NagRules.resolveIfPrimitive(node, node.type);
  if (type !== undefined && type !== 'application') return NagRuleCompliance.NOT_APPLICABLE;
  const ids = resolved(node, node.securityGroups);
  if (!Array.isArray(ids) || ids.length === 0) return NagRuleCompliance.NON_COMPLIANT;
  const groups = securityGroupsReferenced(node, node.securityGroups);
  return groups.some((group) => ingressRulesOf(group).some(hasAddressSource))
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
