import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { managedConsumers, selfManagedConsumers, type DeploymentConfig } from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { fixtureConfig, type MutableConfigInput } from '@private-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineStack, pipelineStackName } from '../src/PipelineStack';
import { buildSpecOf, pipelineStages, titleOf } from './pipelineTemplate';

const outdirs: string[] = [];

/** Synthesizes one pipeline per environment of `config`, both compliance packs on (throws on any finding). */
function synthesizeAll(config: DeploymentConfig) {
  const outdir = mkdtempSync(join(tmpdir(), 'pipeline-variant-'));
  outdirs.push(outdir);
  const app = new PrivateApiApp({ outdir });
  const stacks = config.environments.map((environment) => new PipelineStack(app, pipelineStackName(config, environment), { config, environment }));
  app.synth();
  return stacks.map((stack) => {
    const template = Template.fromStack(stack);
    return { stack, template, stages: pipelineStages(template) };
  });
}

type Synthesized = ReturnType<typeof synthesizeAll>[number];

/** Drops the fixture's self-managed consumers. */
function withoutSelfManaged(input: MutableConfigInput): void {
  for (const environment of input.environments) {
    environment.consumers = environment.consumers.filter((consumer) => consumer.selfManaged !== true);
  }
}

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('PipelineStack with an environment whose consumers are all self-managed', () => {
  // GIVEN qa without its self-managed consumer, and live whose only consumer deploys its own endpoint
  const config = fixtureConfig((input) => {
    withoutSelfManaged(input);
    const live = input.environments.find((environment) => environment.name === 'live');
    const [consumer] = live?.consumers ?? [];
    if (!live || !consumer) throw new Error('the fixture has no live consumer');
    live.consumers = [
      { name: consumer.name, account: consumer.account, region: consumer.region, selfManaged: true, allowedClientCidrs: ['10.200.0.0/24'] },
    ];
  });
  const [qa, live] = config.environments;
  let pipelines: Synthesized[];

  beforeAll(() => {
    // WHEN the pipeline app is synthesized (one pipeline per environment)
    pipelines = synthesizeAll(config);
  });

  it('gives that environment no consumer wave and no smoke runner', () => {
    if (!qa || !live) throw new Error('the fixture has two environments');
    const [qaPipeline, livePipeline] = pipelines;
    expect(managedConsumers(live)).toEqual([]);
    expect(qaPipeline?.stack.deploymentOrder).toEqual([`${titleOf(qa.name)}-Provider`, `${titleOf(qa.name)}-Consumers-1`]);
    expect(livePipeline?.stack.deploymentOrder).toEqual([`${titleOf(live.name)}-Provider`]);
    expect(livePipeline?.stages.map((stage) => stage.Name)).not.toContain(`${titleOf(live.name)}-Consumers-1`);
    expect(livePipeline?.stack.smokeRunners).toHaveLength(0);
    expect(qaPipeline?.stack.smokeRunners).toHaveLength(1);
  });

  it('completes the kits of the environment that has self-managed consumers only', () => {
    if (!qa || !live) throw new Error('the fixture has two environments');
    const stages = pipelines.flatMap((pipeline) => pipeline.stages);
    const template = (pipelines[1] as Synthesized).template;
    const kitSteps = stages.flatMap((stage) =>
      stage.Actions.filter((action) => action.Name.startsWith('ConsumerKits-')).map((action) => [stage.Name, action.Name]),
    );
    expect(kitSteps).toEqual([[`${titleOf(live.name)}-Provider`, `ConsumerKits-${titleOf(live.name)}`]]);
    const kitStep = stages.flatMap((stage) => stage.Actions).find((action) => action.Name === `ConsumerKits-${titleOf(live.name)}`);
    const commands = buildSpecOf(template, kitStep)?.phases.build.commands.join('\n') ?? '';
    for (const consumer of selfManagedConsumers(live)) expect(commands).toContain(`> ${consumer.name}/`);
  });
});

describe('PipelineStack without any self-managed consumer', () => {
  // GIVEN the fixture without its self-managed consumer WHEN the pipeline app is synthesized
  let pipelines: Synthesized[];

  beforeAll(() => {
    pipelines = synthesizeAll(fixtureConfig(withoutSelfManaged));
  });

  it('neither builds nor publishes consumer kits', () => {
    for (const { stack, template, stages } of pipelines) {
      const synth = stages.find((stage) => stage.Name === 'Build')?.Actions[0];
      const buildSpec = buildSpecOf(template, synth);
      // No kit command (the promotion gate comes first in every pipeline but the first).
      expect(buildSpec?.phases.build.commands.filter((command) => !command.includes('pipelines/src/gate/'))).toEqual([
        `npx nx run pipelines:synth --outputStyle=static --context=environment=${stack.delivers.name}`,
      ]);
      expect(synth?.OutputArtifacts).toHaveLength(1);
      expect(stages.flatMap((stage) => stage.Actions).filter((action) => action.Name.startsWith('ConsumerKits-'))).toEqual([]);
    }
  });
});
