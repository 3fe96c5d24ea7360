/**
 * Pipeline step run after a consumer wave deploys: in the provider account, accepts the endpoint
 * connections of the wave's consumer accounts (and only theirs) and waits until they are
 * available, so that the wave's smoke tests find a working endpoint. Connections of other
 * accounts are printed and left pending. It never throws and never prints a stack trace.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { STSClient } from '@aws-sdk/client-sts';
import { assumeRole, describeError, type AssumedCredentials } from '../cli/assumeRole';
import { acceptEndpointConnections, formatAcceptanceReport, type AcceptanceReport } from '@private-api/provider';

export interface AcceptanceRunOptions {
  /** Role in the provider account allowed to describe and accept the service's connections. */
  readonly roleArn: string;
  /** `com.amazonaws.vpce.<region>.vpce-svc-…`, used in every message. */
  readonly serviceName: string;
  readonly serviceId: string;
  /** The endpoint service's region. */
  readonly region: string;
  /** The wave's consumer accounts: each must end with an accepted, available connection. */
  readonly owners: readonly string[];
  /** Bound of each wait (connections showing up, then becoming available) and of throttling retries. */
  readonly attempts: number;
  readonly delaySeconds: number;
  readonly sts: STSClient;
  readonly ec2For: (credentials: AssumedCredentials, region: string) => EC2Client;
  /** Receives the report, one line per call. */
  readonly write: (line: string) => void;
  /** @default - a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Exit codes of the step. */
export const ACCEPT_PASSED = 0;
export const ACCEPT_FAILED = 1;

/** How the step explains a connection it did not accept. */
export const FOREIGN_PENDING_NOTE = 'not a consumer of this wave';

/** Accepts the wave's connections and reports through `write`; resolves to the exit code. */
export async function runAcceptance(options: AcceptanceRunOptions): Promise<number> {
  const { roleArn, region, serviceName } = options;
  const fail = (headline: string, details: readonly string[] = []): number => {
    options.write(`✗ Endpoint connection acceptance FAILED for ${serviceName}: ${headline}`);
    for (const line of details) options.write(`  ${line}`);
    return ACCEPT_FAILED;
  };

  const assumed = await assumeRole(options.sts, {
    roleArn,
    sessionName: `accept-endpoint-connections-${(options.now ?? Date.now)()}`,
    durationSeconds: sessionDurationSeconds(options.attempts, options.delaySeconds),
  });
  if ('problem' in assumed) return fail(assumed.problem);
  const { credentials } = assumed;

  let ec2: EC2Client;
  try {
    ec2 = options.ec2For(credentials, region);
  } catch (error) {
    return fail(`could not create an EC2 client for ${region}: ${describeError(error)}`);
  }
  let report: AcceptanceReport;
  try {
    report = await acceptEndpointConnections({
      ec2,
      serviceId: options.serviceId,
      allowedOwners: options.owners,
      expectedOwners: options.owners,
      waitForAvailable: true,
      retry: { attempts: options.attempts, delayMs: options.delaySeconds * 1000 },
      sleep: options.sleep,
    });
  } catch (error) {
    return fail(`could not accept the connections of ${options.serviceId} in ${region}: ${describeError(error)}`);
  } finally {
    ec2.destroy();
  }

  const lines = formatAcceptanceReport(report, { foreignPendingNote: FOREIGN_PENDING_NOTE });
  const problems = ownerProblems(report, options);
  if (problems.length > 0) {
    return fail(`not every consumer of this wave has an accepted, available connection: ${problems.join('; ')}`, lines);
  }
  options.write(
    `Endpoint connections accepted for ${serviceName}: ${options.owners.length} consumer account(s) connected (${options.owners.join(', ')})`,
  );
  for (const line of lines) options.write(`  ${line}`);
  return ACCEPT_PASSED;
}

/** One phrase per account that blocks the wave, naming it and why. */
function ownerProblems(report: AcceptanceReport, options: AcceptanceRunOptions): string[] {
  const waited = `${options.attempts} attempts ${options.delaySeconds} s apart`;
  return [
    ...report.missingOwners.map((owner) => `account ${owner} has no endpoint connection (after ${waited})`),
    ...report.failed.map((f) => `account ${f.owner}: accepting ${f.endpointId} failed (${f.code})`),
    ...report.notAvailable.map((c) => `account ${c.owner}: ${c.endpointId} is ${c.state}, not available (after ${waited})`),
  ];
}

/**
 * Long enough for both waits and their throttling back-offs, within STS's range (15 minutes to
 * the role's default maximum of one hour).
 */
export function sessionDurationSeconds(attempts: number, delaySeconds: number): number {
  return Math.min(3600, Math.max(900, 2 * attempts * delaySeconds + 300));
}
