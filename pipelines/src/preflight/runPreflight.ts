import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleCommandOutput,
  type GetCallerIdentityCommandOutput,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { bootstrapCommand } from './bootstrapCommand';
import { bootstrapStackFindings, type BootstrapExpectation } from './bootstrapStackFindings';
import { bootstrapRoleArn, DEFAULT_QUALIFIER, type BootstrapRoleKind } from './bootstrapRoleArn';
import { classifyAwsError, type ClassifiedAwsError } from './classifyAwsError';
import { dedupeTargets, type MergedTarget, type PreflightTarget } from './dedupeTargets';
import { formatTable, type PreflightRow } from './formatTable';

export type { PreflightTarget } from './dedupeTargets';

/** Static credentials, as an `STSClient` accepts them (`@smithy/types`' `AwsCredentialIdentity`). */
export type AwsCredentialIdentity = Exclude<NonNullable<STSClientConfig['credentials']>, (...args: never[]) => unknown>;

/** Retries of throttled STS calls, on top of the SDK's own retries. */
export interface PreflightRetryOptions {
  /** Tries per call, the first included (default 3). */
  readonly attempts?: number;
  /** Wait before the first retry; doubles on each further retry (default 1000 ms). */
  readonly baseDelayMs?: number;
  /** Upper bound of one wait (default 8000 ms). */
  readonly maxDelayMs?: number;
}

export interface PreflightOptions {
  readonly pipelineAccount: string;
  readonly pipelineRegion: string;
  /** Accounts/regions to check; targets sharing account and region are checked once, their labels merged. */
  readonly targets: readonly PreflightTarget[];
  /** Bootstrap qualifier (default `hnb659fds`). */
  readonly qualifier?: string;
  /** STS client with the caller's (current) credentials. */
  readonly sts: STSClient;
  /** STS client for assumed-role credentials (default: `new STSClient({ region, credentials })`). */
  readonly stsFor?: (credentials: AwsCredentialIdentity, region: string) => STSClient;
  /**
   * Output sink, called once per line. Each line ends with `\n`, so `(text) => process.stdout.write(text)`
   * works as is; tests can push into an array and `join('')`.
   */
  readonly write: (line: string) => void;
  /** Bootstrap roles to assume in every target (default `['deploy']`: nothing may assume the lookup role). */
  readonly roles?: readonly BootstrapRoleKind[];
  /**
   * What each account's bootstrap must look like. When given, every target whose deploy role
   * could be assumed gets two more checks, reported as a `bootstrap` row: its `CDKToolkit`
   * stack (read with the deploy role) has our boundary and generated execution policies, not a
   * wider one such as AdministratorAccess, and no lookup trust; and the lookup role can NOT be
   * assumed.
   */
  readonly bootstrapExpectation?: (account: string) => BootstrapExpectation;
  /** CloudFormation client for assumed-role credentials (default: `new CloudFormationClient({ region, credentials })`). */
  readonly cloudFormationFor?: (credentials: AwsCredentialIdentity, region: string) => CloudFormationClient;
  /** Name of the bootstrap stack (default `CDKToolkit`). */
  readonly toolkitStackName?: string;
  /** Confirm with GetCallerIdentity that an assumed deploy role is in the target account (default true). */
  readonly verifyAssumedAccount?: boolean;
  readonly retry?: PreflightRetryOptions;
  /** How to wait between retries (default `setTimeout`); tests pass one that resolves at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Clock for the role session name (default `() => new Date()`). */
  readonly now?: () => Date;
}

/** Exit codes of {@link runPreflight}. */
export const PREFLIGHT_EXIT = { ok: 0, failedChecks: 1, cannotRun: 2 } as const;

export const DEFAULT_ROLES: readonly BootstrapRoleKind[] = ['deploy'];
const SESSION_DURATION_SECONDS = 900;
const ACCOUNT_PATTERN = /^\d{12}$/;

export const MISSING_CREDENTIALS_LINE =
  'no AWS credentials found: set AWS_PROFILE=<profile> (run `aws sso login --profile <profile>` first for SSO), ' +
  'or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary credentials), then run the preflight again';
export const EXPIRED_CREDENTIALS_LINE =
  'credentials expired: refresh them (aws sso login --profile <profile>, ' +
  'or export fresh AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN) and run the preflight again';
export const THROTTLED_REASON = 'throttled by STS, try again';
const THROTTLED_BY_CLOUDFORMATION_REASON = 'throttled by CloudFormation, try again';

