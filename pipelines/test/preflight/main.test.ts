import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fixtureInput, writeConfigFile } from '@private-api/testing';
import { afterAll, describe, expect, it } from 'vitest';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const tsxCli = resolve(workspaceRoot, 'node_modules/tsx/dist/cli.mjs');
const mainScript = resolve(workspaceRoot, 'pipelines/src/preflight/main.ts');
const configFolders: string[] = [];

afterAll(() => {
  for (const folder of configFolders) rmSync(folder, { recursive: true, force: true });
});

describe('main (preflight CLI)', () => {
  it('exits 2 with one readable line naming `pipeline` and what to do when the config has no pipeline section', () => {
    // GIVEN the fixture config without its pipeline section, in a file
    const configPath = writeConfigFile(
      fixtureInput((input) => {
        delete input.pipeline;
      }),
    );
    configFolders.push(dirname(configPath));
    // WHEN the preflight runs on it, without credentials (it must stop before calling AWS)
    const run = spawnSync(process.execPath, [tsxCli, mainScript, configPath], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env['PATH'] ?? '', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    // THEN it names the missing section and both ways forward, with no stack trace
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^preflight failed: /);
    expect(run.stderr).toMatch(
      /^ {2}- pipeline: is required by the preflight check: add a pipeline section \(account, region, repository, connectionArn\), or deploy the provider and consumer apps by hand/m,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
