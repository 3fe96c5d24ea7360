import {
  AcceptVpcEndpointConnectionsCommand,
  DescribeVpcEndpointConnectionsCommand,
  EC2Client,
  type State,
  type VpcEndpointConnection,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAcceptanceHandler, type AcceptanceLog } from '../../src/acceptance/createAcceptanceHandler';

const ec2Mock = mockClient(EC2Client);

const serviceId = 'vpce-svc-0123456789abcdef0';
const alpha = '210000000001';
const stranger = '999900000001';

/** A connection as EC2 returns it (wire states, see acceptEndpointConnections.test.ts). */
function connection(endpointId: string, owner: string, state: string): VpcEndpointConnection {
  return { ServiceId: serviceId, VpcEndpointId: endpointId, VpcEndpointOwner: owner, VpcEndpointState: state as State };
}

/** An SNS event as Lambda delivers it; the handler does not read the message. */
const snsEvent = {
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-2:111111111111:endpoint-events:4f1c2a3b-0000-4000-8000-000000000000',
      Sns: {
        Type: 'Notification',
        MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
        TopicArn: 'arn:aws:sns:us-east-2:111111111111:endpoint-events',
        Message: '{"any":"connection notification"}',
        Timestamp: '2030-01-01T00:00:00.000Z',
      },
    },
  ],
};

function capture() {
  const lines: { level: keyof AcceptanceLog; entry: Record<string, unknown> }[] = [];
  const record = (level: keyof AcceptanceLog) => (line: string) => lines.push({ level, entry: JSON.parse(line) as Record<string, unknown> });
  const log: AcceptanceLog = { info: record('info'), warn: record('warn'), error: record('error') };
  return { lines, log };
}

function handlerWith(log: AcceptanceLog) {
  return createAcceptanceHandler({
    ec2: new EC2Client({ region: 'us-east-2' }),
    config: { serviceId, allowedOwners: [alpha] },
    log,
    sleep: () => Promise.resolve(),
  });
}

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(AcceptVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
});

describe('createAcceptanceHandler', () => {
  it('accepts allowed owners, leaves strangers pending, and logs one JSON line for each', async () => {
    // GIVEN a pending connection from an allowed consumer and one from a stranger
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({
      VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance'), connection('vpce-0f1', stranger, 'pendingAcceptance')],
    });
    const { lines, log } = capture();
    // WHEN a notification arrives
    const report = await handlerWith(log)(snsEvent);
    // THEN only the consumer's connection is accepted
    expect(ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand).map((call) => call.args[0].input)).toEqual([
      { ServiceId: serviceId, VpcEndpointIds: ['vpce-0a1'] },
    ]);
    expect(report.accepted).toEqual([{ endpointId: 'vpce-0a1', owner: alpha }]);
    // AND the log says so, the stranger at warn level with owner and endpoint id
    expect(lines).toContainEqual({
      level: 'info',
      entry: { level: 'info', message: 'accepted endpoint connection', serviceId, endpointId: 'vpce-0a1', owner: alpha },
    });
    expect(lines).toContainEqual({
      level: 'warn',
      entry: {
        level: 'warn',
        message: 'left endpoint connection pending: owner is not an allowed consumer',
        serviceId,
        endpointId: 'vpce-0f1',
        owner: stranger,
      },
    });
    // AND one describe was enough: the handler does not wait for anything
    expect(ec2Mock.commandCalls(DescribeVpcEndpointConnectionsCommand)).toHaveLength(1);
  });

  it('sweeps on any event, whatever the message says', async () => {
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance')] });
    const { log } = capture();
    const report = await handlerWith(log)({});
    expect(report.accepted).toHaveLength(1);
  });

  it('throws naming the endpoint, owner and error when an accept failed', async () => {
    // GIVEN EC2 refuses to accept the consumer's connection
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance')] });
    ec2Mock.on(AcceptVpcEndpointConnectionsCommand).resolves({
      Unsuccessful: [{ ResourceId: 'vpce-0a1', Error: { Code: 'InvalidState', Message: 'not pending acceptance' } }],
    });
    const { lines, log } = capture();
    // WHEN a notification arrives
    // THEN the invocation fails (Lambda retries it and counts an error), and the log has the detail
    await expect(handlerWith(log)(snsEvent)).rejects.toThrow(
      `could not accept 1 endpoint connection(s) to ${serviceId}: vpce-0a1 (account ${alpha}): InvalidState: not pending acceptance`,
    );
    expect(lines.filter((line) => line.level === 'error').map((line) => line.entry)).toEqual([
      { level: 'error', message: 'could not accept endpoint connection', serviceId, endpointId: 'vpce-0a1', owner: alpha, code: 'InvalidState', error: 'not pending acceptance' },
    ]);
  });

  it('lets an EC2 error other than throttling fail the invocation', async () => {
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
    const { log } = capture();
    await expect(handlerWith(log)(snsEvent)).rejects.toThrow('not authorized');
  });
});
