import { describe, expect, it } from 'vitest';
import { bootstrapCommand } from '../../src/preflight/index';

const executionPolicyArn = (account: string): string => `arn:aws:iam::${account}:policy/cdk-execution`;

describe('bootstrapCommand', () => {
  it('trusts the pipeline account for deploys and lookups, with the account execution policy', () => {
    // GIVEN a target account and the pipeline account
    // WHEN the fix command is built
    // THEN it is the exact command to run
    expect(
      bootstrapCommand({ account: '210000000001', region: 'us-east-2' }, { pipelineAccount: '210000000009', executionPolicyArn }),
    ).toBe(
      'npx cdk bootstrap aws://210000000001/us-east-2 --trust 210000000009 --trust-for-lookup 210000000009 ' +
        '--cloudformation-execution-policies arn:aws:iam::210000000001:policy/cdk-execution',
    );
  });

  it('adds --qualifier only when it is not the default', () => {
    const target = { account: '210000000001', region: 'us-east-2' };
    expect(bootstrapCommand(target, { pipelineAccount: '210000000009', executionPolicyArn, qualifier: 'hnb659fds' })).not.toContain(
      '--qualifier',
    );
    expect(bootstrapCommand(target, { pipelineAccount: '210000000009', executionPolicyArn, qualifier: 'myteam01' })).toBe(
      'npx cdk bootstrap aws://210000000001/us-east-2 --trust 210000000009 --trust-for-lookup 210000000009 ' +
        '--cloudformation-execution-policies arn:aws:iam::210000000001:policy/cdk-execution --qualifier myteam01',
    );
  });
});
