import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { managedConsumers, parseDeploymentConfig } from '@private-api/config';
import { fixtureInput, writeConfigFile, type MutableConfigInput } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** Runs the real synth script (CDK CLI) for the consumer app into a temporary folder. */
function synth(configPath: string) {
  const out = join(mkdtempSync(join(tmpdir(), 'synth-consumer-')), 'cdk.out');
  const result = spawnSync(resolve(root, 'tools/cdk-synth.sh'), ['apps/consumer', 'consumer', '-c', `config=${configPath}`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SYNTH_OUT_DIR: out },
  });
  return { ...result, out };
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: { readonly stackName?: string };
}

describe('consumer app (CDK CLI, fixture config)', () => {
  let input: MutableConfigInput;
  let result: ReturnType<typeof synth>;

  beforeAll(() => {
    // GIVEN the fixture config as a file WHEN the consumer app is synthesized by the CDK CLI
    input = fixtureInput();
    result = synth(writeConfigFile(input));
  });

  it("puts exactly one stack per managed consumer at the top of the assembly, each in its consumer's account", () => {
    expect(result.status, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(result.out, 'manifest.json'), 'utf8')) as { artifacts: Record<string, ManifestArtifact> };
    const artifacts = Object.values(manifest.artifacts);
    // No nested assembly: `cdk diff` without a selector sees every stack.
    expect(artifacts.filter((artifact) => artifact.type === 'cdk:cloud-assembly')).toEqual([]);
    const stacks = artifacts
      .filter((artifact) => artifact.type === 'aws:cloudformation:stack')
      .map((artifact) => ({ path: artifact.displayName, environment: artifact.environment }));
    // The app synthesizes the first environment by default.
    const [environment] = parseDeploymentConfig(input).environments;
    if (!environment) throw new Error('the fixture has an environment');
    // One stack per consumer, new VPC or existing.
    const expected = managedConsumers(environment).map((consumer) => ({
      path: `Consumer-${consumer.name}/Endpoint`,
      environment: `aws://${consumer.account}/${consumer.region}`,
    }));
    expect(stacks.sort((a, b) => String(a.path).localeCompare(String(b.path)))).toEqual(
      expected.sort((a, b) => a.path.localeCompare(b.path)),
    );
  });

  it('fails with one readable message naming the field and the value, and writes nothing, on an invalid config', () => {
    // GIVEN a config whose second consumer is a wildcard account
    const invalid = writeConfigFile(
      fixtureInput((config) => {
        const consumer = config.environments[0]?.consumers[1];
        if (consumer) consumer.account = '*';
      }),
    );
    // WHEN the consumer app is synthesized with it
    const failed = synth(invalid);
    // THEN synth stops with one message, no stack trace, and no output folder
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain(`Invalid deployment config ${invalid}:`);
    expect(failed.stderr).toContain('environments[0].consumers[1].account: must be a 12-digit AWS account id (got "*")');
    expect(failed.stderr.split('Invalid deployment config')).toHaveLength(2);
    expect(failed.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(existsSync(failed.out)).toBe(false);
  });
});
