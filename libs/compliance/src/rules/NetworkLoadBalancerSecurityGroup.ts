import type { CfnResource } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { NagRuleCompliance, NagRules } from 'cdk-nag';
import { resolved } from './cfn';

/** Network load balancers have a security group (one can only be attached at creation). */
export default function NetworkLoadBalancerSecurityGroup(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof elbv2.CfnLoadBalancer)) return NagRuleCompliance.NOT_APPLICABLE;
  if (NagRules.resolveIfPrimitive(node, node.type) !== 'network') return NagRuleCompliance.NOT_APPLICABLE;
  const groups = resolved(node, node.securityGroups);
  return Array.isArray(groups) && groups.length > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
