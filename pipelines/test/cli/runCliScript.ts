import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const tsxCli = resolve(workspaceRoot, 'node_modules/tsx/dist/cli.mjs');

/** What a CLI run printed and how it exited. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI at `script` (relative to the workspace root) as the pipeline does, with tsx. Meant
 * for argument errors and help, which need no AWS: no credentials reach the CLI, so a test can
 * never call AWS.
 */
export function runCliScript(script: string, args: readonly string[], timeoutMs = 30_000): CliRun {
  const run = spawnSync(process.execPath, [tsxCli, resolve(workspaceRoot, script), ...args], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { PATH: process.env['PATH'] ?? '', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
