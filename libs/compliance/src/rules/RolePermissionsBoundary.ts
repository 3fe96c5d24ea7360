import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { templateProperties } from './cfn';

const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/;

/**
 * Every IAM role has a permissions boundary: typed `CfnRole`s and the plain `CfnResource` roles
 * of CDK's custom-resource providers alike, with the boundary set as a property or as a raw
 * override (what the BoundedRoles aspect does). A literal boundary must be a managed policy ARN;
 * an intrinsic (`Fn::Sub` with the account) is taken as given.
 */
export default function RolePermissionsBoundary(node: CfnResource): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::IAM::Role') return NagRuleCompliance.NOT_APPLICABLE;
  const boundary = templateProperties(node)['PermissionsBoundary'];
  if (boundary === undefined || boundary === null || boundary === '') return NagRuleCompliance.NON_COMPLIANT;
  if (typeof boundary === 'string' && !MANAGED_POLICY_ARN.test(boundary)) return NagRuleCompliance.NON_COMPLIANT;
  return NagRuleCompliance.COMPLIANT;
}
