import type { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagRuleCompliance } from 'cdk-nag';
import { logicalIdOf, referencedLogicalId, resolved, resourcesInStack } from './cfn';

const PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+)$/;

/**
 * A principal as text: a literal ARN, or an `Fn::Join` of literals and the partition
 * pseudo-parameter (what `iam.AccountPrincipal` produces). Anything else cannot be verified.
 */
function principalText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: unknown } | null)?.['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) return undefined;
  const parts: string[] = [];
  for (const part of join[1] as unknown[]) {
    if (typeof part === 'string') parts.push(part);
    else if ((part as { Ref?: unknown } | null)?.Ref === 'AWS::Partition') parts.push('aws');
    else return undefined;
  }
  return parts.join('');
}

/**
 * VPC endpoint services have allowed principals: a permissions resource exists, lists at least
 * one principal, and every principal is an account root or a role ARN, never `*`.
 */
export default function EndpointServiceAllowedPrincipals(node: CfnResource): NagRuleCompliance {
  if (!(node instanceof ec2.CfnVPCEndpointService)) return NagRuleCompliance.NOT_APPLICABLE;
  const serviceId = logicalIdOf(node);
  const permissions = resourcesInStack(node, ec2.CfnVPCEndpointServicePermissions).filter(
    (candidate) => referencedLogicalId(candidate, candidate.serviceId) === serviceId,
  );
  if (permissions.length === 0) return NagRuleCompliance.NON_COMPLIANT;
  for (const permission of permissions) {
    const principals = resolved(permission, permission.allowedPrincipals);
    if (!Array.isArray(principals) || principals.length === 0) return NagRuleCompliance.NON_COMPLIANT;
    for (const principal of principals) {
      const text = principalText(principal);
      if (text === undefined || text.includes('*') || !PRINCIPAL.test(text)) return NagRuleCompliance.NON_COMPLIANT;
    }
  }
  return NagRuleCompliance.COMPLIANT;
}
