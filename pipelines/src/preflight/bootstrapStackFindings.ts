/** What a correctly bootstrapped account's `CDKToolkit` stack says about its deploy path. */
export interface BootstrapExpectation {
  /** The permissions boundary the CloudFormation execution role must carry. */
  readonly boundaryName: string;
  /** Names of the execution policies this repository generates for the account (`<service>-cdk-exec-<kind>[-n]`). */
  readonly executionPolicyName: RegExp;
}

export interface StackParameter {
  readonly ParameterKey?: string;
  readonly ParameterValue?: string;
}

/** AWS managed policies that make the execution role (nearly) an administrator. */
const WIDE_MANAGED_POLICY = /:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

/**
 * What is wrong with a bootstrap stack's deploy path, one finding per problem (empty when it is
 * what `npm run bootstrap` sets up): an execution policy wider than ours (AdministratorAccess
 * among others, or none at all, which the bootstrap template turns into AdministratorAccess), a
 * policy we did not generate, no or another permissions boundary, a lookup role other accounts
 * may assume.
 */
export function bootstrapStackFindings(parameters: readonly StackParameter[], expected: BootstrapExpectation): string[] {
  const value = (key: string): string =>
    parameters.find((parameter) => parameter.ParameterKey === key)?.ParameterValue?.trim() ?? '';
  const findings: string[] = [];
  const policies = value('CloudFormationExecutionPolicies')
    .split(',')
    .map((arn) => arn.trim())
    .filter((arn) => arn.length > 0);
  if (policies.length === 0) {
    findings.push('execution policy: none given, so CloudFormation deploys with AdministratorAccess');
  }
  for (const arn of policies) {
    if (WIDE_MANAGED_POLICY.test(arn)) {
      findings.push(`execution policy ${arn} is wider than the generated least-privilege policies`);
    } else if (!expected.executionPolicyName.test(arn.split('/').pop() ?? '')) {
      findings.push(`execution policy ${arn} is not one this repository generates`);
    }
  }
  const boundary = value('InputPermissionsBoundary');
  if (boundary === '') findings.push(`no permissions boundary (expected ${expected.boundaryName})`);
  else if (boundary !== expected.boundaryName) findings.push(`permissions boundary ${boundary}, expected ${expected.boundaryName}`);
  const lookup = value('TrustedAccountsForLookup');
  if (lookup !== '') findings.push(`the lookup role trusts ${lookup} (synth never looks anything up)`);
  return findings;
}
