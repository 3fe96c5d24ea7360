import type { CfnResource } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { NagRuleCompliance, NagRules } from 'cdk-nag';
import { loadBalancerAttributes } from './cfn';

/** Application load balancers drop HTTP headers with invalid fields instead of forwarding them. */
export default function ApplicationLoadBalancerDropsInvalidHeaders(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof elbv2.CfnLoadBalancer)) return NagRuleCompliance.NOT_APPLICABLE;
  const type: unknown = NagRules.resolveIfPrimitive(node, node.type);
  if (type !== undefined && type !== 'application') return NagRuleCompliance.NOT_APPLICABLE;
  const attributes = loadBalancerAttributes(node, node.loadBalancerAttributes);
  return attributes.get('routing.http.drop_invalid_header_fields.enabled') === 'true'
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
