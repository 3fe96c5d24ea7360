import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** The projects `nx affected` would run for a change to these files (what CI lints, tests and synthesizes). */
function affectedBy(...files: string[]): string[] {
  const result = spawnSync(
    resolve(root, 'node_modules/.bin/nx'),
    ['show', 'projects', '--affected', `--files=${files.join(',')}`, '--json'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' } },
  );
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as string[]).sort();
}

// workspace-tools holds the repository-wide checks (no endpoint service id typed anywhere, Nx
// inputs, the license): they read every file, so every change runs them.
describe('per-team builds (nx affected)', () => {
  it('a change under apps/consumer touches only the consumer, the pipeline and the repository-wide checks', () => {
    expect(affectedBy('apps/consumer/src/ConsumerStage.ts')).toEqual(['consumer', 'pipelines', 'workspace-tools']);
  });

  it('a change to the task API rebuilds it, the provider (its image) and the pipeline, never the consumer', () => {
    expect(affectedBy('apps/task-api/src/app.ts')).toEqual(['pipelines', 'provider', 'task-api', 'workspace-tools']);
  });

  it('a change to a shared library reaches every app that uses it', () => {
    expect(affectedBy('libs/privatelink/src/ConsumerEndpoint.ts')).toEqual(
      expect.arrayContaining(['consumer', 'pipelines', 'privatelink', 'provider']),
    );
    expect(affectedBy('libs/privatelink/src/ConsumerEndpoint.ts')).not.toContain('task-api');
  });

  it('a change to the deployment config re-synthesizes every CDK app', () => {
    expect(affectedBy('deploy.config.ts')).toEqual(expect.arrayContaining(['consumer', 'pipelines', 'provider']));
  });
});
