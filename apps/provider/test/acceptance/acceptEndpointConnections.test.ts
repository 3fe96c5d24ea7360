import {
  AcceptVpcEndpointConnectionsCommand,
  DescribeVpcEndpointConnectionsCommand,
  EC2Client,
  EC2ServiceException,
  type State,
  type VpcEndpointConnection,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACCEPT_BATCH_SIZE,
  acceptEndpointConnections,
  MAX_THROTTLE_BACKOFF_MS,
  throttleBackoffMs,
  type AcceptEndpointConnectionsOptions,
} from '../../src/index';

const ec2Mock = mockClient(EC2Client);

const serviceId = 'vpce-svc-0123456789abcdef0';
const alpha = '210000000001';
const beta = '210000000002';
const stranger = '999900000001';

/**
 * A connection as EC2 returns it. EC2 spells states `pendingAcceptance`, `available`…; the SDK's
 * `State` type says `PendingAcceptance`, `Available`…, hence the cast: the tests use the wire values.
 */
function connection(endpointId: string, owner: string, state: string): VpcEndpointConnection {
  return { ServiceId: serviceId, VpcEndpointId: endpointId, VpcEndpointOwner: owner, VpcEndpointState: state as State };
}

function throttled(name = 'RequestLimitExceeded'): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 503 }, message: 'Request limit exceeded.' });
}

const sleep = vi.fn((_ms: number) => Promise.resolve());

function run(overrides: Partial<AcceptEndpointConnectionsOptions> = {}) {
  return acceptEndpointConnections({
    ec2: new EC2Client({ region: 'us-east-2' }),
    serviceId,
    allowedOwners: [alpha, beta],
    waitForAvailable: false,
    retry: { attempts: 4, delayMs: 5000 },
    sleep,
    ...overrides,
  });
}

/** Every endpoint id any accept call named. */
function acceptedIds(): string[] {
  return ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand).flatMap((call) => call.args[0].input.VpcEndpointIds ?? []);
}

const describeCalls = () => ec2Mock.commandCalls(DescribeVpcEndpointConnectionsCommand);

