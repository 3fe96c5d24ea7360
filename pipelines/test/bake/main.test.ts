import { describe, expect, it } from 'vitest';
import { runCliScript } from '../cli/runCliScript';
import { BAKE_USAGE } from '../../src/bake/parseBakeArgs';

/** Runs the CLI as the pipeline does; only argument errors and help, which need no AWS. */
function cli(args: readonly string[]) {
  return runCliScript('pipelines/src/bake/main.ts', args);
}

describe('main (bake CLI)', () => {
  it('exits 2 with a one-line usage error when an argument is missing', () => {
    // GIVEN a command line without --minutes
    // WHEN the CLI runs
    const { status, stdout, stderr } = cli(['--role-arn', 'arn:aws:iam::111111111111:role/reader', '--region', 'us-east-2', '--alarms', 'a']);
    // THEN it exits 2 and prints one line naming the missing option, and no stack trace
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error: missing --minutes. ${BAKE_USAGE}\n`);
  });

  it('prints the usage and exits 0 on --help', () => {
    const { status, stdout } = cli(['--help']);
    expect(status).toBe(0);
    expect(stdout).toBe(`${BAKE_USAGE}\n`);
  });
});
