import { describe, expect, it } from 'vitest';
import { bootstrapCommand } from '../../src/preflight/index';

const executionPolicyArn = (account: string): string => `arn:aws:iam::${account}:policy/cdk-execution`;

describe('bootstrapCommand', () => {
  it('trusts the pipeline account for deploys and lookups, with the account execution policy', () => {
    // GIVEN a target account and the pipeline account
    // WHEN the fix command is built
    // THEN it is the exact command to run
    expect(
      bootstrapCommand({ account: '222222222222', region: 'eu-west-1' }, { pipelineAccount: '111111111111', executionPolicyArn }),
    ).toBe(
      'npx cdk bootstrap aws://222222222222/eu-west-1 --trust 111111111111 --trust-for-lookup 111111111111 ' +
        '--cloudformation-execution-policies arn:aws:iam::222222222222:policy/cdk-execution',
    );
  });

  it('adds --qualifier only when it is not the default', () => {
    const target = { account: '222222222222', region: 'eu-west-1' };
    expect(bootstrapCommand(target, { pipelineAccount: '111111111111', executionPolicyArn, qualifier: 'hnb659fds' })).not.toContain(
      '--qualifier',
    );
    expect(bootstrapCommand(target, { pipelineAccount: '111111111111', executionPolicyArn, qualifier: 'myteam01' })).toBe(
      'npx cdk bootstrap aws://222222222222/eu-west-1 --trust 111111111111 --trust-for-lookup 111111111111 ' +
        '--cloudformation-execution-policies arn:aws:iam::222222222222:policy/cdk-execution --qualifier myteam01',
    );
  });
});