/** The one line printed when the caller's own credentials are unusable (exit code 2). */
export function credentialsProblemLine(error: ClassifiedAwsError): string {
  switch (error.kind) {
    case 'missing-credentials':
      return MISSING_CREDENTIALS_LINE;
    case 'expired-credentials':
      return EXPIRED_CREDENTIALS_LINE;
    case 'invalid-credentials':
      return (
        `credentials rejected by AWS (${error.name}: ${error.message}): ` +
        'check AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN'
      );
    case 'throttled':
      return `could not identify the caller: ${THROTTLED_REASON}`;
    default:
      return `could not identify the caller (sts:GetCallerIdentity): ${error.name}: ${error.message}`;
  }
}

/** The short ✗ reason of a failed AssumeRole. */
export function assumeRoleFailureReason(error: ClassifiedAwsError, callerAccount: string): string {
  if (error.kind === 'throttled') return THROTTLED_REASON;
  if (error.kind !== 'access-denied') return `${error.name}: ${error.message}`;
  switch (error.cause) {
    case 'missing-role':
      return 'role does not exist (bootstrap with --trust)';
    case 'service-control-policy':
      return 'denied by a service control policy of the organization (explicit deny in an SCP)';
    case 'resource-control-policy':
      return 'denied by a resource control policy of the organization (explicit deny in an RCP)';
    case 'identity-policy':
      return 'the caller may not call sts:AssumeRole on this role (its identity-based policy does not allow it)';
    case 'permissions-boundary':
      return "the caller's permissions boundary does not allow sts:AssumeRole on this role";
    case 'session-policy':
      return "the caller's session policy does not allow sts:AssumeRole on this role";
    default:
      return `not trusted by ${callerAccount} or missing (bootstrap with --trust)`;
  }
}

/** Raised inside the checks when the caller's own credentials stop working; ends the run with exit code 2. */
class CredentialsProblem extends Error {
  constructor(readonly classified: ClassifiedAwsError) {
    super(classified.message);
  }
}

const FATAL_KINDS = new Set(['missing-credentials', 'expired-credentials']);

type Settings = Required<
  Omit<PreflightOptions, 'stsFor' | 'retry' | 'qualifier' | 'bootstrapExpectation' | 'cloudFormationFor' | 'toolkitStackName'>
> & {
  readonly qualifier: string;
  readonly bootstrapExpectation: PreflightOptions['bootstrapExpectation'];
  readonly cloudFormationFor: PreflightOptions['cloudFormationFor'];
  readonly toolkitStackName: string;
  readonly stsFor: ((credentials: AwsCredentialIdentity, region: string) => STSClient) | undefined;
  readonly retry: Required<PreflightRetryOptions>;
};

function settingsOf(options: PreflightOptions): Settings {
  return {
    ...options,
    qualifier: options.qualifier ?? DEFAULT_QUALIFIER,
    roles: options.roles ?? DEFAULT_ROLES,
    verifyAssumedAccount: options.verifyAssumedAccount ?? true,
    stsFor: options.stsFor,
    bootstrapExpectation: options.bootstrapExpectation,
    cloudFormationFor: options.cloudFormationFor,
    toolkitStackName: options.toolkitStackName ?? 'CDKToolkit',
    retry: {
      attempts: Math.max(1, options.retry?.attempts ?? 3),
      baseDelayMs: Math.max(0, options.retry?.baseDelayMs ?? 1000),
      maxDelayMs: Math.max(0, options.retry?.maxDelayMs ?? 8000),
    },
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    now: options.now ?? (() => new Date()),
  };
}

/** Calls `send`, retrying throttling errors with a bounded exponential backoff. */
async function withRetry<T>(settings: Settings, send: () => Promise<T>): Promise<T> {
  const { attempts, baseDelayMs, maxDelayMs } = settings.retry;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= attempts || classifyAwsError(error).kind !== 'throttled') throw error;
      await settings.sleep(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}

function invalidInputLine(options: PreflightOptions): string | undefined {
  if (!ACCOUNT_PATTERN.test(options.pipelineAccount)) {
    return `preflight: the pipeline account must be a 12-digit AWS account id (got "${options.pipelineAccount}")`;
  }
  if (options.targets.length === 0) return 'preflight: no targets to check';
  for (const target of options.targets) {
    if (!ACCOUNT_PATTERN.test(target.account)) {
      return `preflight: target "${target.label}" must have a 12-digit AWS account id (got "${target.account}")`;
    }
    if (target.region.trim() === '') return `preflight: target "${target.label}" has no region`;
  }
  return undefined;
}

async function identifyCaller(settings: Settings): Promise<GetCallerIdentityCommandOutput> {
  return withRetry(settings, () => settings.sts.send(new GetCallerIdentityCommand({})));
}

