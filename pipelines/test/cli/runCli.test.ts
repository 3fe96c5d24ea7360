import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CliArgsParse, type CliProps, runCli, USAGE_ERROR } from '../../src/cli/runCli';

const USAGE = 'usage: step --name NAME';

/** A CLI whose parser takes `--name NAME` only, running `run`. */
function props(run: (args: { name: string }) => Promise<number>): CliProps<{ name: string }> {
  return {
    usage: USAGE,
    parse: (argv): CliArgsParse<{ name: string }> => {
      if (argv[0] === '--help') return { kind: 'help' };
      if (argv[0] !== '--name' || argv[1] === undefined) return { kind: 'error', message: `error: bad. ${USAGE}` };
      return { kind: 'args', args: { name: argv[1] } };
    },
    run,
    failurePrefix: '✗ Step FAILED',
    failureExitCode: 1,
  };
}

describe('runCli', () => {
  let stdout: string[];
  let stderr: string[];
  const exitCodeBefore = process.exitCode;

  beforeEach(() => {
    stdout = [];
    stderr = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = exitCodeBefore;
  });

  it('prints the usage to stdout and sets exit code 0 on help, without running the step', async () => {
    const run = vi.fn(() => Promise.resolve(0));
    await runCli(['--help'], props(run));
    const exitCode = process.exitCode;
    expect({ exitCode, stdout, stderr }).toEqual({ exitCode: 0, stdout: [`${USAGE}\n`], stderr: [] });
    expect(run).not.toHaveBeenCalled();
  });

  it('prints a usage error to stderr and sets exit code 2, without running the step', async () => {
    const run = vi.fn(() => Promise.resolve(0));
    await runCli(['positional'], props(run));
    const exitCode = process.exitCode;
    expect({ exitCode, stdout, stderr }).toEqual({ exitCode: USAGE_ERROR, stdout: [], stderr: [`error: bad. ${USAGE}\n`] });
    expect(USAGE_ERROR).toBe(2);
    expect(run).not.toHaveBeenCalled();
  });

  it('runs the step on valid arguments and sets its exit code', async () => {
    const run = vi.fn(() => Promise.resolve(1));
    await runCli(['--name', 'alpha'], props(run));
    const exitCode = process.exitCode;
    expect(exitCode).toBe(1);
    expect(run).toHaveBeenCalledWith({ name: 'alpha' });
  });

  it('prints a rejection as one prefixed line, without a stack trace, and sets the failure exit code', async () => {
    await runCli(['--name', 'alpha'], props(() => Promise.reject(new Error('AWS said no'))));
    const exitCode = process.exitCode;
    expect({ exitCode, stdout, stderr }).toEqual({ exitCode: 1, stdout: [], stderr: ['✗ Step FAILED: AWS said no\n'] });
  });

  it('prints a rejection with a non-Error value as that value', async () => {
    await runCli(['--name', 'alpha'], props(() => Promise.reject('plain')));
    expect(stderr).toEqual(['✗ Step FAILED: plain\n']);
  });
});
