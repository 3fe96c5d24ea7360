import {
  AssumeRoleCommand,
  ExpiredTokenException,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
  type AssumeRoleCommandInput,
} from '@aws-sdk/client-sts';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  type DescribeStacksCommandInput,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  bootstrapRoleArn,
  EXPIRED_CREDENTIALS_LINE,
  MISSING_CREDENTIALS_LINE,
  runPreflight,
  type AwsCredentialIdentity,
  type PreflightOptions,
  type PreflightTarget,
} from '../../src/preflight/index';
import type { BootstrapExpectation, StackParameter } from '../../src/preflight/bootstrapStackFindings';

const PIPELINE = '210000000009';
const PROVIDER = '210000000001';
const CONSUMER = '210000000002';
const REGION = 'us-east-2';
const NOW = new Date('2024-05-01T12:00:00Z');
const SESSION_NAME = `preflight-${NOW.getTime()}`;

const TARGETS: readonly PreflightTarget[] = [
  { account: PIPELINE, region: REGION, label: 'pipeline' },
  { account: PROVIDER, region: REGION, label: 'qa provider' },
  { account: CONSUMER, region: REGION, label: 'qa consumer alpha' },
];

function stsError(name: string, message: string): STSServiceException {
  return new STSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

function accessDenied(roleArn: string, caller = PIPELINE): STSServiceException {
  return stsError(
    'AccessDenied',
    `User: arn:aws:sts::${caller}:assumed-role/Admin/me is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  );
}

/** The account of a role ARN, as the fake STS puts it in the access key id of the credentials it hands out. */
function accountOfRole(roleArn: string | undefined): string {
  return roleArn?.split(':')[4] ?? 'unknown';
}

function assumedCredentials(input: AssumeRoleCommandInput) {
  return {
    Credentials: {
      AccessKeyId: `ASIA-${accountOfRole(input.RoleArn)}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date('2024-05-01T12:15:00Z'),
    },
    AssumedRoleUser: { Arn: `${input.RoleArn}/${input.RoleSessionName}`, AssumedRoleId: 'AROA:x' },
  };
}

interface Run {
  readonly exitCode: number;
  readonly text: string;
  readonly lines: string[];
}

