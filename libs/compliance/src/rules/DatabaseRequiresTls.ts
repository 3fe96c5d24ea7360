import type { CfnResource } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NagRuleCompliance } from 'cdk-nag';
import { isSet, referencedResource, templateProperties } from './cfn';

/** The parameter that makes each engine refuse unencrypted connections, and the values that turn it on. */
const TLS_PARAMETER: Readonly<Record<string, { readonly name: string; readonly on: readonly string[] }>> = {
  postgres: { name: 'rds.force_ssl', on: ['1'] },
  'aurora-postgresql': { name: 'rds.force_ssl', on: ['1'] },
  mysql: { name: 'require_secure_transport', on: ['1', 'on'] },
  mariadb: { name: 'require_secure_transport', on: ['1', 'on'] },
  'aurora-mysql': { name: 'require_secure_transport', on: ['1', 'on'] },
};

/** Where each resource type names its parameter group, and that group's type. */
const PARAMETER_GROUP: Readonly<Record<string, { readonly property: string; readonly type: string }>> = {
  [rds.CfnDBInstance.CFN_RESOURCE_TYPE_NAME]: {
    property: 'DBParameterGroupName',
    type: rds.CfnDBParameterGroup.CFN_RESOURCE_TYPE_NAME,
  },
  [rds.CfnDBCluster.CFN_RESOURCE_TYPE_NAME]: {
    property: 'DBClusterParameterGroupName',
    type: rds.CfnDBClusterParameterGroup.CFN_RESOURCE_TYPE_NAME,
  },
};

/**
 * RDS PostgreSQL and MySQL-family instances and clusters require TLS: they name a parameter
 * group of their stack (no default group, no name the rule cannot read) that sets
 * `rds.force_ssl` to `1` (postgres, aurora-postgresql) or `require_secure_transport` to `1`/`ON`
 * (mysql, mariadb, aurora-mysql). A DB instance of a cluster (`DBClusterIdentifier`) is
 * checked on its cluster, which holds the parameter; other engines are not applicable, and an
 * engine the rule cannot read (an intrinsic) fails.
 */
export default function DatabaseRequiresTls(node: CfnResource): NagRuleCompliance {
  const parameterGroup = PARAMETER_GROUP[node.cfnResourceType];
  if (parameterGroup === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const properties = templateProperties(node);
  if (node.cfnResourceType === rds.CfnDBInstance.CFN_RESOURCE_TYPE_NAME && isSet(properties['DBClusterIdentifier'])) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const engine = properties['Engine'];
  if (typeof engine !== 'string') return NagRuleCompliance.NON_COMPLIANT;
  const tls = TLS_PARAMETER[engine.toLowerCase()];
  if (tls === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const group = referencedResource(node, properties[parameterGroup.property], parameterGroup.type);
  if (group === undefined) return NagRuleCompliance.NON_COMPLIANT;
  const parameters = templateProperties(group)['Parameters'];
  const value = parameters !== null && typeof parameters === 'object' ? (parameters as Record<string, unknown>)[tls.name] : undefined;
  const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim().toLowerCase() : undefined;
  return text !== undefined && tls.on.includes(text) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
