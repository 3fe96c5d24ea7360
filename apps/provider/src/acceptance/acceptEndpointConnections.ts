/**
 * Accepts the interface endpoint connections of known consumer accounts to an endpoint service
 * that requires acceptance, and only those: a connection from any other account is left
 * pending and reported. Used by the pipeline after each consumer wave (waiting for the expected
 * owners and for the connections to become available) and by the self-managed acceptor function
 * on every connection notification (one sweep, no waiting).
 */
import {
  AcceptVpcEndpointConnectionsCommand,
  DescribeVpcEndpointConnectionsCommand,
  type EC2Client,
  type VpcEndpointConnection,
} from '@aws-sdk/client-ec2';

/** Bounds of every wait: how often to look again, and how long to wait between looks. */
export interface AcceptanceRetry {
  /**
   * Upper bound of each wait: describe calls while an expected owner has no connection, describe
   * calls while accepted connections are not yet available, and tries of one throttled call.
   * A whole number, at least 1.
   */
  readonly attempts: number;
  /** Wait between two describe calls; a throttled call backs off from it, doubling each time. */
  readonly delayMs: number;
}

export interface AcceptEndpointConnectionsOptions {
  /** A client in the endpoint service's account and region. */
  readonly ec2: EC2Client;
  /** The endpoint service, `vpce-svc-…`. */
  readonly serviceId: string;
  /** Accounts whose pending connections are accepted (12-digit ids); every other account's are left pending. */
  readonly allowedOwners: readonly string[];
  /**
   * Accounts that must have a connection: while one has none, the describe is repeated (up to
   * `retry.attempts` times), then the account is reported missing. Each must be allowed.
   * @default - none: one describe, whatever it finds
   */
  readonly expectedOwners?: readonly string[];
  /** Whether to wait (up to `retry.attempts` describe calls) until every accepted connection is available. */
  readonly waitForAvailable: boolean;
  readonly retry: AcceptanceRetry;
  /**
   * How to wait; tests pass one that returns at once.
   * @default - a timer
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One interface endpoint connection: the consumer's endpoint and the account that owns it. */
export interface EndpointConnectionRef {
  readonly endpointId: string;
  readonly owner: string;
}

/** A connection AWS refused to accept (an `Unsuccessful` item of the accept response). */
export interface FailedEndpointConnection extends EndpointConnectionRef {
  readonly code: string;
  readonly message: string;
}

/** An accepted connection that had not become available when the wait ended. */
export interface UnavailableEndpointConnection extends EndpointConnectionRef {
  /** Its last state as EC2 reported it (`pending`, `failed`…), or `not found` when it disappeared. */
  readonly state: string;
}

/** What one run did and found. Every list is in the order EC2 returned the connections. */
export interface AcceptanceReport {
  readonly serviceId: string;
  /** Pending connections of allowed owners this run accepted. */
  readonly accepted: readonly EndpointConnectionRef[];
  /** Connections of allowed owners that were accepted before this run (`available` or `pending`). */
  readonly alreadyAccepted: readonly EndpointConnectionRef[];
  /** Pending connections of accounts that are not allowed: left untouched. */
  readonly foreignPending: readonly EndpointConnectionRef[];
  /** Expected owners with no live connection after every describe attempt. */
  readonly missingOwners: readonly string[];
  /** Connections the accept call reported as unsuccessful. */
  readonly failed: readonly FailedEndpointConnection[];
  /** Accepted connections not yet available when the wait ended (only with `waitForAvailable`). */
  readonly notAvailable: readonly UnavailableEndpointConnection[];
}

/** Error names of a throttled EC2 (and general AWS) call. */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']);

/**
 * Endpoint ids per accept call. The API documents no maximum; small batches keep one throttled
 * or rejected request from holding up every other connection.
 */
export const ACCEPT_BATCH_SIZE = 50;

/** Longest back-off between two tries of a throttled call (unless `delayMs` itself is longer). */
export const MAX_THROTTLE_BACKOFF_MS = 20_000;

const SERVICE_ID = /^vpce-svc-[0-9a-f]+$/;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * States compared in lower case: EC2 returns `pendingAcceptance`, `available`… while the SDK's
 * `State` enum spells them `PendingAcceptance`, `Available`… (aws/aws-sdk-go#3555,
 * hashicorp/terraform-provider-aws#41116 normalise the same way).
 */
const PENDING_ACCEPTANCE = 'pendingacceptance';
const AVAILABLE = 'available';
/** An accepted connection on its way to `available`. */
const PENDING = 'pending';

/** Accepts every pending connection of an allowed owner and reports what it did; see {@link AcceptEndpointConnectionsOptions}. */
export async function acceptEndpointConnections(options: AcceptEndpointConnectionsOptions): Promise<AcceptanceReport> {
  checkOptions(options);
  const { ec2, serviceId, retry } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const allowed = new Set(options.allowedOwners);
  const expected = [...new Set(options.expectedOwners ?? [])];
  const call = <T>(send: () => Promise<T>): Promise<T> => withThrottleRetry(send, retry, sleep);
  const describe = () => describeConnections(ec2, serviceId, call);

  const accepted: EndpointConnectionRef[] = [];
  const alreadyAccepted: EndpointConnectionRef[] = [];
  const failed: FailedEndpointConnection[] = [];
  /** Endpoints already sorted into accepted, alreadyAccepted or failed: never accepted twice. */
  const handled = new Set<string>();
  /** Last state seen per endpoint of an allowed owner, as EC2 spelled it. */
  const lastState = new Map<string, string>();
  const ownersWithConnection = new Set<string>();
  let foreignPending: EndpointConnectionRef[];
  let missingOwners: string[];

  for (let attempt = 1; ; attempt += 1) {
    const toAccept: EndpointConnectionRef[] = [];
    // Each describe replaces the previous view: a foreign connection someone rejected since is gone.
    foreignPending = [];
    for (const connection of await describe()) {
      const { endpointId, owner, state } = connection;
      const normalised = state.toLowerCase();
      if (!allowed.has(owner)) {
        if (normalised === PENDING_ACCEPTANCE) foreignPending.push({ endpointId, owner });
        continue;
      }
      // Rejected, deleted, failed or expired connections are history: they do not count as the owner's connection.
      if (normalised !== PENDING_ACCEPTANCE && normalised !== PENDING && normalised !== AVAILABLE) continue;
      ownersWithConnection.add(owner);
      if (handled.has(endpointId)) continue;
      lastState.set(endpointId, state);
      if (normalised === PENDING_ACCEPTANCE) {
        toAccept.push({ endpointId, owner });
      } else {
        handled.add(endpointId);
        alreadyAccepted.push({ endpointId, owner });
      }
    }

    for (let start = 0; start < toAccept.length; start += ACCEPT_BATCH_SIZE) {
      const batch = toAccept.slice(start, start + ACCEPT_BATCH_SIZE);
      const response = await call(() =>
        ec2.send(new AcceptVpcEndpointConnectionsCommand({ ServiceId: serviceId, VpcEndpointIds: batch.map((c) => c.endpointId) })),
      );
      const unsuccessful = new Map<string, { code: string; message: string }>();
      for (const item of response.Unsuccessful ?? []) {
        if (item.ResourceId === undefined) continue;
        unsuccessful.set(item.ResourceId, { code: item.Error?.Code ?? 'Unknown', message: item.Error?.Message ?? '(no message)' });
      }
      for (const connection of batch) {
        handled.add(connection.endpointId);
        const error = unsuccessful.get(connection.endpointId);
        if (error === undefined) accepted.push(connection);
        else failed.push({ ...connection, ...error });
      }
    }

    missingOwners = expected.filter((owner) => !ownersWithConnection.has(owner));
    if (missingOwners.length === 0 || attempt >= retry.attempts) break;
    // A consumer's endpoint can take a moment to show up on the provider side after its stack completes.
    await sleep(retry.delayMs);
  }

  let notAvailable: UnavailableEndpointConnection[] = [];
  const watched = [...accepted, ...alreadyAccepted].filter(
    (connection) => lastState.get(connection.endpointId)?.toLowerCase() !== AVAILABLE,
  );
  if (options.waitForAvailable && watched.length > 0) {
    for (let attempt = 1; ; attempt += 1) {
      // Right after the accept the connection is always `pending`: look only after a delay.
      await sleep(retry.delayMs);
      const states = new Map((await describe()).map((connection) => [connection.endpointId, connection.state]));
      for (const { endpointId } of watched) lastState.set(endpointId, states.get(endpointId) ?? 'not found');
      const waiting = watched.filter((connection) => lastState.get(connection.endpointId)?.toLowerCase() !== AVAILABLE);
      if (waiting.length === 0 || attempt >= retry.attempts) {
        notAvailable = waiting.map((connection) => ({ ...connection, state: lastState.get(connection.endpointId) ?? 'not found' }));
        break;
      }
    }
  }

  return { serviceId, accepted, alreadyAccepted, foreignPending, missingOwners, failed, notAvailable };
}

/** Whether an error is AWS throttling the caller (worth a later try), by name or by the SDK's retry hint. */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $retryable } = error as { name?: unknown; $retryable?: { throttling?: unknown } };
  return (typeof name === 'string' && THROTTLING_ERROR_NAMES.has(name)) || $retryable?.throttling === true;
}

