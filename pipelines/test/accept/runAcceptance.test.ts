import {
  AcceptVpcEndpointConnectionsCommand,
  DescribeVpcEndpointConnectionsCommand,
  EC2Client,
  EC2ServiceException,
  type State,
  type VpcEndpointConnection,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACCEPT_FAILED,
  ACCEPT_PASSED,
  runAcceptance,
  sessionDurationSeconds,
  type AcceptanceRunOptions,
} from '../../src/accept/runAcceptance';
import type { AssumedCredentials } from '../../src/cli/assumeRole';

const stsMock = mockClient(STSClient);
const ec2Mock = mockClient(EC2Client);

const roleArn = 'arn:aws:iam::111111111111:role/fixture-api-endpoint-acceptor';
const serviceId = 'vpce-svc-0123456789abcdef0';
const serviceName = `com.amazonaws.vpce.us-east-2.${serviceId}`;
const alpha = '210000000001';
const beta = '210000000002';
const stranger = '999900000001';
const assumedCredentials = {
  AccessKeyId: 'ASIAEXAMPLEASSUMED',
  SecretAccessKey: 'assumed-secret',
  SessionToken: 'assumed-session-token',
  Expiration: new Date('2030-01-01T00:00:00Z'),
};

/**
 * A connection as EC2 returns it. EC2 spells states `pendingAcceptance`, `available`…; the SDK's
 * `State` type says `PendingAcceptance`…, hence the cast: the tests use the wire values.
 */
function connection(endpointId: string, owner: string, state: string): VpcEndpointConnection {
  return { ServiceId: serviceId, VpcEndpointId: endpointId, VpcEndpointOwner: owner, VpcEndpointState: state as State };
}

const page = (...connections: VpcEndpointConnection[]) => ({ VpcEndpointConnections: connections });

function throttled(): EC2ServiceException {
  return new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata: {}, message: 'Request limit exceeded.' });
}

/** Runs the step against the mocks and collects what it writes. */
async function run(overrides: Partial<AcceptanceRunOptions> = {}) {
  const lines: string[] = [];
  const sleep = vi.fn((_ms: number) => Promise.resolve());
  const ec2For = vi.fn((credentials: AssumedCredentials, region: string) => new EC2Client({ region, credentials }));
  const code = await runAcceptance({
    roleArn,
    serviceName,
    serviceId,
    region: 'us-east-2',
    owners: [alpha, beta],
    attempts: 3,
    delaySeconds: 10,
    sts: new STSClient({ region: 'us-east-2' }),
    ec2For,
    write: (line) => lines.push(line),
    sleep,
    now: () => 1_732_000_000_000,
    ...overrides,
  });
  return { code, lines, sleep, ec2For };
}

/** Every endpoint id an accept call named. */
const acceptedIds = () => ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand).flatMap((call) => call.args[0].input.VpcEndpointIds ?? []);
const describeCalls = () => ec2Mock.commandCalls(DescribeVpcEndpointConnectionsCommand);

/** A failure: a first line naming the service, indented details, no stack trace. */
function expectFailureBlock(lines: readonly string[]): void {
  expect(lines[0]).toMatch(new RegExp(`^✗ Endpoint connection acceptance FAILED for ${serviceName.replace(/\./g, '\\.')}: `));
  for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}/);
  expect(lines.join('\n')).not.toMatch(/\s+at .+:\d+/);
}

