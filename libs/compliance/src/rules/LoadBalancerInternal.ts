import type { CfnResource } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { NagRuleCompliance, NagRules } from 'cdk-nag';

/** Application and network load balancers are internal (not internet-facing). */
export default function LoadBalancerInternal(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof elbv2.CfnLoadBalancer)) return NagRuleCompliance.NOT_APPLICABLE;
  const type: unknown = NagRules.resolveIfPrimitive(node, node.type);
  if (type !== undefined && type !== 'application' && type !== 'network') return NagRuleCompliance.NOT_APPLICABLE;
  // CloudFormation's default scheme is internet-facing: an absent scheme is not internal.
  const scheme: unknown = NagRules.resolveIfPrimitive(node, node.scheme);
  return scheme === 'internal' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