/** Wait before try `attempt + 1` of a throttled call: `delayMs`, doubling, capped. */
export function throttleBackoffMs(delayMs: number, attempt: number): number {
  return Math.min(delayMs * 2 ** (attempt - 1), Math.max(delayMs, MAX_THROTTLE_BACKOFF_MS));
}

interface DescribedConnection extends EndpointConnectionRef {
  readonly state: string;
}

/** Every connection of the service, all pages. Connections without an id or owner are skipped. */
async function describeConnections(
  ec2: EC2Client,
  serviceId: string,
  call: <T>(send: () => Promise<T>) => Promise<T>,
): Promise<DescribedConnection[]> {
  const connections: DescribedConnection[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await call(() =>
      ec2.send(
        new DescribeVpcEndpointConnectionsCommand({
          Filters: [{ Name: 'service-id', Values: [serviceId] }],
          MaxResults: 1000,
          NextToken: token,
        }),
      ),
    );
    for (const connection of page.VpcEndpointConnections ?? []) {
      const described = describedConnection(connection);
      if (described) connections.push(described);
    }
    nextToken = page.NextToken === '' ? undefined : page.NextToken;
  } while (nextToken !== undefined);
  return connections;
}

function describedConnection(connection: VpcEndpointConnection): DescribedConnection | undefined {
  const { VpcEndpointId: endpointId, VpcEndpointOwner: owner, VpcEndpointState: state } = connection;
  if (endpointId === undefined || owner === undefined) return undefined;
  return { endpointId, owner, state: state ?? 'unknown' };
}

