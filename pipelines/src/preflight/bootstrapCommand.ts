import { DEFAULT_QUALIFIER } from './bootstrapRoleArn';

export interface BootstrapCommandOptions {
  readonly qualifier?: string;
}

/**
 * The command that bootstraps (or re-bootstraps) one account the way the deploy path needs it:
 * the repository's bootstrap tool, which generates the account's permissions boundary and
 * execution policies from the templates and runs `cdk bootstrap` in each of its regions.
 * `--qualifier` is added only when not the default.
 */
export function bootstrapCommand(target: { readonly account: string; readonly region: string }, options: BootstrapCommandOptions = {}): string {
  const parts = [`AWS_PROFILE=<profile of ${target.account}>`, 'npm run bootstrap --', `--account ${target.account}`];
  const qualifier = options.qualifier ?? DEFAULT_QUALIFIER;
  if (qualifier !== DEFAULT_QUALIFIER) parts.push(`--qualifier ${qualifier}`);
  return parts.join(' ');
}
