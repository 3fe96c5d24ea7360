import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { parseDeploymentConfig, selectEnvironment } from '@private-api/config';
import { fixtureInput, writeConfigFile, type MutableConfigInput } from '@private-api/testing';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The provider app as the CDK CLI runs it (tools/cdk-synth.sh, then `cdk ls`), on fixture
 * config files. No AWS credentials: synth is offline and `cdk ls` reads the assembly.
 */
const root = resolve(import.meta.dirname, '../../..');
const CLI_TIMEOUT_MS = 150_000;

const tempDirs: string[] = [];
const running = new Set<ChildProcess>();

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in its own process group, killed (with its children) on timeout or in afterAll. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => killGroup(child), CLI_TIMEOUT_MS - 10_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      running.delete(child);
      resolvePromise({ status, stdout, stderr });
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A fixture config file (after `edit`) and the out folder a synth of it would write. */
function configFile(edit: (input: MutableConfigInput) => void = () => undefined): { path: string; out: string } {
  const path = writeConfigFile(fixtureInput(edit));
  tempDirs.push(dirname(path));
  return { path, out: join(dirname(path), 'cdk.out') };
}

/** tools/cdk-synth.sh for the provider app with `-c config=<path>`, into `out`. */
function synth(config: { path: string; out: string }): Promise<RunResult> {
  return run(resolve(root, 'tools/cdk-synth.sh'), ['apps/provider', 'provider', '-c', `config=${config.path}`], {
    SYNTH_OUT_DIR: config.out,
  });
}

afterAll(() => {
  for (const child of running) killGroup(child);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('provider app (CDK CLI, fixture config)', () => {
  it(
    'synthesizes the provider stacks as the top-level stacks of the assembly, so `cdk diff` without a stack name diffs them',
    async () => {
      // GIVEN a fixture config file
      const config = configFile();
      const environment = selectEnvironment(parseDeploymentConfig(fixtureInput()));
      // WHEN the provider app is synthesized by the CLI and its stacks are listed
      const result = await synth(config);
      expect(result.status, result.stderr).toBe(0);
      const listed = await run(resolve(root, 'node_modules/.bin/cdk'), ['ls', '--app', config.out, '--long', '--json', '--no-notices']);
      expect(listed.status, listed.stderr).toBe(0);
      // THEN the root assembly holds exactly the provider's two stacks (no Stage to step into),
      // at their Provider/* paths, in the fixture's provider account and region
      const assembly = new cxapi.CloudAssembly(config.out);
      const env = `aws://${environment.provider.account}/${environment.provider.region}`;
      expect(assembly.stacks.map((stack) => [stack.hierarchicalId, stack.stackName, stack.environment.name])).toEqual([
        ['Provider/Network', `${environment.serviceName}-${environment.name}-provider-network`, env],
        ['Provider/Service', `${environment.serviceName}-${environment.name}-provider-service`, env],
      ]);
      expect(assembly.nestedAssemblies).toEqual([]);
      const stacks = JSON.parse(listed.stdout) as { name: string; environment: { account: string; region: string } }[];
      expect(stacks.map((stack) => [stack.name, stack.environment.account, stack.environment.region])).toEqual(
        assembly.stacks.map((stack) => [stack.stackName, environment.provider.account, environment.provider.region]),
      );
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'fails with one message naming the field and the value, and writes nothing, on an invalid config',
    async () => {
      // GIVEN a config whose provider account is malformed
      const config = configFile((input) => {
        const [first] = input.environments;
        if (first) first.provider.account = '1111';
      });
      // WHEN the provider app is synthesized with it
      const result = await synth(config);
      // THEN synth stops with a readable message, no stack trace, and no output folder
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`Invalid deployment config ${config.path}:`);
      expect(result.stderr).toContain('environments[0].provider.account: must be a 12-digit AWS account id (got "1111")');
      expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
      expect(existsSync(config.out)).toBe(false);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'fails naming service.image.directory when the image directory does not exist, and writes nothing',
    async () => {
      // GIVEN a config whose service image directory is not in the repository
      const config = configFile((input) => {
        if (input.service) input.service.image = { directory: 'libs/testing/fixtures/no-such-image' };
      });
      // WHEN the provider app is synthesized with it
      const result = await synth(config);
      // THEN synth stops naming the field and the value
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('service.image.directory: is not a folder of the repository');
      expect(result.stderr).toContain('(got "libs/testing/fixtures/no-such-image")');
      expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
      expect(existsSync(config.out)).toBe(false);
    },
    CLI_TIMEOUT_MS,
  );
});
