import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatSummary, summarizeAssembly } from './summarizeAssembly';

/**
 * The main job (`npm run synth`): synthesizes every CDK app of the workspace (provider and
 * consumer for the first environment, the pipeline with every environment) from the
 * deployment config (offline, through Nx so unchanged apps come from the cache) into
 * dist/<project>/cdk.out, then prints what would be deployed where.
 */
const CDK_APPS = ['provider', 'consumer', 'pipelines'] as const;
const root = resolve(__dirname, '..');
const extraArgs = process.argv.slice(2);

const started = performance.now();
const nx = spawnSync(
  resolve(root, 'node_modules/.bin/nx'),
  ['run-many', '-t', 'synth', '-p', CDK_APPS.join(','), '--outputStyle=static', ...extraArgs],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NX_NO_CLOUD: 'true' } },
);
if (nx.status !== 0) {
  process.stderr.write('\nSynth failed: see the message above. The failing app left nothing in dist/.\n');
  process.exit(nx.status ?? 1);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
let rows: ReturnType<typeof summarizeAssembly>[number] extends infer S ? (S & { project: string })[] : never;
try {
  rows = CDK_APPS.flatMap((project) =>
    summarizeAssembly(resolve(root, 'dist', project, 'cdk.out')).map((stage) => ({ project, ...stage })),
  );
} catch (error) {
  process.stderr.write(`Synth summary failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.stdout.write(`\n${formatSummary(rows)}\n\n`);
process.stdout.write(
  `Synthesized ${rows.length} stages, ${rows.reduce((sum, row) => sum + row.stacks.length, 0)} stacks in ${seconds}s into dist/<project>/cdk.out\n`,
);
