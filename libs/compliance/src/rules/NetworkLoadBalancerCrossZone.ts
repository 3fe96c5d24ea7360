import type { CfnResource } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { NagRuleCompliance, NagRules } from 'cdk-nag';
import { loadBalancerAttributes } from './cfn';

/** Network load balancers balance across zones (off by default for NLBs). */
export default function NetworkLoadBalancerCrossZone(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof elbv2.CfnLoadBalancer)) return NagRuleCompliance.NOT_APPLICABLE;
  if (NagRules.resolveIfPrimitive(node, node.type) !== 'network') return NagRuleCompliance.NOT_APPLICABLE;
  const attributes = loadBalancerAttributes(node, node.loadBalancerAttributes);
  return attributes.get('load_balancing.cross_zone.enabled') === 'true'
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
