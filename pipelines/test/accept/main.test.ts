import { describe, expect, it } from 'vitest';
import { runCliScript } from '../cli/runCliScript';
import { ACCEPT_USAGE } from '../../src/accept/parseAcceptArgs';

const serviceName = 'com.amazonaws.vpce.us-east-2.vpce-svc-0123456789abcdef0';

/** Runs the CLI as the pipeline does; only argument errors and help, which need no AWS. */
function cli(args: readonly string[]) {
  return runCliScript('pipelines/src/accept/main.ts', args, 60_000);
}

describe('main (endpoint connection acceptance CLI)', () => {
  it('exits 2 with a one-line usage error when an argument is missing', () => {
    // GIVEN a command line without --owners
    // WHEN the CLI runs
    const { status, stdout, stderr } = cli(['--role-arn', 'arn:aws:iam::111111111111:role/acceptor', '--service-name', serviceName, '--region', 'us-east-2']);
    // THEN it exits 2 and prints one line naming the missing option, and no stack trace
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error: missing --owners. ${ACCEPT_USAGE}\n`);
  });

  it('exits 2 on a malformed service name', () => {
    const { status, stderr } = cli([
      '--role-arn',
      'arn:aws:iam::111111111111:role/acceptor',
      '--service-name',
      'vpce-svc-0123456789abcdef0',
      '--region',
      'us-east-2',
      '--owners',
      '210000000001',
    ]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^error: --service-name must be an endpoint service name, .*\(got "vpce-svc-0123456789abcdef0"\)\. usage: [^\n]*\n$/);
  });

  it('prints the usage and exits 0 on --help', () => {
    const { status, stdout } = cli(['--help']);
    expect(status).toBe(0);
    expect(stdout).toBe(`${ACCEPT_USAGE}\n`);
  });
});
