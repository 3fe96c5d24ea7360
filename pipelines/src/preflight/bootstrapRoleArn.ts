/** The qualifier `cdk bootstrap` uses unless told otherwise. */
export const DEFAULT_QUALIFIER = 'hnb659fds';

/** The roles `cdk bootstrap` creates in every bootstrapped account/region. */
export type BootstrapRoleKind = 'deploy' | 'lookup' | 'file-publishing' | 'image-publishing';

/** The AWS partition a region belongs to: `aws-cn` for China, `aws-us-gov` for GovCloud, `aws` otherwise. */
export function partitionFor(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** ARN of a bootstrap role, e.g. `arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-eu-west-1`. */
export function bootstrapRoleArn(
  kind: BootstrapRoleKind,
  account: string,
  region: string,
  qualifier: string = DEFAULT_QUALIFIER,
): string {
  return `arn:${partitionFor(region)}:iam::${account}:role/cdk-${qualifier}-${kind}-role-${account}-${region}`;
}