async function withThrottleRetry<T>(send: () => Promise<T>, retry: AcceptanceRetry, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= retry.attempts || !isThrottlingError(error)) throw error;
      await sleep(throttleBackoffMs(retry.delayMs, attempt));
    }
  }
}

function checkOptions(options: AcceptEndpointConnectionsOptions): void {
  const problems: string[] = [];
  if (!SERVICE_ID.test(options.serviceId)) problems.push(`serviceId must be a VPC endpoint service id (vpce-svc-…), got "${options.serviceId}"`);
  if (options.allowedOwners.length === 0) problems.push('allowedOwners must name at least one account, got []');
  for (const owner of options.allowedOwners) {
    if (!ACCOUNT_ID.test(owner)) problems.push(`allowedOwners must be 12-digit account ids, got "${owner}"`);
  }
  const allowed = new Set(options.allowedOwners);
  for (const owner of options.expectedOwners ?? []) {
    if (!allowed.has(owner)) problems.push(`expectedOwners must be allowed owners (their connections could never be accepted), got "${owner}"`);
  }
  const { attempts, delayMs } = options.retry;
  if (!Number.isSafeInteger(attempts) || attempts < 1) problems.push(`retry.attempts must be a whole number of at least 1, got ${attempts}`);
  if (!Number.isFinite(delayMs) || delayMs < 0) problems.push(`retry.delayMs must be a number of milliseconds of at least 0, got ${delayMs}`);
  if (problems.length > 0) throw new Error(`acceptEndpointConnections: ${problems.join('; ')}`);
}
