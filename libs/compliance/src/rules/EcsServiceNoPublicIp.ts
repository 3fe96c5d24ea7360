import type { CfnResource } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { NagRuleCompliance } from 'cdk-nag';
import { field, resolved } from './cfn';

/** ECS services do not give their tasks public IP addresses. */
export default function EcsServiceNoPublicIp(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof ecs.CfnService)) return NagRuleCompliance.NOT_APPLICABLE;
  const configuration = field(resolved(node, node.networkConfiguration), 'awsvpcConfiguration');
  const assign = field(configuration, 'assignPublicIp');
  return assign === 'ENABLED' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
