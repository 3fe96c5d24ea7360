import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  environmentsOf,
  loadDeploymentConfig,
  managedConsumers,
  requirePipeline,
  selfManagedConsumers,
  type DeploymentConfig,
} from '@private-api/config';
import { readComplianceFindings } from '@private-api/compliance';
import { fixtureInput, writeConfigFile } from '@private-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const workspaceRoot = resolve(import.meta.dirname, '../..');
const temporary: string[] = [];

/**
 * Runs the pipeline app as the `pipelines:synth` target does (the CDK CLI through
 * tools/cdk-synth.sh), into a temporary cloud assembly, with no AWS credentials.
 */
function synthPipelineApp(args: readonly string[]): { status: number | null; stderr: string; assembly: string } {
  const folder = mkdtempSync(join(tmpdir(), 'pipeline-app-'));
  temporary.push(folder);
  const assembly = join(folder, 'cdk.out');
  const run = spawnSync('bash', [resolve(workspaceRoot, 'tools/cdk-synth.sh'), 'pipelines', 'pipelines', ...args], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    timeout: 240_000,
    killSignal: 'SIGKILL',
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? folder,
      SYNTH_OUT_DIR: assembly,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  return { status: run.status, stderr: run.stderr, assembly };
}

afterAll(() => {
  for (const folder of temporary) rmSync(folder, { recursive: true, force: true });
});

describe('pipeline app (main.ts) with a config that has no pipeline section', () => {
  it('fails with one readable line naming `pipeline` and what to do, and leaves no assembly behind', () => {
    // GIVEN the fixture config without its pipeline section, in a file
    const configPath = writeConfigFile(
      fixtureInput((input) => {
        delete input.pipeline;
      }),
    );
    temporary.push(dirname(configPath));
    // WHEN the pipeline app is synthesized with it
    const { status, stderr, assembly } = synthPipelineApp(['-c', `config=${configPath}`]);
    // THEN synth fails with the config error, no stack trace
    expect(status).not.toBe(0);
    expect(stderr).toMatch(
      /^ {2}- pipeline: is required by the pipeline app: add a pipeline section \(account, region, repository, connectionArn\), or deploy the provider and consumer apps by hand/m,
    );
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(assembly)).toBe(false);
  });
});

describe('pipeline app (main.ts) for one environment, as its pipeline synthesizes it (-c environment=qa)', () => {
  it("writes that environment's pipeline and stages only: no other environment's template or account in the assembly", () => {
    // GIVEN the fixture config in a file (qa and live, different accounts)
    const input = fixtureInput();
    const configPath = writeConfigFile(input);
    temporary.push(dirname(configPath));
    // WHEN the pipeline app is synthesized for qa
    const { status, stderr, assembly: assemblyDirectory } = synthPipelineApp(['-c', `config=${configPath}`, '-c', 'environment=qa']);
    // THEN only the qa pipeline and the qa stages are in it
    expect(status, stderr).toBe(0);
    const assembly = new cxapi.CloudAssembly(assemblyDirectory);
    const stackNames = assembly.stacksRecursively.map((artifact) => artifact.stackName);
    expect(assembly.stacks.map((artifact) => artifact.stackName)).toEqual([`${input.service?.name ?? ""}-qa-pipeline`]);
    expect(stackNames.filter((name) => !name.startsWith(`${input.service?.name ?? ""}-qa-`))).toEqual([]);
    const live = input.environments.find((environment) => environment.name === 'live');
    const liveAccounts = [live?.provider.account, ...(live?.consumers ?? []).map((consumer) => consumer.account)];
    const everything = readdirSync(assemblyDirectory, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.json'))
      .map((file) => readFileSync(join(assemblyDirectory, file), 'utf8'))
      .join('\n');
    for (const account of liveAccounts) expect(everything).not.toContain(String(account));
  }, 300_000);

  it('fails naming the environment when it is not one of the config', () => {
    const configPath = writeConfigFile(fixtureInput());
    temporary.push(dirname(configPath));
    const { status, stderr, assembly } = synthPipelineApp(['-c', `config=${configPath}`, '-c', 'environment=nowhere']);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/- environment: is not an environment of the config \(qa, live\)/);
    expect(existsSync(assembly)).toBe(false);
  }, 300_000);
});

// The one test that reads the repository's own config (a fork replaces it). A fork that drops the
// optional pipeline section has no pipeline app: for it, the app must say so and write nothing.
const exampleConfig = await loadDeploymentConfig(resolve(workspaceRoot, 'deploy.config.ts'));

describe('pipeline app (main.ts) with the example deploy.config.ts', () => {
  const config: DeploymentConfig = exampleConfig;
  let status: number | null;
  let stderr: string;
  let assemblyDirectory: string;

  beforeAll(() => {
    // GIVEN the repository's own config WHEN the pipeline app is synthesized exactly as the
    // pipelines:synth target does (no -c config: main.ts reads deploy.config.ts itself)
    ({ status, stderr, assembly: assemblyDirectory } = synthPipelineApp([]));
  }, 300_000);

  it('synthesizes the whole app with zero unacknowledged compliance findings (or, without a pipeline section, says so)', () => {
    if (config.pipeline === undefined) {
      expect(status).not.toBe(0);
      expect(stderr).toMatch(/- pipeline: is required by the pipeline app/);
      expect(existsSync(assemblyDirectory)).toBe(false);
      return;
    }
    expect(status, stderr).toBe(0);
    expect(readComplianceFindings(assemblyDirectory)).toEqual([]);
  });

  it('puts one pipeline stack per environment in the pipeline account and one stage per provider and managed consumer', () => {
    if (config.pipeline === undefined) {
      // No pipeline section: nothing was synthesized, and every caller gets the same clear error.
      expect(() => requirePipeline(config, 'the pipeline app')).toThrow(/pipeline: is required by the pipeline app/);
      return;
    }
    const pipeline = requirePipeline(config, 'the test');
    const assembly = new cxapi.CloudAssembly(assemblyDirectory);
    for (const environment of environmentsOf(config)) {
      const pipelineStack = assembly.getStackByName(`${config.serviceName}-${environment.name}-pipeline`);
      expect([pipelineStack.environment.account, pipelineStack.environment.region]).toEqual([pipeline.account, pipeline.region]);
    }

    const stackNames = assembly.stacksRecursively.map((artifact) => artifact.stackName);
    for (const environment of environmentsOf(config)) {
      const prefix = `${config.serviceName}-${environment.name}`;
      expect(stackNames).toContain(`${prefix}-provider-service`);
      for (const consumer of managedConsumers(environment)) {
        expect(stackNames).toContain(`${prefix}-consumer-${consumer.name}-endpoint`);
      }
      for (const consumer of selfManagedConsumers(environment)) {
        expect(stackNames.filter((name) => name.startsWith(`${prefix}-consumer-${consumer.name}-`))).toEqual([]);
      }
    }
  });
});
