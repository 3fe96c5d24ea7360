import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PrivateApiApp } from '@private-api/compliance';
import { PipelineStack, pipelineStackName } from '../src/PipelineStack';
import { pipelineShape, type PipelineShape } from './pipelineShape';
import { configWithConsumers } from './scaleConfig';

/**
 * `npx nx run pipelines:bench`: for 1, 10 and 100 consumers (`BENCH_CONSUMERS=1,10,100`),
 * synthesizes the whole pipeline app in-process (provider stage, every consumer stage, both
 * compliance packs) and prints what bounds a rollout: synth time, the sequential CodePipeline
 * stages after the provider's, the largest stage's action count (CodePipeline allows 50) and the
 * pipeline template's size (CloudFormation allows 1 MB).
 */
const sizes = (process.env['BENCH_CONSUMERS'] ?? '1,10,100').split(',').map(Number);

interface Result extends PipelineShape {
  readonly seconds: number;
  readonly stacks: number;
}

function synthOnce(consumers: number): Result {
  const outdir = mkdtempSync(join(tmpdir(), `bench-synth-${consumers}-`));
  try {
    const started = performance.now();
    const app = new PrivateApiApp({ outdir });
    const config = configWithConsumers(consumers);
    const [environment] = config.environments;
    if (!environment) throw new Error('the scale config has one environment');
    const stack = new PipelineStack(app, pipelineStackName(config, environment), { config, environment });
    const assembly = app.synth();
    const seconds = (performance.now() - started) / 1000;
    const [providerStage] = stack.deploymentOrder;
    if (!providerStage) throw new Error('the pipeline deploys no provider stage');
    return { seconds, stacks: assembly.stacksRecursively.length, ...pipelineShape(assembly, stack.stackName, providerStage) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

synthOnce(1); // warm-up: module loading and the one-off Lambda bundle
const header = ['consumers', 'synth s', 'stacks', 'stages after provider', 'largest stage (actions)', 'pipeline template (bytes)'];
process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---:').join('|')}|\n`);
for (const consumers of sizes) {
  const result = synthOnce(consumers);
  const row = [
    consumers,
    result.seconds.toFixed(1),
    result.stacks,
    `${result.stagesAfterProvider.length} (${result.stagesAfterProvider.join(', ')})`,
    result.largestStageActions,
    result.templateBytes.toLocaleString('en-US'),
  ];
  process.stdout.write(`| ${row.join(' | ')} |\n`);
}