beforeEach(() => {
  ec2Mock.reset();
  sleep.mockClear();
  ec2Mock.on(AcceptVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
});

describe('acceptEndpointConnections', () => {
  it('accepts the pending connection of an allowed owner', async () => {
    // GIVEN a pending connection from an allowed account
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance')] });
    // WHEN the connections are swept
    const report = await run();
    // THEN it is accepted, by service id and endpoint id, and reported
    expect(report).toEqual({
      serviceId,
      accepted: [{ endpointId: 'vpce-0a1', owner: alpha }],
      alreadyAccepted: [],
      foreignPending: [],
      missingOwners: [],
      failed: [],
      notAvailable: [],
    });
    const accept = ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand);
    expect(accept).toHaveLength(1);
    expect(accept[0]?.args[0].input).toEqual({ ServiceId: serviceId, VpcEndpointIds: ['vpce-0a1'] });
    // AND the describe was filtered on the service
    expect(describeCalls()[0]?.args[0].input.Filters).toEqual([{ Name: 'service-id', Values: [serviceId] }]);
  });

  it('treats an available (or still pending) connection of an allowed owner as already accepted', async () => {
    // GIVEN connections accepted earlier
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({
      VpcEndpointConnections: [connection('vpce-0a1', alpha, 'available'), connection('vpce-0b1', beta, 'pending')],
    });
    // WHEN the connections are swept, expecting both owners
    const report = await run({ expectedOwners: [alpha, beta] });
    // THEN nothing is accepted again and both count as accepted
    expect(report.alreadyAccepted).toEqual([
      { endpointId: 'vpce-0a1', owner: alpha },
      { endpointId: 'vpce-0b1', owner: beta },
    ]);
    expect(report.accepted).toEqual([]);
    expect(report.missingOwners).toEqual([]);
    expect(ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
    expect(describeCalls()).toHaveLength(1);
  });

  it('compares states in any case (the SDK enum spelling works too)', async () => {
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'PendingAcceptance')] });
    const report = await run();
    expect(report.accepted).toEqual([{ endpointId: 'vpce-0a1', owner: alpha }]);
  });

  it('describes again while an expected owner has no connection, and accepts it once visible', async () => {
    // GIVEN the consumer's endpoint shows up on the third describe
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce({ VpcEndpointConnections: [] })
      .resolvesOnce({ VpcEndpointConnections: [] })
      .resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance')] });
    // WHEN the owner is expected, with 4 attempts 5 s apart
    const report = await run({ expectedOwners: [alpha] });
    // THEN it was described three times, waiting 5 s in between, and accepted
    expect(describeCalls()).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[5000], [5000]]);
    expect(report.accepted).toEqual([{ endpointId: 'vpce-0a1', owner: alpha }]);
    expect(report.missingOwners).toEqual([]);
  });

  it('reports an expected owner missing after exactly `attempts` describes', async () => {
    // GIVEN beta never connects (alpha does at once)
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance')] });
    // WHEN both are expected, with 4 attempts
    const report = await run({ expectedOwners: [alpha, beta] });
    // THEN beta is missing after 4 describes and 3 waits; alpha was accepted once, not four times
    expect(report.missingOwners).toEqual([beta]);
    expect(describeCalls()).toHaveLength(4);
    expect(sleep).toHaveBeenCalledTimes(3);
    expect(acceptedIds()).toEqual(['vpce-0a1']);
  });

  it('does not count a rejected or deleted connection as the owner’s connection', async () => {
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({
      VpcEndpointConnections: [connection('vpce-0a1', alpha, 'rejected'), connection('vpce-0a2', alpha, 'deleted')],
    });
    const report = await run({ expectedOwners: [alpha], retry: { attempts: 2, delayMs: 0 } });
    expect(report.missingOwners).toEqual([alpha]);
    expect(ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
  });

  it('leaves a pending connection of another account untouched and reports it', async () => {
    // GIVEN a pending connection from an account that is not allowed, next to an allowed one
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({
      VpcEndpointConnections: [connection('vpce-0f1', stranger, 'pendingAcceptance'), connection('vpce-0a1', alpha, 'pendingAcceptance')],
    });
    // WHEN the connections are swept
    const report = await run();
    // THEN no accept call names the stranger's endpoint, and the report lists it as foreign
    expect(acceptedIds()).toEqual(['vpce-0a1']);
    expect(acceptedIds()).not.toContain('vpce-0f1');
    expect(report.foreignPending).toEqual([{ endpointId: 'vpce-0f1', owner: stranger }]);
    expect(report.accepted).toEqual([{ endpointId: 'vpce-0a1', owner: alpha }]);
  });

  it('makes no accept call at all when only foreign connections are pending', async () => {
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [connection('vpce-0f1', stranger, 'pendingAcceptance')] });
    const report = await run();
    expect(ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(0);
    expect(report.foreignPending).toEqual([{ endpointId: 'vpce-0f1', owner: stranger }]);
  });

  it.each(['RequestLimitExceeded', 'Throttling', 'ThrottlingException'])('retries a throttled call (%s) with backoff, then succeeds', async (name) => {
    // GIVEN EC2 throttles the first describe and the first accept
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .rejectsOnce(throttled(name))
      .resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance')] });
    ec2Mock.on(AcceptVpcEndpointConnectionsCommand).rejectsOnce(throttled(name)).resolves({});
    // WHEN the connections are swept
    const report = await run({ retry: { attempts: 3, delayMs: 1000 } });
    // THEN both calls were tried again after the base delay and the connection is accepted
    expect(report.accepted).toEqual([{ endpointId: 'vpce-0a1', owner: alpha }]);
    expect(describeCalls()).toHaveLength(2);
    expect(ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(2);
    expect(sleep.mock.calls).toEqual([[1000], [1000]]);
  });

  it('gives up on throttling after `attempts` tries, backing off exponentially, and rethrows', async () => {
    // GIVEN EC2 throttles every describe
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).rejects(throttled());
    // WHEN the connections are swept with 3 attempts
    // THEN the throttling error propagates after 3 tries, 1 s and 2 s apart
    await expect(run({ retry: { attempts: 3, delayMs: 1000 } })).rejects.toThrow('Request limit exceeded.');
    expect(describeCalls()).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[1000], [2000]]);
  });

  it('propagates any other error at once', async () => {
    // GIVEN the caller may not describe the connections
    const denied = new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: {}, message: 'You are not authorized to perform this operation.' });
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).rejects(denied);
    // WHEN the connections are swept
    // THEN the error propagates without a retry
    await expect(run()).rejects.toThrow(denied);
    expect(describeCalls()).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('reports the Unsuccessful items of the accept response as failures with their code and message', async () => {
    // GIVEN two pending connections, one of which EC2 refuses to accept
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({
      VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance'), connection('vpce-0b1', beta, 'pendingAcceptance')],
    });
    ec2Mock.on(AcceptVpcEndpointConnectionsCommand).resolves({
      Unsuccessful: [{ ResourceId: 'vpce-0b1', Error: { Code: 'InvalidVpcEndpoint.NotFound', Message: "The Vpc Endpoint Id 'vpce-0b1' does not exist" } }],
    });
    // WHEN the connections are swept
    const report = await run({ expectedOwners: [alpha, beta] });
    // THEN one is accepted and the other is a failure naming its owner and the error
    expect(report.accepted).toEqual([{ endpointId: 'vpce-0a1', owner: alpha }]);
    expect(report.failed).toEqual([
      { endpointId: 'vpce-0b1', owner: beta, code: 'InvalidVpcEndpoint.NotFound', message: "The Vpc Endpoint Id 'vpce-0b1' does not exist" },
    ]);
    // AND beta is not also reported missing: it has a connection, which failed
    expect(report.missingOwners).toEqual([]);
  });

  it('follows NextToken through every page', async () => {
    // GIVEN two pages of connections
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance')], NextToken: 'page-2' })
      .resolvesOnce({ VpcEndpointConnections: [connection('vpce-0b1', beta, 'pendingAcceptance')] });
    // WHEN the connections are swept
    const report = await run();
    // THEN both pages were read, the second with the token, and both connections accepted in one call
    expect(describeCalls().map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(report.accepted.map((c) => c.endpointId)).toEqual(['vpce-0a1', 'vpce-0b1']);
    expect(ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand)).toHaveLength(1);
  });

  it(`accepts in batches of ${ACCEPT_BATCH_SIZE}`, async () => {
    const many = Array.from({ length: ACCEPT_BATCH_SIZE * 2 + 3 }, (_, index) => connection(`vpce-${index}`, alpha, 'pendingAcceptance'));
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: many });
    const report = await run();
    const sizes = ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand).map((call) => call.args[0].input.VpcEndpointIds?.length);
    expect(sizes).toEqual([ACCEPT_BATCH_SIZE, ACCEPT_BATCH_SIZE, 3]);
    expect(report.accepted).toHaveLength(many.length);
  });

  it('waits until every accepted connection is available', async () => {
    // GIVEN a connection that becomes available two describes after the accept
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance')] })
      .resolvesOnce({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pending')] })
      .resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'available')] });
    // WHEN the sweep waits for availability
    const report = await run({ expectedOwners: [alpha], waitForAvailable: true });
    // THEN it looked twice after the accept, each after the delay, and nothing is left unavailable
    expect(describeCalls()).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[5000], [5000]]);
    expect(report.notAvailable).toEqual([]);
    expect(report.accepted).toEqual([{ endpointId: 'vpce-0a1', owner: alpha }]);
  });

  it('reports connections still not available after `attempts` looks, with their last state', async () => {
    // GIVEN one connection stays pending and another disappears after the accept
    ec2Mock
      .on(DescribeVpcEndpointConnectionsCommand)
      .resolvesOnce({
        VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance'), connection('vpce-0b1', beta, 'pendingAcceptance')],
      })
      .resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pending')] });
    // WHEN the sweep waits for availability with 4 attempts
    const report = await run({ waitForAvailable: true });
    // THEN it gave up after 4 more describes and names both, with the state it last saw
    expect(describeCalls()).toHaveLength(1 + 4);
    expect(report.notAvailable).toEqual([
      { endpointId: 'vpce-0a1', owner: alpha, state: 'pending' },
      { endpointId: 'vpce-0b1', owner: beta, state: 'not found' },
    ]);
  });

  it('does not wait when everything is already available', async () => {
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'available')] });
    const report = await run({ expectedOwners: [alpha], waitForAvailable: true });
    expect(describeCalls()).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
    expect(report.notAvailable).toEqual([]);
  });

  it.each([
    ['a malformed service id', { serviceId: 'svc-123' }, /serviceId must be a VPC endpoint service id \(vpce-svc-…\), got "svc-123"/],
    ['no allowed owner', { allowedOwners: [] }, /allowedOwners must name at least one account, got \[\]/],
    ['an owner that is not an account id', { allowedOwners: ['12345'] }, /allowedOwners must be 12-digit account ids, got "12345"/],
    ['an expected owner that is not allowed', { expectedOwners: [stranger] }, /expectedOwners must be allowed owners .*got "999900000001"/],
    ['zero attempts', { retry: { attempts: 0, delayMs: 0 } }, /retry.attempts must be a whole number of at least 1, got 0/],
  ])('fails before any call on %s', async (_case, overrides: Partial<AcceptEndpointConnectionsOptions>, message) => {
    await expect(run(overrides)).rejects.toThrow(message);
    expect(describeCalls()).toHaveLength(0);
  });
});

describe('throttleBackoffMs', () => {
  it('doubles from the delay and is capped', () => {
    expect([1, 2, 3].map((attempt) => throttleBackoffMs(1000, attempt))).toEqual([1000, 2000, 4000]);
    expect(throttleBackoffMs(1000, 10)).toBe(MAX_THROTTLE_BACKOFF_MS);
    // A delay above the cap is never shortened.
    expect(throttleBackoffMs(30_000, 3)).toBe(30_000);
  });
});