function toIdentity(output: AssumeRoleCommandOutput): AwsCredentialIdentity | undefined {
  const credentials = output.Credentials;
  if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) return undefined;
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  };
}

/** Confirms that assumed credentials belong to the target account; returns the ✗ reason, if any. */
async function verifyAccount(
  settings: Settings,
  identity: AwsCredentialIdentity,
  target: MergedTarget,
): Promise<string | undefined> {
  const client = settings.stsFor?.(identity, target.region) ?? new STSClient({ region: target.region, credentials: identity });
  try {
    const assumed = await withRetry(settings, () => client.send(new GetCallerIdentityCommand({})));
    if (assumed.Account === target.account) return undefined;
    return `assumed role belongs to account ${assumed.Account ?? 'unknown'}, not ${target.account}`;
  } catch (error) {
    const classified = classifyAwsError(error);
    const reason = classified.kind === 'throttled' ? THROTTLED_REASON : `${classified.name}: ${classified.message}`;
    return `assumed, but GetCallerIdentity with its credentials failed: ${reason}`;
  } finally {
    if (settings.stsFor === undefined) client.destroy();
  }
}

async function checkRole(
  settings: Settings,
  target: MergedTarget,
  role: BootstrapRoleKind,
  callerAccount: string,
  sessionName: string,
): Promise<{ readonly row: PreflightRow; readonly identity?: AwsCredentialIdentity }> {
  const base = { account: target.account, region: target.region, labels: target.labels, role };
  const roleArn = bootstrapRoleArn(role, target.account, target.region, settings.qualifier);
  let output: AssumeRoleCommandOutput;
  try {
    output = await withRetry(settings, () =>
      settings.sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: SESSION_DURATION_SECONDS }),
      ),
    );
  } catch (error) {
    const classified = classifyAwsError(error);
    if (FATAL_KINDS.has(classified.kind)) throw new CredentialsProblem(classified);
    return { row: { ...base, ok: false, reason: assumeRoleFailureReason(classified, callerAccount) } };
  }
  const identity = toIdentity(output);
  if (identity === undefined) return { row: { ...base, ok: false, reason: 'AssumeRole returned no credentials' } };
  if (role === 'deploy' && settings.verifyAssumedAccount) {
    const reason = await verifyAccount(settings, identity, target);
    if (reason !== undefined) return { row: { ...base, ok: false, reason } };
  }
  return { row: { ...base, ok: true }, identity };
}

/**
 * The finding about the lookup role of a target, if any: that it can be assumed from here, or
 * that this could not be checked. Only a refusal (AccessDenied, as for a role that trusts no
 * other account or does not exist) means that it is out of reach; a throttled or otherwise
 * failed call proves nothing, so it is not taken for one.
 */
async function lookupRoleFinding(settings: Settings, target: MergedTarget, sessionName: string): Promise<string | undefined> {
  const roleArn = bootstrapRoleArn('lookup', target.account, target.region, settings.qualifier);
  try {
    await withRetry(settings, () =>
      settings.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: SESSION_DURATION_SECONDS })),
    );
  } catch (error) {
    const classified = classifyAwsError(error);
    if (FATAL_KINDS.has(classified.kind)) throw new CredentialsProblem(classified);
    if (classified.kind === 'access-denied') return undefined;
    const reason = classified.kind === 'throttled' ? THROTTLED_REASON : `${classified.name}: ${classified.message}`;
    return `could not check that the lookup role is out of reach: ${reason}`;
  }
  return 'the lookup role can be assumed from here (synth never looks anything up: re-bootstrap without lookup trust)';
}

/**
 * The `bootstrap` row of a target: its bootstrap stack, read with the deploy role, against what
 * the bootstrap tool sets up, and the lookup role out of reach. The lookup role of the caller's
 * own account is not tried: every bootstrap template (ours included) lets its own account assume
 * it, so from there it is always within reach and says nothing about other accounts' trust.
 */
async function checkBootstrap(
  settings: Settings,
  expectation: BootstrapExpectation,
  target: MergedTarget,
  identity: AwsCredentialIdentity,
  callerAccount: string,
  sessionName: string,
): Promise<PreflightRow> {
  const base = { account: target.account, region: target.region, labels: target.labels, role: 'bootstrap' as const };
  const client =
    settings.cloudFormationFor?.(identity, target.region) ?? new CloudFormationClient({ region: target.region, credentials: identity });
  const findings: string[] = [];
  try {
    const described = await withRetry(settings, () => client.send(new DescribeStacksCommand({ StackName: settings.toolkitStackName })));
    const parameters = described.Stacks?.[0]?.Parameters;
    if (parameters === undefined) findings.push(`stack ${settings.toolkitStackName} not found`);
    else findings.push(...bootstrapStackFindings(parameters, expectation));
  } catch (error) {
    const classified = classifyAwsError(error);
    if (FATAL_KINDS.has(classified.kind)) throw new CredentialsProblem(classified);
    const reason = classified.kind === 'throttled' ? THROTTLED_BY_CLOUDFORMATION_REASON : `${classified.name}: ${classified.message}`;
    findings.push(`could not read stack ${settings.toolkitStackName}: ${reason}`);
  } finally {
    if (settings.cloudFormationFor === undefined) client.destroy();
  }
  const lookup = target.account === callerAccount ? undefined : await lookupRoleFinding(settings, target, sessionName);
  if (lookup !== undefined) findings.push(lookup);
  return findings.length === 0 ? { ...base, ok: true } : { ...base, ok: false, reason: findings.join('; ') };
}

