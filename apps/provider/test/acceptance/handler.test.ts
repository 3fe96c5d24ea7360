import {
  AcceptVpcEndpointConnectionsCommand,
  DescribeVpcEndpointConnectionsCommand,
  EC2Client,
  type State,
  type VpcEndpointConnection,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const ec2Mock = mockClient(EC2Client);

const serviceId = 'vpce-svc-0123456789abcdef0';
const alpha = '210000000001';

/** A connection as EC2 returns it (wire states, see acceptEndpointConnections.test.ts). */
function connection(endpointId: string, owner: string, state: string): VpcEndpointConnection {
  return { ServiceId: serviceId, VpcEndpointId: endpointId, VpcEndpointOwner: owner, VpcEndpointState: state as State };
}

const snsEvent = { Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification', Message: '{}' } }] };

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(AcceptVpcEndpointConnectionsCommand).resolves({ Unsuccessful: [] });
});

describe('handler (the Lambda entry point)', () => {
  beforeEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('fails at cold start, naming the variable, when the environment is wrong', async () => {
    // GIVEN a function deployed without its owner list
    vi.stubEnv('SERVICE_ID', serviceId);
    vi.stubEnv('ALLOWED_OWNERS', '');
    // WHEN the runtime loads the module
    // THEN loading fails with the reason
    await expect(import('../../src/acceptance/handler')).rejects.toThrow(/ALLOWED_OWNERS must be comma-separated 12-digit account ids/);
    vi.unstubAllEnvs();
  });

  it('sweeps the configured service with a client made once at load', async () => {
    // GIVEN a correctly configured function
    vi.stubEnv('SERVICE_ID', serviceId);
    vi.stubEnv('ALLOWED_OWNERS', alpha);
    vi.stubEnv('AWS_REGION', 'us-east-2');
    ec2Mock.on(DescribeVpcEndpointConnectionsCommand).resolves({ VpcEndpointConnections: [connection('vpce-0a1', alpha, 'pendingAcceptance')] });
    const info = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // WHEN it handles a notification
      const { handler } = await import('../../src/acceptance/handler');
      const report = await handler(snsEvent);
      // THEN it accepted the consumer's connection on that service
      expect(report.accepted).toEqual([{ endpointId: 'vpce-0a1', owner: alpha }]);
      expect(ec2Mock.commandCalls(AcceptVpcEndpointConnectionsCommand)[0]?.args[0].input.ServiceId).toBe(serviceId);
      expect(info).toHaveBeenCalledWith(JSON.stringify({ level: 'info', message: 'accepted endpoint connection', serviceId, endpointId: 'vpce-0a1', owner: alpha }));
    } finally {
      info.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
