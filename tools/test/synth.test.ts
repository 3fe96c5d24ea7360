import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSummary, summarizeAssembly } from '../summarizeAssembly';

const root = resolve(import.meta.dirname, '../..');

/** Runs the real synth script (CDK CLI) for one app into a temporary folder. */
function synth(project: 'provider' | 'consumer', configPath?: string) {
  const out = join(mkdtempSync(join(tmpdir(), `synth-${project}-`)), 'cdk.out');
  const args = [`apps/${project}`, project, ...(configPath ? ['-c', `config=${configPath}`] : [])];
  const result = spawnSync(resolve(root, 'tools/cdk-synth.sh'), args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SYNTH_OUT_DIR: out },
  });
  return { ...result, out };
}

function writeConfig(edit: (source: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-config-'));
  const path = join(dir, 'deploy.config.ts');
  writeFileSync(path, edit(readFileSync(resolve(root, 'deploy.config.ts'), 'utf8')));
  return path;
}

describe('synth (CDK CLI, example config)', () => {
  it('synthesizes every consumer stage offline and summarizes it', () => {
    // GIVEN the example config WHEN the consumer app is synthesized
    const result = synth('consumer');
    // THEN it succeeds and the assembly holds one stage per consumer, in its own account
    expect(result.status, result.stderr).toBe(0);
    const summary = summarizeAssembly(result.out);
    expect(summary.map(({ stage, account, region }) => ({ stage, account, region }))).toEqual(
      expect.arrayContaining([
        { stage: 'Consumer-orders', account: '222222222222', region: 'eu-west-1' },
        { stage: 'Consumer-billing', account: '333333333333', region: 'eu-west-1' },
      ]),
    );
    const table = formatSummary(summary.map((stage) => ({ project: 'consumer', ...stage })));
    expect(table.split('\n')[0]).toMatch(/^project\s+stage\s+account\s+region\s+stack\s+resources$/);
    expect(table).toMatch(/consumer\s+Consumer-orders\s+222222222222\s+eu-west-1\s+task-api-staging-consumer-orders-endpoint\s+\d+/);
  });

  it('fails with one message naming the field and the value, and writes nothing, on an invalid config', () => {
    // GIVEN a config whose provider account is malformed
    const config = writeConfig((source) => source.replace("account: '111111111111'", "account: '1111'"));
    // WHEN the provider app is synthesized with it
    const result = synth('provider', config);
    // THEN synth stops with a readable message, no stack trace, and no output folder
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`Invalid deployment config ${config}:`);
    expect(result.stderr).toContain('environments[0].provider.account: must be a 12-digit AWS account id (got "1111")');
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(existsSync(result.out)).toBe(false);
  });

  it('fails the same way when a consumer is a wildcard', () => {
    const config = writeConfig((source) => source.replace("account: '333333333333'", "account: '*'"));
    const result = synth('consumer', config);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('environments[0].consumers[1].account: must be a 12-digit AWS account id (got "*")');
    expect(existsSync(result.out)).toBe(false);
  });
});

describe('repository', () => {
  it('types no endpoint service id anywhere: consumers read it from the shared parameter', () => {
    const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
      .stdout.split('\n')
      .filter((file) => file && !file.endsWith('package-lock.json') && existsSync(resolve(root, file)));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((file) => /vpce-svc-[0-9a-f]{8,}/.test(readFileSync(resolve(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
