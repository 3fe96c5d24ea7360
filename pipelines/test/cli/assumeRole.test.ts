import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { assumeRole } from '../../src/cli/assumeRole';

const sts = mockClient(STSClient);
const roleArn = 'arn:aws:iam::210000000001:role/fixture-api-qa-alarm-reader';

describe('assumeRole', () => {
  afterEach(() => {
    sts.reset();
  });

  it('asks STS for the role, the session name and the duration, and returns the credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'AKIA1', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date() } });
    const outcome = await assumeRole(new STSClient({ region: 'us-east-2' }), { roleArn, sessionName: 'bake-1', durationSeconds: 1200 });
    expect(outcome).toEqual({ credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'secret', sessionToken: 'token' } });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({ RoleArn: roleArn, RoleSessionName: 'bake-1', DurationSeconds: 1200 });
  });

  it('says why when STS answers without credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    expect(await assumeRole(new STSClient({ region: 'us-east-2' }), { roleArn, sessionName: 's', durationSeconds: 900 })).toEqual({
      problem: `could not assume role ${roleArn}: AssumeRole returned no credentials`,
    });
  });

  it('turns an error into one line, with the caller’s wording when it gives one, and never throws', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' });
    sts.on(AssumeRoleCommand).rejects(denied);
    const client = new STSClient({ region: 'us-east-2' });
    expect(await assumeRole(client, { roleArn, sessionName: 's', durationSeconds: 900 })).toEqual({
      problem: `could not assume role ${roleArn}: AccessDenied: User is not authorized to perform: sts:AssumeRole`,
    });
    expect(await assumeRole(client, { roleArn, sessionName: 's', durationSeconds: 900, describe: () => 'denied' })).toEqual({
      problem: `could not assume role ${roleArn}: denied`,
    });
  });
});
