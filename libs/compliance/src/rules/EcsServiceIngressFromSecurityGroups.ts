import type { CfnResource } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { NagRuleCompliance } from 'cdk-nag';
import { field, hasAddressSource, ingressRulesOf, resolved, securityGroupsReferenced } from './cfn';

/**
 * ECS services have security groups that admit only other security groups (the ALB's), so
 * tasks are reachable through the load balancer alone.
 */
export default function EcsServiceIngressFromSecurityGroups(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof ecs.CfnService)) return NagRuleCompliance.NOT_APPLICABLE;
  const configuration = field(resolved(node, node.networkConfiguration), 'awsvpcConfiguration');
  const ids = field(configuration, 'securityGroups');
  if (!Array.isArray(ids) || ids.length === 0) return NagRuleCompliance.NON_COMPLIANT;
  const groups = securityGroupsReferenced(node, ids);
  return groups.some((group) => ingressRulesOf(group).some(hasAddressSource))
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