beforeEach(() => {
  stsMock.reset();
  ec2Mock.reset();
  stsMock.on(AssumeRoleCommand).resolves({ Credentials: assumedCredentials });
  ec2Mock.on(AcceptVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
});

describe('runAcceptance', () => {
  it('accepts the wave’s connections, waits until they are available, and exits 0', async () => {
    // GIVEN both consumers' endpoints pending, available on the next look
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce(page(connection('vpce-0a1', alpha, 'pendingAcceptance'), connection('vpce-0b1', beta, 'pendingAcceptance')))
      .resolves(page(connection('vpce-0a1', alpha, 'available'), connection('vpce-0b1', beta, 'available')));
    // WHEN the step runs
    const { code, lines, sleep } = await run();
    // THEN it accepted both, waited one delay, and prints one line per connection
    expect(code).toBe(ACCEPT_PASSED);
    expect(acceptedIds()).toEqual(['vpce-0a1', 'vpce-0b1']);
    expect(sleep.mock.calls).toEqual([[10_000]]);
    expect(lines).toEqual([
      `Endpoint connections accepted for ${serviceName}: 2 consumer account(s) connected (${alpha}, ${beta})`,
      `  ✓ vpce-0a1 (account ${alpha}): accepted`,
      `  ✓ vpce-0b1 (account ${beta}): accepted`,
    ]);
  });

  it('assumes the provider role with a named session long enough for both waits, and uses its credentials in the service region', async () => {
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves(page(connection('vpce-0a1', alpha, 'available'), connection('vpce-0b1', beta, 'available')));
    const { ec2For } = await run();
    const assumeRole = stsMock.commandCalls(AssumeRoleCommand);
    expect(assumeRole.map((call) => call.args[0].input)).toEqual([
      { RoleArn: roleArn, RoleSessionName: 'accept-endpoint-connections-1732000000000', DurationSeconds: 900 },
    ]);
    expect(ec2For).toHaveBeenCalledWith(
      { accessKeyId: 'ASIAEXAMPLEASSUMED', secretAccessKey: 'assumed-secret', sessionToken: 'assumed-session-token' },
      'us-east-2',
    );
  });

  it('passes when the connections were accepted before (a re-run)', async () => {
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves(page(connection('vpce-0a1', alpha, 'available'), connection('vpce-0b1', beta, 'available')));
    const { code, lines } = await run();
    expect(code).toBe(ACCEPT_PASSED);
    expect(ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
    expect(lines.slice(1)).toEqual([`  ✓ vpce-0a1 (account ${alpha}): already accepted`, `  ✓ vpce-0b1 (account ${beta}): already accepted`]);
  });

  it('waits for a connection that is not yet visible, then accepts it', async () => {
    // GIVEN beta's endpoint shows up on the second describe
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce(page(connection('vpce-0a1', alpha, 'available')))
      .resolvesOnce(page(connection('vpce-0a1', alpha, 'available'), connection('vpce-0b1', beta, 'pendingAcceptance')))
      .resolves(page(connection('vpce-0a1', alpha, 'available'), connection('vpce-0b1', beta, 'available')));
    // WHEN the step runs
    const { code } = await run();
    // THEN beta's connection was accepted and the step passes
    expect(code).toBe(ACCEPT_PASSED);
    expect(acceptedIds()).toEqual(['vpce-0b1']);
    expect(describeCalls()).toHaveLength(3);
  });

  it('fails naming an owner whose connection never shows up, after exactly --attempts describes', async () => {
    // GIVEN beta never creates its endpoint
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves(page());
    // WHEN only beta is expected, with 3 attempts
    const { code, lines, sleep } = await run({ owners: [beta] });
    // THEN the step fails naming beta, after 3 describes 10 s apart
    expect(code).toBe(ACCEPT_FAILED);
    expect(describeCalls()).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[10_000], [10_000]]);
    expectFailureBlock(lines);
    expect(lines).toEqual([
      `✗ Endpoint connection acceptance FAILED for ${serviceName}: not every consumer of this wave has an accepted, available connection: account ${beta} has no endpoint connection (after 3 attempts 10 s apart)`,
      `  ✗ account ${beta}: no endpoint connection to ${serviceId}`,
    ]);
  });

  it('leaves another account’s pending connection untouched, prints it, and still passes', async () => {
    // GIVEN a stranger's pending endpoint next to the wave's
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce(page(connection('vpce-0f1', stranger, 'pendingAcceptance'), connection('vpce-0a1', alpha, 'pendingAcceptance')))
      .resolves(page(connection('vpce-0f1', stranger, 'pendingAcceptance'), connection('vpce-0a1', alpha, 'available')));
    // WHEN the step runs for alpha's wave
    const { code, lines } = await run({ owners: [alpha] });
    // THEN the stranger's endpoint was never named in an accept call, and the report says why
    expect(code).toBe(ACCEPT_PASSED);
    expect(acceptedIds()).toEqual(['vpce-0a1']);
    expect(acceptedIds()).not.toContain('vpce-0f1');
    expect(lines).toContain(`  - vpce-0f1 (account ${stranger}): left pending: not a consumer of this wave`);
  });

  it('retries throttled calls and then succeeds', async () => {
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .rejectsOnce(throttled())
      .resolvesOnce(page(connection('vpce-0a1', alpha, 'pendingAcceptance')))
      .resolves(page(connection('vpce-0a1', alpha, 'available')));
    ec2Mock.on(AcceptVpcEndpointConnectionsCommand).rejectsOnce(throttled()).resolves({});
    const { code } = await run({ owners: [alpha] });
    expect(code).toBe(ACCEPT_PASSED);
    expect(ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(2);
  });

  it('fails naming the owner and the code of an Unsuccessful accept item', async () => {
    // GIVEN EC2 refuses beta's connection
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce(page(connection('vpce-0a1', alpha, 'pendingAcceptance'), connection('vpce-0b1', beta, 'pendingAcceptance')))
      .resolves(page(connection('vpce-0a1', alpha, 'available'), connection('vpce-0b1', beta, 'pendingAcceptance')));
    ec2Mock.on(AcceptVpcEndpointConnectionsCommand).resolves({
      Unsuccessful: [{ ResourceId: 'vpce-0b1', Error: { Code: 'InvalidState', Message: 'Endpoint vpce-0b1 is not in pendingAcceptance state' } }],
    });
    // WHEN the step runs
    const { code, lines } = await run();
    // THEN it fails naming beta and the error, and lists every connection
    expect(code).toBe(ACCEPT_FAILED);
    expectFailureBlock(lines);
    expect(lines[0]).toContain(`account ${beta}: accepting vpce-0b1 failed (InvalidState)`);
    expect(lines.slice(1)).toEqual([
      `  ✓ vpce-0a1 (account ${alpha}): accepted`,
      `  ✗ vpce-0b1 (account ${beta}): accept failed: InvalidState: Endpoint vpce-0b1 is not in pendingAcceptance state`,
    ]);
  });

  it('reads every page of connections', async () => {
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce({ ...page(connection('vpce-0a1', alpha, 'available')), NextToken: 'page-2' })
      .resolvesOnce(page(connection('vpce-0b1', beta, 'available')));
    const { code } = await run();
    expect(code).toBe(ACCEPT_PASSED);
    expect(describeCalls().map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
  });

  it('fails naming the owner whose accepted connection never becomes available', async () => {
    // GIVEN alpha's connection stays pending after the accept
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce(page(connection('vpce-0a1', alpha, 'pendingAcceptance')))
      .resolves(page(connection('vpce-0a1', alpha, 'pending')));
    // WHEN the step runs with 3 attempts
    const { code, lines } = await run({ owners: [alpha] });
    // THEN it gave up after 3 looks and names alpha and the state
    expect(code).toBe(ACCEPT_FAILED);
    expect(describeCalls()).toHaveLength(1 + 3);
    expect(lines[0]).toContain(`account ${alpha}: vpce-0a1 is pending, not available (after 3 attempts 10 s apart)`);
    expect(lines).toContain(`  ✗ vpce-0a1 (account ${alpha}): accepted but not available (state pending)`);
  });

  it('fails in one line naming the role when AssumeRole is denied, and calls no EC2 API', async () => {
    // GIVEN the pipeline may not assume the provider role
    const denied = new STSServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:sts::111111111111:assumed-role/pipeline/build is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    });
    stsMock.on(AssumeRoleCommand).rejects(denied);
    // WHEN the step runs
    const { code, lines, ec2For } = await run();
    // THEN it fails with the role and the error, and never touches EC2
    expect(code).toBe(ACCEPT_FAILED);
    expect(lines).toEqual([`✗ Endpoint connection acceptance FAILED for ${serviceName}: could not assume role ${roleArn}: AccessDenied: ${denied.message}`]);
    expect(ec2For).not.toHaveBeenCalled();
    expect(describeCalls()).toHaveLength(0);
  });

  it('fails when AssumeRole returns no credentials', async () => {
    stsMock.on(AssumeRoleCommand).resolves({});
    const { code, lines } = await run();
    expect(code).toBe(ACCEPT_FAILED);
    expect(lines).toEqual([`✗ Endpoint connection acceptance FAILED for ${serviceName}: could not assume role ${roleArn}: AssumeRole returned no credentials`]);
  });

  it('fails in one line when EC2 denies the role', async () => {
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .rejects(new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: {}, message: 'You are not authorized to perform this operation.' }));
    const { code, lines } = await run();
    expect(code).toBe(ACCEPT_FAILED);
    expect(lines).toEqual([
      `✗ Endpoint connection acceptance FAILED for ${serviceName}: could not accept the connections of ${serviceId} in us-east-2: UnauthorizedOperation: You are not authorized to perform this operation.`,
    ]);
  });
});

describe('sessionDurationSeconds', () => {
  it('covers both waits plus a margin, within 15 minutes and one hour', () => {
    expect(sessionDurationSeconds(12, 15)).toBe(900);
    expect(sessionDurationSeconds(30, 20)).toBe(1500);
    expect(sessionDurationSeconds(60, 15)).toBe(2100);
    expect(sessionDurationSeconds(300, 300)).toBe(3600);
  });
});
