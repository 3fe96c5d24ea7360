import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PrivateApiApp } from '@private-api/compliance';
import { PipelineStack, pipelineStackName } from '../src/PipelineStack';
import { configWithConsumers } from './scaleConfig';

/**
 * `npx nx run pipelines:bench`: times a full synth of the pipeline app (provider stage, every
 * consumer stage, both compliance packs) for 1, 10 and 100 consumers, in-process, and prints
 * the figures with the largest stack's resource count.
 */
const sizes = (process.env['BENCH_CONSUMERS'] ?? '1,10,100').split(',').map(Number);

function synthOnce(consumers: number): { seconds: number; stacks: number; largest: number } {
  const outdir = mkdtempSync(join(tmpdir(), `bench-synth-${consumers}-`));
  const started = performance.now();
  const app = new PrivateApiApp({ outdir });
  const config = configWithConsumers(consumers);
  const [environment] = config.environments;
  if (!environment) throw new Error('the scale config has one environment');
  new PipelineStack(app, pipelineStackName(config, environment), { config, environment });
  const assembly = app.synth();
  const seconds = (performance.now() - started) / 1000;
  const stacks = assembly.stacksRecursively;
  const largest = Math.max(...stacks.map((stack) => Object.keys((stack.template as { Resources: object }).Resources).length));
  rmSync(outdir, { recursive: true, force: true });
  return { seconds, stacks: stacks.length, largest };
}

synthOnce(1); // warm-up: module loading and the one-off Lambda bundle
process.stdout.write('consumers  synth s  stacks  largest stack (resources)\n');
for (const consumers of sizes) {
  const result = synthOnce(consumers);
  process.stdout.write(
    `${String(consumers).padStart(9)}  ${result.seconds.toFixed(1).padStart(7)}  ${String(result.stacks).padStart(6)}  ${result.largest}\n`,
  );
}