async function preflight(options: PreflightOptions, emit: (line: string) => void): Promise<number> {
  const invalid = invalidInputLine(options);
  if (invalid !== undefined) {
    emit(invalid);
    return PREFLIGHT_EXIT.cannotRun;
  }
  const settings = settingsOf(options);

  let caller: GetCallerIdentityCommandOutput;
  try {
    caller = await identifyCaller(settings);
  } catch (error) {
    emit(credentialsProblemLine(classifyAwsError(error)));
    return PREFLIGHT_EXIT.cannotRun;
  }
  const callerAccount = caller.Account;
  if (callerAccount === undefined) {
    emit('could not identify the caller: sts:GetCallerIdentity returned no account');
    return PREFLIGHT_EXIT.cannotRun;
  }
  emit(`credentials: account ${callerAccount} (${caller.Arn ?? 'unknown ARN'})`);
  if (callerAccount !== settings.pipelineAccount) {
    emit(
      `warning: these credentials belong to ${callerAccount}, not the pipeline account ${settings.pipelineAccount}; ` +
        `a ✓ proves that ${callerAccount} is trusted, not the pipeline: run the preflight with pipeline-account credentials`,
    );
  }

  const targets = dedupeTargets(settings.targets);
  const sessionName = `preflight-${settings.now().getTime()}`;
  emit(
    `checking ${targets.length * settings.roles.length} bootstrap roles (qualifier ${settings.qualifier}) ` +
      `in ${targets.length} account/region pair(s)`,
  );

  const rows: PreflightRow[] = [];
  try {
    for (const target of targets) {
      for (const role of settings.roles) {
        const { row, identity } = await checkRole(settings, target, role, callerAccount, sessionName);
        rows.push(row);
        const expectation = settings.bootstrapExpectation?.(target.account);
        if (role === 'deploy' && identity !== undefined && expectation !== undefined) {
          rows.push(await checkBootstrap(settings, expectation, target, identity, callerAccount, sessionName));
        }
      }
    }
  } catch (error) {
    if (!(error instanceof CredentialsProblem)) throw error;
    emit(credentialsProblemLine(error.classified));
    return PREFLIGHT_EXIT.cannotRun;
  }

  emit('');
  formatTable(rows).forEach(emit);

  const failing = targets.filter((target) =>
    rows.some((row) => !row.ok && row.account === target.account && row.region === target.region),
  );
  if (failing.length > 0) {
    emit('');
    emit('# fix: bootstrap each account/region marked ✗, with credentials for that account:');
    for (const target of failing) {
      emit(`# ${target.labels.join(', ')} (${target.account}/${target.region})`);
      emit(bootstrapCommand(target, settings));
    }
  }

  const okCount = rows.filter((row) => row.ok).length;
  emit('');
  emit(`${okCount} of ${rows.length} checks OK`);
  return okCount === rows.length ? PREFLIGHT_EXIT.ok : PREFLIGHT_EXIT.failedChecks;
}

/**
 * Checks that the current credentials can assume the CDK bootstrap roles of every target account/region,
 * which is what a cross-account CDK Pipelines deploy needs (and, with `bootstrapExpectation`, that each
 * bootstrap stack is what the bootstrap tool sets up). Prints a ✓/✗ table, the bootstrap command that
 * fixes each failing target and a summary line. Never throws; resolves to the exit code: 0 when every
 * check is ✓, 1 when any is ✗, 2 when the checks could not run (no or expired credentials, invalid input).
 */
export async function runPreflight(options: PreflightOptions): Promise<number> {
  const emit = (line: string): void => options.write(`${line}\n`);
  try {
    return await preflight(options, emit);
  } catch (error) {
    const classified = classifyAwsError(error);
    emit(`preflight failed: ${classified.name}: ${classified.message}`);
    return PREFLIGHT_EXIT.cannotRun;
  }
}
