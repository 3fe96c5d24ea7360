import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAKE_USAGE } from '../../src/bake/parseBakeArgs';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const tsxCli = resolve(workspaceRoot, 'node_modules/tsx/dist/cli.mjs');
const mainScript = resolve(workspaceRoot, 'pipelines/src/bake/main.ts');

/** Runs the CLI as the pipeline does; only argument errors and help, which need no AWS. */
function cli(args: readonly string[]) {
  const run = spawnSync(process.execPath, [tsxCli, mainScript, ...args], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    timeout: 30_000,
    // No credentials reach the CLI, so a test can never call AWS.
    env: { PATH: process.env['PATH'] ?? '', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
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
