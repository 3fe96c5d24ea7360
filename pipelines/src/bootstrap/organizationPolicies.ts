import { partitionOf, requirePipeline, type DeploymentConfig } from '@private-api/config';
import type { PolicyDocument } from './deployPolicies';

const ASSUME = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

/** Who may still assume `cdk-*` roles: the pipeline's roles, the bootstrap roles themselves, and the break-glass roles given. */
function allowedPrincipals(config: DeploymentConfig, breakGlassRoleArns: readonly string[]): string[] {
  const pipeline = requirePipeline(config, 'the organization policies around the cdk-* roles');
  const partition = partitionOf(pipeline.region);
  for (const arn of breakGlassRoleArns) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn)) {
      throw new Error(`--break-glass must be IAM role ARNs, got ${JSON.stringify(arn)}`);
    }
  }
  return [
    `arn:${partition}:iam::${pipeline.account}:role/${config.serviceName}-*`,
    `arn:${partition}:iam::*:role/cdk-*`,
    ...breakGlassRoleArns,
  ];
}

/** The one denial both policies state; the RCP names `Principal` and spares AWS services. */
function cdkRolesDenial(config: DeploymentConfig, breakGlassRoleArns: readonly string[], kind: 'scp' | 'rcp'): PolicyDocument {
  const partition = partitionOf(requirePipeline(config, `the ${kind === 'scp' ? 'service' : 'resource'} control policy`).region);
  const principals = { ArnNotLike: { 'aws:PrincipalArn': allowedPrincipals(config, breakGlassRoleArns) } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: kind === 'scp' ? 'OnlyThePipelineAssumesCdkRoles' : 'CdkRolesOnlyForThePipeline',
        Effect: 'Deny',
        ...(kind === 'rcp' ? { Principal: '*' } : {}),
        Action: ASSUME,
        Resource: `arn:${partition}:iam::*:role/cdk-*`,
        Condition: kind === 'rcp' ? { ...principals, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } } : principals,
      },
    ],
  };
}

/**
 * The service control policy for the pipeline, provider and consumer accounts: their principals
 * may assume a `cdk-*` role only if they are the pipeline's roles (named `<service>-…` in the
 * pipeline account), the bootstrap roles themselves, or a break-glass role.
 */
export function cdkRolesServiceControlPolicy(config: DeploymentConfig, breakGlassRoleArns: readonly string[] = []): PolicyDocument {
  return cdkRolesDenial(config, breakGlassRoleArns, 'scp');
}

/**
 * The resource control policy for the provider and consumer accounts: their `cdk-*` roles
 * cannot be assumed by anyone but the pipeline's roles, the bootstrap roles and the break-glass
 * roles, whatever their trust policies say and whichever account the caller is in.
 */
export function cdkRolesResourceControlPolicy(config: DeploymentConfig, breakGlassRoleArns: readonly string[] = []): PolicyDocument {
  return cdkRolesDenial(config, breakGlassRoleArns, 'rcp');
}
