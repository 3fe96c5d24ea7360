import type { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance, NagRules } from 'cdk-nag';

/** VPC endpoint services require the provider to accept each endpoint connection. */
export default function EndpointServiceAcceptanceRequired(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof ec2.CfnVPCEndpointService)) return NagRuleCompliance.NOT_APPLICABLE;
  const acceptance: unknown = NagRules.resolveIfPrimitive(node, node.acceptanceRequired);
  return acceptance === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
