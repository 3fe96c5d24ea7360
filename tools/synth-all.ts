import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDeploymentConfig, type DeploymentConfig } from '@private-api/config';
import { formatSummary, summarizeAssembly, type StageSummary } from './summarizeAssembly';

/**
 * The main job (`npm run synth`): synthesizes every CDK app of the workspace (provider and
 * consumer for the first environment, the pipeline with every environment, when the config has
 * a pipeline) and the consumer kits of self-managed consumers, from the deployment config
 * (offline, through Nx so unchanged apps come from the cache) into dist/, then prints what
 * would be deployed where.
 */
const root = resolve(__dirname, '..');
const extraArgs = process.argv.slice(2);
const kitsDirectory = resolve(root, 'dist', 'consumer-kits');

function fail(message: string): never {
  process.stderr.write(`Synth failed: ${message}\n`);
  process.exit(1);
}

/** Every kit folder (dist/consumer-kits/<environment>/<consumer>), relative to the workspace. */
function kitFolders(): string[] {
  if (!existsSync(kitsDirectory)) return [];
  return readdirSync(kitsDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((environment) =>
      readdirSync(join(kitsDirectory, environment.name), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((consumer) => relative(root, join(kitsDirectory, environment.name, consumer.name))),
    );
}

async function main(): Promise<void> {
  let config: DeploymentConfig;
  try {
    config = await loadDeploymentConfig(resolve(root, 'deploy.config.ts'));
  } catch (error) {
    // Nothing half-written: an invalid config leaves no assembly of an earlier run behind.
    for (const project of ['provider', 'consumer', 'pipelines']) rmSync(resolve(root, 'dist', project, 'cdk.out'), { recursive: true, force: true });
    rmSync(kitsDirectory, { recursive: true, force: true });
    fail(error instanceof Error ? error.message : String(error));
  }
  // Teams that deploy by hand have no pipeline section: the pipeline app is not theirs to build.
  const apps = config.pipeline ? ['provider', 'consumer', 'pipelines'] : ['provider', 'consumer'];

  const started = performance.now();
  const nx = spawnSync(
    resolve(root, 'node_modules/.bin/nx'),
    ['run-many', '-t', 'synth', 'kit', '-p', apps.join(','), '--outputStyle=static', ...extraArgs],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NX_NO_CLOUD: 'true' } },
  );
  if (nx.status !== 0) {
    process.stderr.write('\nSynth failed: see the message above. The failing app left nothing in dist/.\n');
    process.exit(nx.status ?? 1);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  let rows: (StageSummary & { project: string })[];
  try {
    rows = apps.flatMap((project) =>
      summarizeAssembly(resolve(root, 'dist', project, 'cdk.out')).map((stage) => ({ project, ...stage })),
    );
  } catch (error) {
    fail(`summary: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.stdout.write(`\n${formatSummary(rows)}\n\n`);
  const kits = kitFolders();
  process.stdout.write(
    kits.length > 0
      ? `Consumer kits (self-managed consumers deploy these themselves):\n${kits.map((kit) => `  ${kit}/  template.json  values.json  README.md`).join('\n')}\n\n`
      : 'Consumer kits: none (no self-managed consumer in the config)\n\n',
  );
  if (!config.pipeline) process.stdout.write('Pipeline app: skipped (the config has no pipeline section)\n');
  process.stdout.write(
    `Synthesized ${rows.length} stages, ${rows.reduce((sum, row) => sum + row.stacks.length, 0)} stacks and ${kits.length} consumer kit(s) in ${seconds}s into dist/\n`,
  );
}

void main();
