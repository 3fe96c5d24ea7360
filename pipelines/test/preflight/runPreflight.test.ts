import {
  AssumeRoleCommand,
  ExpiredTokenException,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
  type AssumeRoleCommandInput,
} from '@aws-sdk/client-sts';
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

const executionPolicyArn = (account: string): string => `arn:aws:iam::${account}:policy/cdk-execution`;

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
      executionPolicyArn,
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

  it('passes when every role can be assumed, printing the caller, the table and the summary', async () => {
    // GIVEN pipeline-account credentials and bootstrapped targets
    // WHEN the preflight runs
    const { exitCode, lines } = await run();
    // THEN every role is ✓ and the exit code is 0
    expect(exitCode).toBe(0);
    expect(lines).toEqual([
      `credentials: account ${PIPELINE} (arn:aws:sts::${PIPELINE}:assumed-role/Admin/me)`,
      'checking 6 bootstrap roles (qualifier hnb659fds) in 3 account/region pair(s)',
      '',
      'account       region     target             role    ok  reason',
      '210000000009  us-east-2  pipeline           deploy  ✓',
      '210000000009  us-east-2  pipeline           lookup  ✓',
      '210000000001  us-east-2  qa provider        deploy  ✓',
      '210000000001  us-east-2  qa provider        lookup  ✓',
      '210000000002  us-east-2  qa consumer alpha  deploy  ✓',
      '210000000002  us-east-2  qa consumer alpha  lookup  ✓',
      '',
      '6 of 6 roles OK',
      '',
    ]);
  });

  it('assumes the deploy and lookup roles for 900 seconds under one preflight session name', async () => {
    // GIVEN one target
    // WHEN the preflight runs
    await run({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
    // THEN AssumeRole is called with the bootstrap role ARNs
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: bootstrapRoleArn('deploy', PROVIDER, REGION), RoleSessionName: SESSION_NAME, DurationSeconds: 900 },
      { RoleArn: bootstrapRoleArn('lookup', PROVIDER, REGION), RoleSessionName: SESSION_NAME, DurationSeconds: 900 },
    ]);
  });

  it('confirms the account of each assumed deploy role through stsFor', async () => {
    // GIVEN the three targets
    // WHEN the preflight runs
    await run();
    // THEN stsFor gets the deploy role credentials of each target, in its region (lookup roles are not re-checked)
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
    expect(lines).toContain('1 of 2 roles OK');
  });

  it('skips the account confirmation when told to', async () => {
    const { exitCode } = await run({ verifyAssumedAccount: false });
    expect(exitCode).toBe(0);
    expect(stsFor).not.toHaveBeenCalled();
  });

  it('marks a role that cannot be assumed ✗ and prints the exact bootstrap command', async () => {
    // GIVEN a consumer account that was bootstrapped without --trust (AccessDenied on both roles)
    for (const role of ['deploy', 'lookup'] as const) {
      const roleArn = bootstrapRoleArn(role, CONSUMER, REGION);
      sts.on(AssumeRoleCommand, { RoleArn: roleArn }).rejects(accessDenied(roleArn));
    }
    // WHEN the preflight runs
    const { exitCode, lines, text } = await run();
    // THEN its rows are ✗ with the reason, the fix command is printed, and the exit code is 1
    expect(exitCode).toBe(1);
    expect(lines).toContain(
      '210000000002  us-east-2  qa consumer alpha  deploy  ✗   not trusted by 210000000009 or missing (bootstrap with --trust)',
    );
    expect(lines).toContain(
      '210000000002  us-east-2  qa consumer alpha  lookup  ✗   not trusted by 210000000009 or missing (bootstrap with --trust)',
    );
    expect(lines).toContain('# qa consumer alpha (210000000002/us-east-2)');
    expect(lines).toContain(
      'npx cdk bootstrap aws://210000000002/us-east-2 --trust 210000000009 --trust-for-lookup 210000000009 ' +
        '--cloudformation-execution-policies arn:aws:iam::210000000002:policy/cdk-execution',
    );
    // AND only the failing target gets a command
    expect(text.match(/npx cdk bootstrap/g)).toHaveLength(1);
    expect(lines).toContain('4 of 6 roles OK');
  });

  it('says so when AWS reports that the role does not exist or an SCP denies it', async () => {
    // GIVEN a missing lookup role and an SCP-denied deploy role
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
    // WHEN the preflight runs for that target
    const { exitCode, lines } = await run({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
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

  it('marks a role ✗ when the throttling persists', async () => {
    // GIVEN STS throttling the lookup role on every try
    const lookupArn = bootstrapRoleArn('lookup', PROVIDER, REGION);
    sts.on(AssumeRoleCommand, { RoleArn: lookupArn }).rejects(stsError('TooManyRequestsException', 'Rate exceeded'));
    // WHEN the preflight runs with the default three tries
    const { exitCode, lines } = await run({ targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }] });
    // THEN it gives up after three tries with the reason
    expect(exitCode).toBe(1);
    expect(sts.commandCalls(AssumeRoleCommand, { RoleArn: lookupArn })).toHaveLength(3);
    expect(lines).toContain('210000000001  us-east-2  qa provider  lookup  ✗   throttled by STS, try again');
    expect(lines).toContain('1 of 2 roles OK');
  });

  it('honours a custom number of tries', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling', 'Rate exceeded'));
    const { exitCode } = await run({
      targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
      retry: { attempts: 5, baseDelayMs: 0 },
    });
    expect(exitCode).toBe(1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(10);
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
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(lines).toContain('210000000001  us-east-2  qa provider, qa consumer alpha  deploy  ✓');
    expect(lines).toContain('2 of 2 roles OK');
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
    // AND the fix still trusts the pipeline account
    expect(lines).toContain(
      'npx cdk bootstrap aws://210000000002/us-east-2 --trust 210000000009 --trust-for-lookup 210000000009 ' +
        '--cloudformation-execution-policies arn:aws:iam::210000000002:policy/cdk-execution',
    );
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
      'arn:aws:iam::210000000001:role/cdk-myteam01-lookup-role-210000000001-us-east-2',
    ]);
    expect(lines).toContain('checking 2 bootstrap roles (qualifier myteam01) in 1 account/region pair(s)');
    expect(lines).toContain(
      'npx cdk bootstrap aws://210000000001/us-east-2 --trust 210000000009 --trust-for-lookup 210000000009 ' +
        '--cloudformation-execution-policies arn:aws:iam::210000000001:policy/cdk-execution --qualifier myteam01',
    );
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
      'arn:aws-cn:iam::210000000001:role/cdk-hnb659fds-lookup-role-210000000001-cn-north-1',
      'arn:aws-us-gov:iam::210000000002:role/cdk-hnb659fds-deploy-role-210000000002-us-gov-west-1',
      'arn:aws-us-gov:iam::210000000002:role/cdk-hnb659fds-lookup-role-210000000002-us-gov-west-1',
    ]);
    expect(stsFor.mock.calls.map(([, region]) => region)).toEqual(['cn-north-1', 'us-gov-west-1']);
  });

  it('checks the roles it is given, e.g. the publishing roles as well', async () => {
    const { lines } = await run({
      targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
      roles: ['deploy', 'lookup', 'file-publishing', 'image-publishing'],
    });
    expect(lines).toContain('210000000001  us-east-2  qa provider  image-publishing  ✓');
    expect(lines).toContain('4 of 4 roles OK');
  });

  it('rejects an invalid target account in one line, with exit code 2, before calling AWS', async () => {
    const { exitCode, text } = await run({ targets: [{ account: '12345', region: REGION, label: 'qa provider' }] });
    expect(exitCode).toBe(2);
    expect(text).toBe('preflight: target "qa provider" must have a 12-digit AWS account id (got "12345")\n');
    expect(sts.calls()).toHaveLength(0);
  });

  it('turns an unexpected failure into one line with exit code 2 instead of a stack trace', async () => {
    // GIVEN a policy ARN callback that throws
    const { exitCode, text } = await run({
      executionPolicyArn: () => {
        throw new TypeError('no execution policy configured');
      },
      targets: [{ account: PROVIDER, region: REGION, label: 'qa provider' }],
      verifyAssumedAccount: false,
      sts: (() => {
        sts.on(AssumeRoleCommand).rejects(accessDenied('x'));
        return new STSClient({ region: REGION });
      })(),
    });
    // THEN the run ends with one explanatory line
    expect(exitCode).toBe(2);
    expect(text.trimEnd().split('\n').at(-1)).toBe('preflight failed: TypeError: no execution policy configured');
    expect(text).not.toContain('    at ');
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
      executionPolicyArn,
      sts: new STSClient({ region: REGION, maxAttempts: 1 }),
      write: (line) => output.push(line),
    });
    // THEN the one-line explanation is printed, with exit code 2
    expect(exitCode).toBe(2);
    expect(output).toEqual([`${MISSING_CREDENTIALS_LINE}\n`]);
  });
});
