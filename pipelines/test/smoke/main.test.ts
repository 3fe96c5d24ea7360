import { describe, expect, it } from 'vitest';
import { runCliScript } from '../cli/runCliScript';
import { SMOKE_USAGE } from '../../src/smoke/parseSmokeArgs';

/** Runs the CLI as the pipeline does; only argument errors and help, which need no AWS. */
function cli(args: readonly string[]) {
  return runCliScript('pipelines/src/smoke/main.ts', args);
}

describe('main (smoke-test CLI)', () => {
  it('exits 2 with a one-line usage error when an argument is missing', () => {
    // GIVEN a command line without --role-arn
    // WHEN the CLI runs
    const { status, stdout, stderr } = cli(['--consumer', 'alpha', '--function-name', 'smoke', '--region', 'us-east-2']);
    // THEN it exits 2 and prints one line naming the missing option, and no stack trace
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error: missing --role-arn. ${SMOKE_USAGE}\n`);
  });

  it('exits 2 on an invalid value', () => {
    const { status, stderr } = cli(['--consumer', 'alpha', '--role-arn', 'nope', '--function-name', 'smoke', '--region', 'us-east-2']);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^error: --role-arn must be an IAM role ARN .*\(got "nope"\)\. usage: /);
  });

  it('prints the usage and exits 0 on --help', () => {
    const { status, stdout } = cli(['--help']);
    expect(status).toBe(0);
    expect(stdout).toBe(`${SMOKE_USAGE}\n`);
  });
});
