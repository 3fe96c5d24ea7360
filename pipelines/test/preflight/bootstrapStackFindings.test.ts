import { describe, expect, it } from 'vitest';
import {
  bootstrapStackFindings,
  type BootstrapExpectation,
  type StackParameter,
} from '../../src/preflight/bootstrapStackFindings';

const PIPELINE = '210000000009';
const PROVIDER = '210000000001';

/** What the fixture service (`fixture-api`) bootstraps its accounts with. */
const EXPECTED: BootstrapExpectation = {
  boundaryName: 'fixture-api-permissions-boundary',
  executionPolicyName: /^fixture-api-cdk-exec-(pipeline|provider|consumer)(-\d+)?$/,
};

const OWN_POLICY = `arn:aws:iam::${PROVIDER}:policy/fixture-api-cdk-exec-provider`;
const OWN_POLICY_2 = `arn:aws:iam::${PROVIDER}:policy/fixture-api-cdk-exec-provider-2`;
const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';

/**
 * The parameters of a `CDKToolkit` stack as DescribeStacks returns them (list parameters as one
 * comma-separated string, an empty string when not given), as `npm run bootstrap` leaves them,
 * with `changes` applied (`undefined` drops the parameter).
 */
function stackParameters(changes: Record<string, string | undefined> = {}): StackParameter[] {
  const values: Record<string, string | undefined> = {
    BootstrapVariant: 'AWS CDK: Default Resources',
    CloudFormationExecutionPolicies: `${OWN_POLICY},${OWN_POLICY_2}`,
    FileAssetsBucketKmsKeyId: 'AWS_MANAGED_KEY',
    InputPermissionsBoundary: 'fixture-api-permissions-boundary',
    PublicAccessBlockConfiguration: 'true',
    Qualifier: 'hnb659fds',
    TrustedAccounts: PIPELINE,
    TrustedAccountsForLookup: '',
    UseExamplePermissionsBoundary: 'false',
    ...changes,
  };
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

describe('bootstrapStackFindings', () => {
  it('finds nothing in a stack bootstrapped by the bootstrap tool', () => {
    // GIVEN our boundary, our two generated execution policies and no lookup trust
    // WHEN the stack is checked
    // THEN there is nothing to report
    expect(bootstrapStackFindings(stackParameters(), EXPECTED)).toEqual([]);
  });

  it('accepts the policy list with spaces around the commas, and each kind of account', () => {
    const policies = ['pipeline', 'provider-2', 'consumer'].map((name) => `arn:aws:iam::${PROVIDER}:policy/fixture-api-cdk-exec-${name}`);
    expect(bootstrapStackFindings(stackParameters({ CloudFormationExecutionPolicies: ` ${policies.join(' , ')} ` }), EXPECTED)).toEqual([]);
  });

  it('reports AdministratorAccess as wider than the generated policies', () => {
    // GIVEN an account bootstrapped with --cloudformation-execution-policies AdministratorAccess
    const parameters = stackParameters({ CloudFormationExecutionPolicies: ADMINISTRATOR_ACCESS });
    // WHEN it is checked
    // THEN that policy is the one finding
    expect(bootstrapStackFindings(parameters, EXPECTED)).toEqual([
      'execution policy arn:aws:iam::aws:policy/AdministratorAccess is wider than the generated least-privilege policies',
    ]);
  });

  it.each([
    ['PowerUserAccess', 'arn:aws:iam::aws:policy/PowerUserAccess'],
    ['IAMFullAccess', 'arn:aws:iam::aws:policy/IAMFullAccess'],
    ['AdministratorAccess in GovCloud', 'arn:aws-us-gov:iam::aws:policy/AdministratorAccess'],
  ])('reports %s next to our own policies, and only it', (_name, arn) => {
    // GIVEN a wide AWS managed policy added to the generated ones (comma-separated, as CloudFormation returns them)
    const parameters = stackParameters({ CloudFormationExecutionPolicies: `${OWN_POLICY},${arn}` });
    // WHEN it is checked
    // THEN only the wide policy is reported
    expect(bootstrapStackFindings(parameters, EXPECTED)).toEqual([
      `execution policy ${arn} is wider than the generated least-privilege policies`,
    ]);
  });

  it.each([
    ['an empty value', ''],
    ['only blanks and commas', ' , '],
    ['no such parameter', undefined],
  ])('reports no execution policy at all (%s): the bootstrap template then uses AdministratorAccess', (_name, value) => {
    const parameters = stackParameters({ CloudFormationExecutionPolicies: value });
    expect(bootstrapStackFindings(parameters, EXPECTED)).toEqual([
      'execution policy: none given, so CloudFormation deploys with AdministratorAccess',
    ]);
  });

  it.each([
    ['a hand-written policy', `arn:aws:iam::${PROVIDER}:policy/team-deploy-policy`],
    ['another service of this repository', `arn:aws:iam::${PROVIDER}:policy/ledger-cdk-exec-provider`],
    ['a name that only starts like ours', `arn:aws:iam::${PROVIDER}:policy/fixture-api-cdk-exec-provider-old`],
    ['an AWS managed policy that is not on the wide list', 'arn:aws:iam::aws:policy/AWSCloudFormationFullAccess'],
  ])('reports %s as not one this repository generates', (_name, arn) => {
    const parameters = stackParameters({ CloudFormationExecutionPolicies: `${OWN_POLICY},${arn}` });
    expect(bootstrapStackFindings(parameters, EXPECTED)).toEqual([`execution policy ${arn} is not one this repository generates`]);
  });

  it.each([
    ['an empty value', ''],
    ['blanks', '  '],
    ['no such parameter', undefined],
  ])('reports a missing permissions boundary (%s)', (_name, value) => {
    const parameters = stackParameters({ InputPermissionsBoundary: value });
    expect(bootstrapStackFindings(parameters, EXPECTED)).toEqual(['no permissions boundary (expected fixture-api-permissions-boundary)']);
  });

  it('reports another permissions boundary, e.g. the CDK example one', () => {
    // GIVEN an account bootstrapped with --example-permissions-boundary
    const parameters = stackParameters({ InputPermissionsBoundary: 'cdk-hnb659fds-permissions-boundary' });
    // WHEN it is checked
    // THEN the boundary found and the one expected are named
    expect(bootstrapStackFindings(parameters, EXPECTED)).toEqual([
      'permissions boundary cdk-hnb659fds-permissions-boundary, expected fixture-api-permissions-boundary',
    ]);
  });

  it.each([
    ['one account', PIPELINE],
    ['several accounts', `${PIPELINE},210000000008`],
  ])('reports lookup trust of %s', (_name, accounts) => {
    const parameters = stackParameters({ TrustedAccountsForLookup: accounts });
    expect(bootstrapStackFindings(parameters, EXPECTED)).toEqual([
      `the lookup role trusts ${accounts} (synth never looks anything up)`,
    ]);
  });

  it('reports every problem of a stock `cdk bootstrap --trust --trust-for-lookup`, policies first', () => {
    // GIVEN an account bootstrapped by hand: no execution policies, no boundary, lookup trust of the pipeline
    const parameters = stackParameters({
      CloudFormationExecutionPolicies: '',
      InputPermissionsBoundary: '',
      TrustedAccountsForLookup: PIPELINE,
    });
    // WHEN it is checked
    // THEN each problem is one finding
    expect(bootstrapStackFindings(parameters, EXPECTED)).toEqual([
      'execution policy: none given, so CloudFormation deploys with AdministratorAccess',
      'no permissions boundary (expected fixture-api-permissions-boundary)',
      `the lookup role trusts ${PIPELINE} (synth never looks anything up)`,
    ]);
  });

  it('treats parameters without a value (or a stack without parameters) as not given', () => {
    expect(
      bootstrapStackFindings(
        [{ ParameterKey: 'CloudFormationExecutionPolicies', ParameterValue: ADMINISTRATOR_ACCESS }, { ParameterKey: 'InputPermissionsBoundary' }, {}],
        EXPECTED,
      ),
    ).toEqual([
      'execution policy arn:aws:iam::aws:policy/AdministratorAccess is wider than the generated least-privilege policies',
      'no permissions boundary (expected fixture-api-permissions-boundary)',
    ]);
    expect(bootstrapStackFindings([], EXPECTED)).toEqual([
      'execution policy: none given, so CloudFormation deploys with AdministratorAccess',
      'no permissions boundary (expected fixture-api-permissions-boundary)',
    ]);
  });
});
