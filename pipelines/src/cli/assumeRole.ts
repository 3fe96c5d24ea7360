import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { classifyAwsError } from '../preflight';

/** Temporary credentials of an assumed role, as the SDK clients take them. */
export interface AssumedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface AssumeRoleRequest {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  /** Aborts the call (the smoke test's overall timeout). */
  readonly abortSignal?: AbortSignal;
  /** How an error reads in the problem line. @default describeError */
  readonly describe?: (error: unknown) => string;
}

/** The credentials, or the one line that says why there are none. */
export type AssumeRoleOutcome = { readonly credentials: AssumedCredentials } | { readonly problem: string };

/**
 * Assumes a role with STS for one pipeline step. Never throws: a failure, or an answer without
 * credentials, comes back as `problem` (`could not assume role <arn>: …`).
 */
export async function assumeRole(sts: STSClient, request: AssumeRoleRequest): Promise<AssumeRoleOutcome> {
  const { roleArn } = request;
  const describe = request.describe ?? describeError;
  try {
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: request.sessionName, DurationSeconds: request.durationSeconds }),
      request.abortSignal ? { abortSignal: request.abortSignal } : {},
    );
    const { AccessKeyId, SecretAccessKey, SessionToken } = assumed.Credentials ?? {};
    if (AccessKeyId === undefined || SecretAccessKey === undefined) {
      return { problem: `could not assume role ${roleArn}: AssumeRole returned no credentials` };
    }
    return { credentials: { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken } };
  } catch (error) {
    return { problem: `could not assume role ${roleArn}: ${describe(error)}` };
  }
}

/** `Name: message` of an SDK or other error, on one line, without its stack. */
export function describeError(error: unknown): string {
  const { name, message } = classifyAwsError(error);
  return name === 'Error' || message.startsWith(name) ? message : `${name}: ${message}`;
}
