import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { managedConsumers, selfManagedConsumers, type DeploymentConfig } from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { fixtureConfig, type MutableConfigInput } from '@private-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineStack } from '../src/PipelineStack';
import { buildSpecOf, pipelineStages, titleOf } from './pipelineTemplate';

const outdirs: string[] = [];

type Synthesized = ReturnType<typeof synthesize>;

/** Synthesizes the pipeline app for `config` with both compliance packs (throws on any finding). */
function synthesize(config: DeploymentConfig) {
  const outdir = mkdtempSync(join(tmpdir(), 'pipeline-variant-'));
  outdirs.push(outdir);
  const app = new PrivateApiApp({ outdir });
  const stack = new PipelineStack(app, `${config.serviceName}-pipeline`, { config });
  app.synth();
  const template = Template.fromStack(stack);
  const stages = pipelineStages(template);
  return { stack, template, stages };
}

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
  let stack: Synthesized['stack'];
  let template: Template;
  let stages: Synthesized['stages'];

  beforeAll(() => {
    // WHEN the pipeline app is synthesized
    ({ stack, template, stages } = synthesize(config));
  });

  it('gives that environment no consumer wave and no smoke runner', () => {
    if (!qa || !live) throw new Error('the fixture has two environments');
    expect(managedConsumers(live)).toEqual([]);
    expect(stack.deploymentOrder).toEqual([`${titleOf(qa.name)}-Provider`, `${titleOf(qa.name)}-Consumers-1`, `${titleOf(live.name)}-Provider`]);
    expect(stages.map((stage) => stage.Name)).not.toContain(`${titleOf(live.name)}-Consumers-1`);
    expect(stack.smokeRunners).toHaveLength(1);
  });

  it('completes the kits of the environment that has self-managed consumers only', () => {
    if (!qa || !live) throw new Error('the fixture has two environments');
    const kitSteps = stages.flatMap((stage) =>
      stage.Actions.filter((action) => action.Name.startsWith('ConsumerKits-')).map((action) => [stage.Name, action.Name]),
    );
    expect(kitSteps).toEqual([[`${titleOf(live.name)}-Provider`, `ConsumerKits-${titleOf(live.name)}`]]);
    const kitStep = stages.flatMap((stage) => stage.Actions).find((action) => action.Name === `ConsumerKits-${titleOf(live.name)}`);
    const commands = buildSpecOf(template, kitStep)?.phases.build.commands.join('\n') ?? '';
    for (const consumer of selfManagedConsumers(live)) expect(commands).toContain(`${live.name}/${consumer.name}/`);
  });
});

describe('PipelineStack without any self-managed consumer', () => {
  // GIVEN the fixture without its self-managed consumer WHEN the pipeline app is synthesized
  let template: Template;
  let stages: Synthesized['stages'];

  beforeAll(() => {
    ({ template, stages } = synthesize(fixtureConfig(withoutSelfManaged)));
  });

  it('neither builds nor publishes consumer kits', () => {
    const synth = stages.find((stage) => stage.Name === 'Build')?.Actions[0];
    const buildSpec = buildSpecOf(template, synth);
    expect(buildSpec?.phases.build.commands).toEqual(['npx nx run pipelines:synth --outputStyle=static']);
    expect(synth?.OutputArtifacts).toHaveLength(1);
    expect(stages.flatMap((stage) => stage.Actions).filter((action) => action.Name.startsWith('ConsumerKits-'))).toEqual([]);
  });
});
