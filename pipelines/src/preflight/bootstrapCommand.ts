import { DEFAULT_QUALIFIER } from './bootstrapRoleArn';

export interface BootstrapCommandOptions {
  readonly pipelineAccount: string;
  readonly executionPolicyArn: (account: string) => string;
  readonly qualifier?: string;
}

/**
 * The `cdk bootstrap` command that creates (or updates) the bootstrap roles of one account/region
 * so that the pipeline account may assume them. `--qualifier` is added only when not the default.
 */
export function bootstrapCommand(
  target: { readonly account: string; readonly region: string },
  options: BootstrapCommandOptions,
): string {
  const parts = [
    'npx cdk bootstrap',
    `aws://${target.account}/${target.region}`,
    `--trust ${options.pipelineAccount}`,
    `--trust-for-lookup ${options.pipelineAccount}`,
    `--cloudformation-execution-policies ${options.executionPolicyArn(target.account)}`,
  ];
  const qualifier = options.qualifier ?? DEFAULT_QUALIFIER;
  if (qualifier !== DEFAULT_QUALIFIER) parts.push(`--qualifier ${qualifier}`);
  return parts.join(' ');
}
