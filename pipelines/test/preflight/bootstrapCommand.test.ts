import { describe, expect, it } from 'vitest';
import { bootstrapCommand } from '../../src/preflight/index';

describe('bootstrapCommand', () => {
  it("is the repository's bootstrap tool for the account, run with that account's credentials", () => {
    // GIVEN a target account/region
    // WHEN the fix command is built
    // THEN it is the exact command to run (the tool bootstraps every region of the account)
    expect(bootstrapCommand({ account: '210000000001', region: 'us-east-2' })).toBe(
      'AWS_PROFILE=<profile of 210000000001> npm run bootstrap -- --account 210000000001',
    );
  });

  it('never trusts an account for lookups nor names a raw cdk bootstrap', () => {
    const command = bootstrapCommand({ account: '210000000002', region: 'us-gov-west-1' });
    expect(command).toBe('AWS_PROFILE=<profile of 210000000002> npm run bootstrap -- --account 210000000002');
    expect(command).not.toMatch(/--trust-for-lookup|cdk bootstrap|AdministratorAccess/);
  });

  it('adds --qualifier only when it is not the default', () => {
    const target = { account: '210000000001', region: 'us-east-2' };
    expect(bootstrapCommand(target, { qualifier: 'hnb659fds' })).toBe(
      'AWS_PROFILE=<profile of 210000000001> npm run bootstrap -- --account 210000000001',
    );
    expect(bootstrapCommand(target, { qualifier: 'myteam01' })).toBe(
      'AWS_PROFILE=<profile of 210000000001> npm run bootstrap -- --account 210000000001 --qualifier myteam01',
    );
  });
});
