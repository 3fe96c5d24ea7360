import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { PrivateApiApp } from '@private-api/compliance';
import { beforeAll, describe, expect, it } from 'vitest';
import { configWithConsumers } from '../bench/scaleConfig';
import { PipelineStack } from '../src/PipelineStack';

/** Every stack of an assembly, nested stage assemblies included. */
function allStacks(assembly: cxapi.CloudAssembly): cxapi.CloudFormationStackArtifact[] {
  return assembly.stacksRecursively;
}

describe('scale: 100 consumers are onboarded by data alone', () => {
  let assembly: cxapi.CloudAssembly;
  let stack: PipelineStack;

  beforeAll(() => {
    // GIVEN a config with 100 consumers WHEN the whole pipeline app is synthesized (both packs on)
    const app = new PrivateApiApp({ outdir: mkdtempSync(join(tmpdir(), 'scale-')) });
    stack = new PipelineStack(app, 'task-api-pipeline', { config: configWithConsumers(100) });
    assembly = app.synth();
  }, 300_000);

  it('synthesizes one consumer stage per consumer', () => {
    const consumerStacks = allStacks(assembly).filter((artifact) => /-consumer-consumer-\d{3}-endpoint$/.test(artifact.stackName));
    expect(consumerStacks).toHaveLength(100);
  });

  it('keeps every stack under 500 resources', () => {
    const sizes = allStacks(assembly).map((artifact) => ({
      stack: artifact.stackName,
      resources: Object.keys((artifact.template as { Resources: object }).Resources).length,
    }));
    const largest = sizes.reduce((max, size) => (size.resources > max.resources ? size : max));
    expect(largest.resources).toBeLessThanOrEqual(500);
  });

  it('allows all 100 consumer accounts on the endpoint service and shares the parameter with all of them', () => {
    const provider = allStacks(assembly).find((artifact) => artifact.stackName === 'task-api-prod-provider-service');
    const resources = Object.values((provider?.template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }).Resources);
    const permissions = resources.find((resource) => resource.Type === 'AWS::EC2::VPCEndpointServicePermissions');
    expect(permissions?.Properties['AllowedPrincipals']).toHaveLength(100);
    const share = resources.find((resource) => resource.Type === 'AWS::RAM::ResourceShare');
    expect(share?.Properties['Principals']).toHaveLength(100);
  });

  it('splits consumers into waves CodePipeline accepts (at most 50 actions per stage, 50 stages)', () => {
    expect(stack.deploymentOrder).toEqual(['Prod-Provider', ...Array.from({ length: 10 }, (_, i) => `Prod-Consumers-${i + 1}`)]);
    const pipelineTemplate = allStacks(assembly).find((artifact) => artifact.stackName === 'task-api-pipeline');
    const pipeline = Object.values(
      (pipelineTemplate?.template as { Resources: Record<string, { Type: string; Properties: { Stages?: { Actions: unknown[] }[] } }> }).Resources,
    ).find((resource) => resource.Type === 'AWS::CodePipeline::Pipeline');
    const stages = pipeline?.Properties.Stages ?? [];
    expect(stages.length).toBeLessThanOrEqual(50);
    expect(Math.max(...stages.map((stage) => stage.Actions.length))).toBeLessThanOrEqual(50);
  });
});