describe('runPreflight', () => {
  let sts: AwsClientStub<STSClient>;
  let stsFor: ReturnType<typeof vi.fn<(credentials: AwsCredentialIdentity, region: string) => STSClient>>;
  /** The account of the caller's credentials. */
  let callerAccount: string;
  /** The account GetCallerIdentity reports for assumed credentials; the real one unless a test overrides it. */
  let assumedAccountOf: (credentials: AwsCredentialIdentity) => string;

  beforeEach(() => {
    callerAccount = PIPELINE;
    assumedAccountOf = (credentials) => credentials.accessKeyId.replace('ASIA-', '');
    // Clients handed out by stsFor, with the credentials they were made for.
    const assumedClients = new Map<unknown, AwsCredentialIdentity>();
    stsFor = vi.fn((credentials: AwsCredentialIdentity, region: string) => {
      const client = new STSClient({ region, credentials });
      assumedClients.set(client, credentials);
      return client;
    });
    // One mock for every STSClient (mocking an instance as well would replace this one): GetCallerIdentity
    // answers for the caller, or for the assumed credentials of a client made by stsFor.
    sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).callsFake((_input, getClient) => {
      const assumed = assumedClients.get(getClient());
      return assumed === undefined
        ? { Account: callerAccount, Arn: `arn:aws:sts::${callerAccount}:assumed-role/Admin/me` }
        : { Account: assumedAccountOf(assumed), Arn: `arn:aws:sts::${assumedAccountOf(assumed)}:assumed-role/cdk/preflight` };
    });
    sts.on(AssumeRoleCommand).callsFake(assumedCredentials);
  });

  afterEach(() => {
    sts.restore();
  });

  async function run(overrides: Partial<PreflightOptions> = {}): Promise<Run> {
    const output: string[] = [];
    const exitCode = await runPreflight({
      pipelineAccount: PIPELINE,
      pipelineRegion: REGION,
      targets: TARGETS,
      sts: new STSClient({ region: REGION }),
      stsFor,
      write: (line) => output.push(line),
      sleep: () => Promise.resolve(),
      now: () => NOW,
      ...overrides,
    });
    const text = output.join('');
    return { exitCode, text, lines: text.split('\n') };
  }

  it('passes when every deploy role can be assumed, printing the caller, the table and the summary', async () => {
    // GIVEN pipeline-account credentials and bootstrapped targets
    // WHEN the preflight runs
    const { exitCode, lines } = await run();
    // THEN every deploy role is ✓ and the exit code is 0
    expect(exitCode).toBe(0);
    expect(lines).toEqual([
      `credentials: account ${PIPELINE} (arn:aws:sts::${PIPELINE}:assumed-role/Admin/me)`,
      'checking 3 bootstrap roles (qualifier hnb659fds) in 3 account/region pair(s)',
      '',
      'account       region     target             role    ok  reason',
      '210000000009  us-east-2  pipeline           deploy  ✓',
      '210000000001  us-east-2  qa provider        deploy  ✓',
      '210000000002  us-east-2  qa consumer alpha  deploy  ✓',
      '',
      '3 of 3 checks OK',
      '',
    ]);
  });

  it('assumes only the deploy role by default, for 900 seconds under one preflight session name', async () => {
    // GIVEN one target (bootstrapped without lookup trust: synth is offline, nothing needs the lookup role)
    // WHEN the preflight runs
    await run({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
    // THEN AssumeRole is called with the deploy role ARN only
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: bootstrapRoleArn('deploy', PROVIDER, REGION), RoleSessionName: SESSION_NAME, DurationSeconds: 900 },
    ]);
  });

  it('does not fail a target whose lookup role cannot be assumed, as bootstrapped without lookup trust', async () => {
    // GIVEN lookup roles that trust no other account
    sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
      if (input.RoleArn?.includes('-lookup-role-')) throw accessDenied(input.RoleArn);
      return assumedCredentials(input);
    });
    // WHEN the preflight runs with the default roles
    const { exitCode, lines } = await run();
    // THEN every check passes and no lookup row is printed
    expect(exitCode).toBe(0);
    expect(lines.some((line) => line.includes(' lookup '))).toBe(false);
    expect(lines).toContain('3 of 3 checks OK');
  });

  it('confirms the account of each assumed deploy role through stsFor', async () => {
    // GIVEN the three targets
    // WHEN the preflight runs
    await run();
    // THEN stsFor gets the deploy role credentials of each target, in its region
    expect(stsFor.mock.calls.map(([credentials, region]) => [credentials.accessKeyId, region])).toEqual([
      [`ASIA-${PIPELINE}`, REGION],
      [`ASIA-${PROVIDER}`, REGION],
      [`ASIA-${CONSUMER}`, REGION],
    ]);
    expect(stsFor.mock.calls[0]?.[0]).toEqual({
      accessKeyId: `ASIA-${PIPELINE}`,
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date('2024-05-01T12:15:00Z'),
    });
  });

  it('fails a deploy role whose assumed credentials belong to another account', async () => {
    // GIVEN a deploy role that lands in the wrong account
    assumedAccountOf = () => '999999999999';
    // WHEN the preflight runs for one target
    const { exitCode, lines } = await run({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
    // THEN the deploy row is ✗ with the account found
    expect(exitCode).toBe(1);
    expect(lines).toContain(
      '210000000001  us-east-2  qa provider  deploy  ✗   assumed role belongs to account 999999999999, not 210000000001',
    );
    expect(lines).toContain('0 of 1 checks OK');
  });

  it('skips the account confirmation when told to', async () => {
    const { exitCode } = await run({ verifyAssumedAccount: false });
    expect(exitCode).toBe(0);
    expect(stsFor).not.toHaveBeenCalled();
  });

  it('marks a role that cannot be assumed ✗ and prints the exact bootstrap command', async () => {
    // GIVEN a consumer account that was bootstrapped without --trust (AccessDenied on its deploy role)
    const roleArn = bootstrapRoleArn('deploy', CONSUMER, REGION);
    sts.on(AssumeRoleCommand, { RoleArn: roleArn }).rejects(accessDenied(roleArn));
    // WHEN the preflight runs
    const { exitCode, lines, text } = await run();
    // THEN its row is ✗ with the reason, the fix command is printed, and the exit code is 1
    expect(exitCode).toBe(1);
    expect(lines).toContain(
      '210000000002  us-east-2  qa consumer alpha  deploy  ✗   not trusted by 210000000009 or missing (bootstrap with --trust)',
    );
    expect(lines.slice(-7)).toEqual([
      '',
      '# fix: bootstrap each account/region marked ✗, with credentials for that account:',
      '# qa consumer alpha (210000000002/us-east-2)',
      'AWS_PROFILE=<profile of 210000000002> npm run bootstrap -- --account 210000000002',
      '',
      '2 of 3 checks OK',
      '',
    ]);
    // AND only the failing target gets a command, which never trusts anyone for lookups
    expect(text.match(/npm run bootstrap/g)).toHaveLength(1);
    expect(text).not.toContain('--trust-for-lookup');
  });

  it('says so when AWS reports that an explicitly requested role does not exist or an SCP denies it', async () => {
    // GIVEN a missing lookup role and an SCP-denied deploy role, both requested
    sts
      .on(AssumeRoleCommand, { RoleArn: bootstrapRoleArn('lookup', PROVIDER, REGION) })
      .rejects(stsError('AccessDenied', 'The role cdk-hnb659fds-lookup-role-210000000001-us-east-2 does not exist'));
    sts
      .on(AssumeRoleCommand, { RoleArn: bootstrapRoleArn('deploy', PROVIDER, REGION) })
      .rejects(
        stsError(
          'AccessDenied',
          `${accessDenied(bootstrapRoleArn('deploy', PROVIDER, REGION)).message} with an explicit deny in a service control policy`,
        ),
      );
    // WHEN the preflight runs for that target, asked for both roles
    const { exitCode, lines } = await run({
      targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
      roles: ['deploy', 'lookup'],
    });
    // THEN each row names its cause
    expect(exitCode).toBe(1);
    expect(lines).toContain(
      '210000000001  us-east-2  qa provider  deploy  ✗   denied by a service control policy of the organization (explicit deny in an SCP)',
    );
    expect(lines).toContain('210000000001  us-east-2  qa provider  lookup  ✗   role does not exist (bootstrap with --trust)');
  });

  it('reports any other error with its name and message on one line', async () => {
    sts
      .on(AssumeRoleCommand, { RoleArn: bootstrapRoleArn('deploy', PROVIDER, REGION) })
      .rejects(
        stsError(
          'RegionDisabledException',
          'STS is not activated in this region for account:210000000001.\nYour account administrator can activate STS in this region',
        ),
      );
    const { exitCode, lines, text } = await run({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
    expect(exitCode).toBe(1);
    expect(lines).toContain(
      '210000000001  us-east-2  qa provider  deploy  ✗   RegionDisabledException: STS is not activated in this region for account:210000000001. ' +
        'Your account administrator can activate STS in this region',
    );
    expect(text).not.toContain('    at ');
  });

  it('explains missing credentials in one line, with exit code 2 and no table', async () => {
    // GIVEN no credentials anywhere (the SDK's default chain gives up)
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    // WHEN the preflight runs
    const { exitCode, text } = await run();
    // THEN one line explains how to provide credentials
    expect(exitCode).toBe(2);
    expect(text).toBe(`${MISSING_CREDENTIALS_LINE}\n`);
    expect(text).toContain('AWS_PROFILE');
    expect(text).toContain('aws sso login');
    expect(text).toContain('AWS_ACCESS_KEY_ID');
    expect(text).not.toContain('    at ');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it.each([
    ['ExpiredToken', stsError('ExpiredToken', 'The security token included in the request is expired')],
    ['ExpiredTokenException', new ExpiredTokenException({ $metadata: {}, message: 'Token expired' })],
    ['RequestExpired', stsError('RequestExpired', 'Request has expired.')],
  ])('explains expired credentials (%s) in one line, with exit code 2', async (_name, error) => {
    // GIVEN credentials that have expired
    sts.on(GetCallerIdentityCommand).rejects(error);
    // WHEN the preflight runs
    const { exitCode, text } = await run();
    // THEN one line says to refresh them
    expect(exitCode).toBe(2);
    expect(text).toBe(`${EXPIRED_CREDENTIALS_LINE}\n`);
    expect(text.startsWith('credentials expired: refresh them (aws sso login')).toBe(true);
  });

  it('stops with exit code 2 when the credentials expire during the checks', async () => {
    // GIVEN credentials that expire after the caller was identified
    sts.on(AssumeRoleCommand).rejects(stsError('ExpiredToken', 'The security token included in the request is expired'));
    // WHEN the preflight runs
    const { exitCode, lines } = await run();
    // THEN it prints the caller, then the expiry line, and no table of misleading ✗ rows
    expect(exitCode).toBe(2);
    expect(lines).toContain(EXPIRED_CREDENTIALS_LINE);
    expect(lines.some((line) => line.startsWith('account '))).toBe(false);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('explains other failures to identify the caller in one line, with exit code 2', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(stsError('InvalidClientTokenId', 'The security token included in the request is invalid.'));
    const { exitCode, text } = await run();
    expect(exitCode).toBe(2);
    expect(text).toBe(
      'credentials rejected by AWS (InvalidClientTokenId: The security token included in the request is invalid.): ' +
        'check AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN\n',
    );
  });

  it('retries throttled calls with a growing, bounded delay and passes when STS recovers', async () => {
    // GIVEN STS throttling the deploy role twice, then answering
    const deployArn = bootstrapRoleArn('deploy', PROVIDER, REGION);
    sts
      .on(AssumeRoleCommand, { RoleArn: deployArn })
      .rejectsOnce(stsError('Throttling', 'Rate exceeded'))
      .rejectsOnce(stsError('ThrottlingException', 'Rate exceeded'))
      .callsFake(assumedCredentials);
    const delays: number[] = [];
    // WHEN the preflight runs
    const { exitCode, lines } = await run({
      targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    // THEN the role is ✓ after three tries
    expect(exitCode).toBe(0);
    expect(lines).toContain('210000000001  us-east-2  qa provider  deploy  ✓');
    expect(sts.commandCalls(AssumeRoleCommand, { RoleArn: deployArn })).toHaveLength(3);
    expect(delays).toEqual([1000, 2000]);
  });

  it('marks an explicitly requested role ✗ when the throttling persists', async () => {
    // GIVEN STS throttling the lookup role on every try
    const lookupArn = bootstrapRoleArn('lookup', PROVIDER, REGION);
    sts.on(AssumeRoleCommand, { RoleArn: lookupArn }).rejects(stsError('TooManyRequestsException', 'Rate exceeded'));
    // WHEN the preflight runs for the deploy and lookup roles with the default three tries
    const { exitCode, lines } = await run({
      targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
      roles: ['deploy', 'lookup'],
    });
    // THEN it gives up after three tries with the reason
    expect(exitCode).toBe(1);
    expect(sts.commandCalls(AssumeRoleCommand, { RoleArn: lookupArn })).toHaveLength(3);
    expect(lines).toContain('210000000001  us-east-2  qa provider  deploy  ✓');
    expect(lines).toContain('210000000001  us-east-2  qa provider  lookup  ✗   throttled by STS, try again');
    expect(lines).toContain('1 of 2 checks OK');
  });

  it('honours a custom number of tries', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling', 'Rate exceeded'));
    const { exitCode } = await run({
      targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
      retry: { attempts: 5, baseDelayMs: 0 },
    });
    expect(exitCode).toBe(1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(5);
  });

  it('checks targets sharing account and region once, with their labels merged', async () => {
    // GIVEN the provider and a consumer deployed into the same account/region
    const targets = [
      { account: PROVIDER, region: REGION, label: 'qa provider' },
      { account: PROVIDER, region: REGION, label: 'qa consumer alpha' },
    ];
    // WHEN the preflight runs
    const { lines } = await run({ targets });
    // THEN the account/region is checked once and listed under both labels
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(lines).toContain('210000000001  us-east-2  qa provider, qa consumer alpha  deploy  ✓');
    expect(lines).toContain('1 of 1 checks OK');
  });

  it('warns in one line when the credentials are not from the pipeline account', async () => {
    // GIVEN credentials of the provider account
    callerAccount = PROVIDER;
    const deployArn = bootstrapRoleArn('deploy', CONSUMER, REGION);
    sts.on(AssumeRoleCommand, { RoleArn: deployArn }).rejects(accessDenied(deployArn, PROVIDER));
    // WHEN the preflight runs
    const { lines } = await run();
    // THEN one warning line names both accounts, and reasons name the caller account
    expect(lines.filter((line) => line.startsWith('warning:'))).toEqual([
      `warning: these credentials belong to ${PROVIDER}, not the pipeline account ${PIPELINE}; ` +
        `a ✓ proves that ${PROVIDER} is trusted, not the pipeline: run the preflight with pipeline-account credentials`,
    ]);
    expect(lines).toContain(
      '210000000002  us-east-2  qa consumer alpha  deploy  ✗   not trusted by 210000000001 or missing (bootstrap with --trust)',
    );
    // AND the fix is the bootstrap tool, run with the failing account's credentials (it trusts the configured pipeline account)
    expect(lines).toContain('AWS_PROFILE=<profile of 210000000002> npm run bootstrap -- --account 210000000002');
  });

  it('does not warn when the credentials are from the pipeline account', async () => {
    const { lines } = await run();
    expect(lines.some((line) => line.startsWith('warning:'))).toBe(false);
  });

  it('uses a non-default qualifier in the role ARNs and the fix command', async () => {
    // GIVEN a qualifier and a target whose roles are missing
    sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
      throw accessDenied(input.RoleArn ?? '');
    });
    // WHEN the preflight runs
    const { lines } = await run({ qualifier: 'myteam01', targets: [{ account: PROVIDER, region: REGION, label: 'live provider' }] });
    // THEN the qualifier is in the ARNs, the summary and the command
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([
      'arn:aws:iam::210000000001:role/cdk-myteam01-deploy-role-210000000001-us-east-2',
    ]);
    expect(lines).toContain('checking 1 bootstrap roles (qualifier myteam01) in 1 account/region pair(s)');
    expect(lines).toContain('AWS_PROFILE=<profile of 210000000001> npm run bootstrap -- --account 210000000001 --qualifier myteam01');
  });

  it('uses the China and GovCloud partitions in the role ARNs', async () => {
    // GIVEN targets in China and GovCloud regions
    const targets = [
      { account: PROVIDER, region: 'cn-north-1', label: 'china provider' },
      { account: CONSUMER, region: 'us-gov-west-1', label: 'gov consumer' },
    ];
    // WHEN the preflight runs
    const { exitCode } = await run({ targets });
    // THEN each role ARN carries its partition
    expect(exitCode).toBe(0);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([
      'arn:aws-cn:iam::210000000001:role/cdk-hnb659fds-deploy-role-210000000001-cn-north-1',
      'arn:aws-us-gov:iam::210000000002:role/cdk-hnb659fds-deploy-role-210000000002-us-gov-west-1',
    ]);
    expect(stsFor.mock.calls.map(([, region]) => region)).toEqual(['cn-north-1', 'us-gov-west-1']);
  });

  it('checks the roles it is given, e.g. the publishing roles as well', async () => {
    const { lines } = await run({
      targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
      roles: ['deploy', 'lookup', 'file-publishing', 'image-publishing'],
    });
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([
      bootstrapRoleArn('deploy', PROVIDER, REGION),
      bootstrapRoleArn('lookup', PROVIDER, REGION),
      bootstrapRoleArn('file-publishing', PROVIDER, REGION),
      bootstrapRoleArn('image-publishing', PROVIDER, REGION),
    ]);
    expect(lines).toContain('210000000001  us-east-2  qa provider  lookup            ✓');
    expect(lines).toContain('210000000001  us-east-2  qa provider  image-publishing  ✓');
    expect(lines).toContain('4 of 4 checks OK');
  });

  it('rejects an invalid target account in one line, with exit code 2, before calling AWS', async () => {
    const { exitCode, text } = await run({ targets: [{ account: '12345', region: REGION, label: 'qa provider' }] });
    expect(exitCode).toBe(2);
    expect(text).toBe('preflight: target "qa provider" must have a 12-digit AWS account id (got "12345")\n');
    expect(sts.calls()).toHaveLength(0);
  });

  it('turns an unexpected failure into one line with exit code 2 instead of a stack trace', async () => {
    // GIVEN a bootstrap expectation callback that throws
    // WHEN the preflight runs
    const { exitCode, text } = await run({
      bootstrapExpectation: () => {
        throw new TypeError('no permissions boundary configured');
      },
      targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
    });
    // THEN the run ends with one explanatory line after the caller's, and no table
    expect(exitCode).toBe(2);
    expect(text).toBe(
      `credentials: account ${PIPELINE} (arn:aws:sts::${PIPELINE}:assumed-role/Admin/me)\n` +
        'checking 1 bootstrap roles (qualifier hnb659fds) in 1 account/region pair(s)\n' +
        'preflight failed: TypeError: no permissions boundary configured\n',
    );
  });
  describe('with a bootstrap expectation', () => {
    /** What the fixture service (`fixture-api`) bootstraps its accounts with. */
    const EXPECTATION: BootstrapExpectation = {
      boundaryName: 'fixture-api-permissions-boundary',
      executionPolicyName: /^fixture-api-cdk-exec-(pipeline|provider|consumer)(-\d+)?$/,
    };
    const LOOKUP_ASSUMABLE =
      'the lookup role can be assumed from here (synth never looks anything up: re-bootstrap without lookup trust)';

    let cloudFormation: AwsClientStub<CloudFormationClient>;
    let cloudFormationFor: ReturnType<typeof vi.fn<(credentials: AwsCredentialIdentity, region: string) => CloudFormationClient>>;
    let bootstrapExpectation: ReturnType<typeof vi.fn<(account: string) => BootstrapExpectation>>;
    /** Changes to the bootstrap stack parameters of an account (`undefined` drops one); none by default. */
    let stackChanges: Record<string, Record<string, string | undefined>>;
    /** DescribeStacks of `CDKToolkit`, answered for the account of the client's (assumed) credentials. */
    let describeToolkit: (input: DescribeStacksCommandInput, getClient: () => unknown) => DescribeStacksCommandOutput;

    /** The parameters of an account's bootstrap stack as `npm run bootstrap` leaves them, as DescribeStacks returns them. */
    function stackParameters(account: string): StackParameter[] {
      const kind = account === PIPELINE ? 'pipeline' : account === PROVIDER ? 'provider' : 'consumer';
      const values: Record<string, string | undefined> = {
        CloudFormationExecutionPolicies: `arn:aws:iam::${account}:policy/fixture-api-cdk-exec-${kind}`,
        InputPermissionsBoundary: 'fixture-api-permissions-boundary',
        Qualifier: 'hnb659fds',
        TrustedAccounts: account === PIPELINE ? '' : PIPELINE,
        TrustedAccountsForLookup: '',
        ...stackChanges[account],
      };
      return Object.entries(values)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    }

    function cfnError(name: string, message: string): CloudFormationServiceException {
      return new CloudFormationServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
    }

    beforeEach(() => {
      stackChanges = {};
      // Clients handed out by cloudFormationFor, with the account of the credentials they were made for.
      const clientAccounts = new Map<unknown, string>();
      cloudFormationFor = vi.fn((credentials: AwsCredentialIdentity, region: string) => {
        const client = new CloudFormationClient({ region, credentials });
        clientAccounts.set(client, credentials.accessKeyId.replace('ASIA-', ''));
        return client;
      });
      bootstrapExpectation = vi.fn(() => EXPECTATION);
      describeToolkit = (input, getClient) => ({
        $metadata: {},
        Stacks: [
          {
            StackName: input.StackName,
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: NOW,
            Parameters: stackParameters(clientAccounts.get(getClient()) ?? 'unknown'),
          },
        ],
      });
      cloudFormation = mockClient(CloudFormationClient);
      cloudFormation.on(DescribeStacksCommand).callsFake(describeToolkit);
      // Bootstrapped without lookup trust: every lookup role refuses the caller.
      sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
        if (input.RoleArn?.includes('-lookup-role-') === true) throw accessDenied(input.RoleArn);
        return assumedCredentials(input);
      });
    });

    afterEach(() => {
      cloudFormation.restore();
    });

    function runChecked(overrides: Partial<PreflightOptions> = {}): Promise<Run> {
      return run({ bootstrapExpectation, cloudFormationFor, ...overrides });
    }

    const lookupCalls = (account: string): number =>
      sts.commandCalls(AssumeRoleCommand, { RoleArn: bootstrapRoleArn('lookup', account, REGION) }).length;

    it('adds a ✓ bootstrap row for each correctly bootstrapped account', async () => {
      // GIVEN three accounts bootstrapped by the bootstrap tool
      // WHEN the preflight runs with the expectation
      const { exitCode, lines } = await runChecked();
      // THEN each deploy row is followed by a ✓ bootstrap row, and every check counts in the summary
      expect(exitCode).toBe(0);
      expect(lines).toEqual([
        `credentials: account ${PIPELINE} (arn:aws:sts::${PIPELINE}:assumed-role/Admin/me)`,
        'checking 3 bootstrap roles (qualifier hnb659fds) in 3 account/region pair(s)',
        '',
        'account       region     target             role       ok  reason',
        '210000000009  us-east-2  pipeline           deploy     ✓',
        '210000000009  us-east-2  pipeline           bootstrap  ✓',
        '210000000001  us-east-2  qa provider        deploy     ✓',
        '210000000001  us-east-2  qa provider        bootstrap  ✓',
        '210000000002  us-east-2  qa consumer alpha  deploy     ✓',
        '210000000002  us-east-2  qa consumer alpha  bootstrap  ✓',
        '',
        '6 of 6 checks OK',
        '',
      ]);
      // AND the CDKToolkit stack of each account was read, with the expectation of that account
      expect(cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input)).toEqual([
        { StackName: 'CDKToolkit' },
        { StackName: 'CDKToolkit' },
        { StackName: 'CDKToolkit' },
      ]);
      expect(bootstrapExpectation.mock.calls).toEqual([[PIPELINE], [PROVIDER], [CONSUMER]]);
      // AND the lookup roles of the other accounts were tried (and refused)
      expect([lookupCalls(PROVIDER), lookupCalls(CONSUMER)]).toEqual([1, 1]);
    });

    it("does not hold against the pipeline account that its own lookup role is within its reach", async () => {
      // GIVEN the pipeline account's lookup role, which every bootstrap template lets its own account assume
      sts.on(AssumeRoleCommand, { RoleArn: bootstrapRoleArn('lookup', PIPELINE, REGION) }).callsFake(assumedCredentials);
      // WHEN the preflight runs with pipeline-account credentials
      const { exitCode, lines } = await runChecked({ targets: [{ account: PIPELINE, region: REGION, label: 'pipeline' }] });
      // THEN its bootstrap row is ✓: own-account trust says nothing about other accounts, so it is not tried
      expect(exitCode).toBe(0);
      expect(lines).toContain('210000000009  us-east-2  pipeline  bootstrap  ✓');
      expect(lookupCalls(PIPELINE)).toBe(0);
    });

    it('fails an account bootstrapped with AdministratorAccess and no boundary, naming both, with exit code 1', async () => {
      // GIVEN a consumer account bootstrapped by hand with AdministratorAccess and no permissions boundary
      stackChanges[CONSUMER] = {
        CloudFormationExecutionPolicies: 'arn:aws:iam::aws:policy/AdministratorAccess',
        InputPermissionsBoundary: '',
      };
      // WHEN the preflight runs
      const { exitCode, lines } = await runChecked();
      // THEN its deploy row is ✓ but its bootstrap row is ✗ with both findings, and the fix is the bootstrap tool
      expect(exitCode).toBe(1);
      expect(lines).toContain('210000000002  us-east-2  qa consumer alpha  deploy     ✓');
      expect(lines).toContain(
        '210000000002  us-east-2  qa consumer alpha  bootstrap  ✗   ' +
          'execution policy arn:aws:iam::aws:policy/AdministratorAccess is wider than the generated least-privilege policies; ' +
          'no permissions boundary (expected fixture-api-permissions-boundary)',
      );
      expect(lines.slice(-7)).toEqual([
        '',
        '# fix: bootstrap each account/region marked ✗, with credentials for that account:',
        '# qa consumer alpha (210000000002/us-east-2)',
        'AWS_PROFILE=<profile of 210000000002> npm run bootstrap -- --account 210000000002',
        '',
        '5 of 6 checks OK',
        '',
      ]);
    });

    it('fails an account whose lookup role can still be assumed, naming it', async () => {
      // GIVEN a provider bootstrapped with the stock template and --trust, which makes the trusted account a
      // lookup principal too, though TrustedAccountsForLookup stays empty
      sts.on(AssumeRoleCommand, { RoleArn: bootstrapRoleArn('lookup', PROVIDER, REGION) }).callsFake(assumedCredentials);
      // WHEN the preflight runs
      const { exitCode, lines } = await runChecked({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
      // THEN the bootstrap row is ✗ naming the lookup role
      expect(exitCode).toBe(1);
      expect(lines).toContain(`210000000001  us-east-2  qa provider  bootstrap  ✗   ${LOOKUP_ASSUMABLE}`);
      expect(lines).toContain('AWS_PROFILE=<profile of 210000000001> npm run bootstrap -- --account 210000000001');
      expect(lines).toContain('1 of 2 checks OK');
      expect(lookupCalls(PROVIDER)).toBe(1);
    });

    it('reports lookup trust in the stack and an assumable lookup role together', async () => {
      // GIVEN a provider bootstrapped with --trust-for-lookup of the pipeline account
      stackChanges[PROVIDER] = { TrustedAccountsForLookup: PIPELINE };
      sts.on(AssumeRoleCommand, { RoleArn: bootstrapRoleArn('lookup', PROVIDER, REGION) }).callsFake(assumedCredentials);
      // WHEN the preflight runs
      const { exitCode, lines } = await runChecked({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
      // THEN both findings are on its bootstrap row
      expect(exitCode).toBe(1);
      expect(lines).toContain(
        `210000000001  us-east-2  qa provider  bootstrap  ✗   the lookup role trusts ${PIPELINE} (synth never looks anything up); ${LOOKUP_ASSUMABLE}`,
      );
    });

    it('says so when the lookup role cannot be checked because STS keeps throttling', async () => {
      // GIVEN STS throttling the provider's lookup role on every try
      const lookupArn = bootstrapRoleArn('lookup', PROVIDER, REGION);
      sts.on(AssumeRoleCommand, { RoleArn: lookupArn }).rejects(stsError('Throttling', 'Rate exceeded'));
      // WHEN the preflight runs
      const { exitCode, lines } = await runChecked({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
      // THEN it gives up after three tries and the bootstrap row is ✗, not a ✓ that proves nothing
      expect(exitCode).toBe(1);
      expect(lookupCalls(PROVIDER)).toBe(3);
      expect(lines).toContain(
        '210000000001  us-east-2  qa provider  bootstrap  ✗   could not check that the lookup role is out of reach: throttled by STS, try again',
      );
    });

    it('fails the bootstrap row with the reason when DescribeStacks is denied', async () => {
      // GIVEN an SCP that denies reading the provider's bootstrap stack
      const message =
        `User: arn:aws:sts::${PROVIDER}:assumed-role/cdk-hnb659fds-deploy-role-${PROVIDER}-us-east-2/${SESSION_NAME} ` +
        'is not authorized to perform: cloudformation:DescribeStacks with an explicit deny in a service control policy';
      cloudFormation.on(DescribeStacksCommand).rejects(cfnError('AccessDenied', message));
      // WHEN the preflight runs
      const { exitCode, lines } = await runChecked({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
      // THEN the bootstrap row is ✗ with the error, after one try (AccessDenied is not retried)
      expect(exitCode).toBe(1);
      expect(lines).toContain(`210000000001  us-east-2  qa provider  bootstrap  ✗   could not read stack CDKToolkit: AccessDenied: ${message}`);
      expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
      expect(lines).toContain('1 of 2 checks OK');
    });

    it('retries a throttled DescribeStacks with the bounded backoff and passes when CloudFormation recovers', async () => {
      // GIVEN CloudFormation throttling twice, then answering
      cloudFormation
        .on(DescribeStacksCommand)
        .rejectsOnce(cfnError('Throttling', 'Rate exceeded'))
        .rejectsOnce(cfnError('Throttling', 'Rate exceeded'))
        .callsFake(describeToolkit);
      const delays: number[] = [];
      // WHEN the preflight runs
      const { exitCode, lines } = await runChecked({
        targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
        sleep: (ms) => {
          delays.push(ms);
          return Promise.resolve();
        },
      });
      // THEN the bootstrap row is ✓ after three tries
      expect(exitCode).toBe(0);
      expect(lines).toContain('210000000001  us-east-2  qa provider  bootstrap  ✓');
      expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(3);
      expect(delays).toEqual([1000, 2000]);
    });

    it('fails the bootstrap row when the throttling persists, after the configured tries', async () => {
      // GIVEN CloudFormation throttling on every try
      cloudFormation.on(DescribeStacksCommand).rejects(cfnError('Throttling', 'Rate exceeded'));
      // WHEN the preflight runs with four tries
      const { exitCode, lines } = await runChecked({
        targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
        retry: { attempts: 4 },
      });
      // THEN it gives up after four tries, saying who throttled
      expect(exitCode).toBe(1);
      expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(4);
      expect(lines).toContain(
        '210000000001  us-east-2  qa provider  bootstrap  ✗   could not read stack CDKToolkit: throttled by CloudFormation, try again',
      );
    });

    it('names a missing bootstrap stack, under the toolkit stack name it is given', async () => {
      // GIVEN no stack of that name (CloudFormation answers ValidationError)
      cloudFormation
        .on(DescribeStacksCommand)
        .rejects(cfnError('ValidationError', 'Stack with id CDKToolkit-fixture does not exist'));
      // WHEN the preflight runs with a custom toolkit stack name
      const { exitCode, lines } = await runChecked({
        targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
        toolkitStackName: 'CDKToolkit-fixture',
      });
      // THEN that stack was asked for and the row says it does not exist
      expect(exitCode).toBe(1);
      expect(cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input)).toEqual([
        { StackName: 'CDKToolkit-fixture' },
      ]);
      expect(lines).toContain(
        '210000000001  us-east-2  qa provider  bootstrap  ✗   could not read stack CDKToolkit-fixture: ValidationError: Stack with id CDKToolkit-fixture does not exist',
      );
    });

    it('says the stack was not found when DescribeStacks returns no stack', async () => {
      cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [] });
      const { exitCode, lines } = await runChecked({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
      expect(exitCode).toBe(1);
      expect(lines).toContain('210000000001  us-east-2  qa provider  bootstrap  ✗   stack CDKToolkit not found');
    });

    it('stops with exit code 2 and the credentials line when they expire during DescribeStacks', async () => {
      // GIVEN credentials that expire while the first bootstrap stack is read
      cloudFormation
        .on(DescribeStacksCommand)
        .rejects(cfnError('ExpiredToken', 'The security token included in the request is expired'));
      // WHEN the preflight runs
      const { exitCode, lines } = await runChecked();
      // THEN it prints the caller, then the expiry line, and no table of misleading ✗ rows
      expect(exitCode).toBe(2);
      expect(lines).toEqual([
        `credentials: account ${PIPELINE} (arn:aws:sts::${PIPELINE}:assumed-role/Admin/me)`,
        'checking 3 bootstrap roles (qualifier hnb659fds) in 3 account/region pair(s)',
        EXPIRED_CREDENTIALS_LINE,
        '',
      ]);
      expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    });

    it('stops with exit code 2 when the credentials expire while trying the lookup role', async () => {
      sts
        .on(AssumeRoleCommand, { RoleArn: bootstrapRoleArn('lookup', PROVIDER, REGION) })
        .rejects(stsError('ExpiredToken', 'The security token included in the request is expired'));
      const { exitCode, lines } = await runChecked();
      expect(exitCode).toBe(2);
      expect(lines.at(-2)).toBe(EXPIRED_CREDENTIALS_LINE);
      expect(lines.some((line) => line.startsWith('account '))).toBe(false);
    });

    it("reads each stack with a CloudFormation client made with the deploy role's credentials in the target's region", async () => {
      // GIVEN targets in two regions
      const targets = [
        { account: PROVIDER, region: 'us-west-2', label: 'qa provider' },
        { account: CONSUMER, region: REGION, label: 'qa consumer alpha' },
      ];
      // WHEN the preflight runs
      const { exitCode } = await runChecked({ targets });
      // THEN cloudFormationFor gets each deploy role's credentials (not the caller's) and the target's region
      expect(exitCode).toBe(0);
      const expiration = new Date('2024-05-01T12:15:00Z');
      expect(cloudFormationFor.mock.calls).toEqual([
        [{ accessKeyId: `ASIA-${PROVIDER}`, secretAccessKey: 'secret', sessionToken: 'token', expiration }, 'us-west-2'],
        [{ accessKeyId: `ASIA-${CONSUMER}`, secretAccessKey: 'secret', sessionToken: 'token', expiration }, REGION],
      ]);
      // AND DescribeStacks is sent through those clients
      const clients = cloudFormationFor.mock.results.map((result) => result.value as CloudFormationClient);
      expect(cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.thisValue)).toEqual(clients);
      expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]?.thisValue).toBe(clients[0]);
    });

    it('reads no stack of a target whose deploy role cannot be assumed', async () => {
      // GIVEN a consumer that does not trust the pipeline account
      const deployArn = bootstrapRoleArn('deploy', CONSUMER, REGION);
      sts.on(AssumeRoleCommand, { RoleArn: deployArn }).rejects(accessDenied(deployArn));
      // WHEN the preflight runs
      const { exitCode, lines } = await runChecked();
      // THEN the consumer has its ✗ deploy row and no bootstrap row
      expect(exitCode).toBe(1);
      expect(lines).toContain(
        '210000000002  us-east-2  qa consumer alpha  deploy     ✗   not trusted by 210000000009 or missing (bootstrap with --trust)',
      );
      expect(lines.some((line) => line.startsWith('210000000002') && line.includes(' bootstrap '))).toBe(false);
      expect(cloudFormationFor.mock.calls.map(([credentials]) => credentials.accessKeyId)).toEqual([`ASIA-${PIPELINE}`, `ASIA-${PROVIDER}`]);
      expect(lines).toContain('4 of 5 checks OK');
    });

    it("uses its own CloudFormation client with the deploy role's credentials in the target's region by default", async () => {
      // GIVEN no cloudFormationFor, and a provider bootstrapped by the bootstrap tool
      cloudFormation.on(DescribeStacksCommand).resolves({
        Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', CreationTime: NOW, Parameters: stackParameters(PROVIDER) }],
      });
      // WHEN the preflight runs for it in another region
      const { exitCode, lines } = await run({
        bootstrapExpectation,
        targets: [{ account: PROVIDER, region: 'us-west-2', label: 'qa provider' }],
      });
      // THEN the stack is read by a client made for that region with the deploy role's credentials
      expect(exitCode).toBe(0);
      expect(lines).toContain('210000000001  us-west-2  qa provider  bootstrap  ✓');
      const calls = cloudFormation.commandCalls(DescribeStacksCommand);
      expect(calls).toHaveLength(1);
      const client = calls[0]?.thisValue as CloudFormationClient;
      expect(await client.config.region()).toBe('us-west-2');
      expect(await client.config.credentials()).toMatchObject({ accessKeyId: `ASIA-${PROVIDER}`, secretAccessKey: 'secret', sessionToken: 'token' });
    });
  });
});

describe('runPreflight with the real SDK credential chain', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('explains missing credentials when the default chain finds none', async () => {
    // GIVEN an environment with no credentials, no config files and no instance metadata
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', undefined);
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', undefined);
    const output: string[] = [];
    // WHEN the preflight runs with an unmocked client
    const exitCode = await runPreflight({
      pipelineAccount: PIPELINE,
      pipelineRegion: REGION,
      targets: TARGETS,
      sts: new STSClient({ region: REGION, maxAttempts: 1 }),
      write: (line) => output.push(line),
    });
    // THEN the one-line explanation is printed, with exit code 2
    expect(exitCode).toBe(2);
    expect(output).toEqual([`${MISSING_CREDENTIALS_LINE}\n`]);
  });
});
