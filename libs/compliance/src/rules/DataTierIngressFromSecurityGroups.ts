import type { CfnResource } from 'aws-cdk-lib';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagRuleCompliance } from 'cdk-nag';
import { hasAddressSource, ingressRulesOf, isSet, securityGroupsReferenced, templateProperties } from './cfn';

/** The property that holds the security groups of each data-tier resource type. */
const SECURITY_GROUPS_PROPERTY: Readonly<Record<string, string>> = {
  [rds.CfnDBInstance.CFN_RESOURCE_TYPE_NAME]: 'VPCSecurityGroups',
  [rds.CfnDBCluster.CFN_RESOURCE_TYPE_NAME]: 'VpcSecurityGroupIds',
  [efs.CfnMountTarget.CFN_RESOURCE_TYPE_NAME]: 'SecurityGroups',
};

/**
 * RDS instances and clusters and EFS mount targets name their security groups (without them they
 * get the VPC default group), and those groups admit only other security groups: no CIDR, IPv6
 * CIDR or prefix list, inline or standalone. A DB instance of an Aurora cluster
 * (`DBClusterIdentifier`) uses the cluster's groups, which are checked on the cluster.
 */
export default function DataTierIngressFromSecurityGroups(node: CfnResource): NagRuleCompliance {
  const property = SECURITY_GROUPS_PROPERTY[node.cfnResourceType];
  if (property === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const properties = templateProperties(node);
  if (node.cfnResourceType === rds.CfnDBInstance.CFN_RESOURCE_TYPE_NAME && isSet(properties['DBClusterIdentifier'])) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const ids = properties[property];
  if (!Array.isArray(ids) || ids.length === 0) return NagRuleCompliance.NON_COMPLIANT;
  const groups = securityGroupsReferenced(node, ids);
  return groups.some((group) => ingressRulesOf(group).some(hasAddressSource))
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
