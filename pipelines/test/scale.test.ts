import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import type { DeploymentConfig, EnvironmentConfig } from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWithConsumers } from '../bench/scaleConfig';
import { pipelineShape } from '../bench/pipelineShape';
import { PipelineStack, pipelineStackName } from '../src/PipelineStack';
import { titleOf } from './pipelineTemplate';

const CONSUMERS = 100;

interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

describe(`scale: ${CONSUMERS} consumers are onboarded by data alone`, () => {
  let outdir: string;
  let config: DeploymentConfig;
  let environment: EnvironmentConfig;
  let assembly: cxapi.CloudAssembly;
  let stack: PipelineStack;

  beforeAll(() => {
    // GIVEN a config with 100 consumers WHEN the whole pipeline app is synthesized (both packs on)
    config = configWithConsumers(CONSUMERS);
    const [only] = config.environments;
    if (!only) throw new Error('the scale config has one environment');
    environment = only;
    outdir = mkdtempSync(join(tmpdir(), 'scale-'));
    const app = new PrivateApiApp({ outdir });
    stack = new PipelineStack(app, pipelineStackName(config, environment), { config, environment });
    assembly = app.synth();
  }, 300_000);

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  const template = (stackName: string): TemplateJson => {
    const artifact = assembly.stacksRecursively.find((candidate) => candidate.stackName === stackName);
    if (!artifact) throw new Error(`no stack ${stackName} in the assembly`);
    return artifact.template as TemplateJson;
  };

  it('synthesizes one consumer stage per consumer', () => {
    const endpointStacks = new Set(
      environment.consumers.map((consumer) => `${config.serviceName}-${environment.name}-consumer-${consumer.name}-endpoint`),
    );
    const consumerStacks = assembly.stacksRecursively.filter((artifact) => endpointStacks.has(artifact.stackName));
    expect(consumerStacks).toHaveLength(CONSUMERS);
  });

  it('keeps every stack under 500 resources', () => {
    const largest = Math.max(
      ...assembly.stacksRecursively.map((artifact) => Object.keys((artifact.template as TemplateJson).Resources).length),
    );
    expect(largest).toBeLessThanOrEqual(500);
  });

  it(`allows all ${CONSUMERS} consumer accounts on the endpoint service and shares the parameter with all of them`, () => {
    const resources = Object.values(template(`${config.serviceName}-${environment.name}-provider-service`).Resources);
    const permissions = resources.find((resource) => resource.Type === 'AWS::EC2::VPCEndpointServicePermissions');
    expect(permissions?.Properties['AllowedPrincipals']).toHaveLength(CONSUMERS);
    const share = resources.find((resource) => resource.Type === 'AWS::RAM::ResourceShare');
    expect(share?.Properties['Principals']).toHaveLength(CONSUMERS);
  });

  it("keeps every pipeline role's inline policies under IAM's 10,240 characters, its managed policies under 6,144 and 10 per role", () => {
    // IAM counts the policy JSON without whitespace; intrinsic functions are counted as written,
    // which is longer than most of the ARNs they resolve to.
    const size = (document: unknown): number => JSON.stringify(document).replace(/\s/g, '').length;
    const resources = Object.values(template(pipelineStackName(config, environment)).Resources);
    const inlineByRole = new Map<string, number>();
    for (const policy of resources.filter((resource) => resource.Type === 'AWS::IAM::Policy')) {
      for (const role of (policy.Properties['Roles'] ?? []) as unknown[]) {
        const key = JSON.stringify(role);
        inlineByRole.set(key, (inlineByRole.get(key) ?? 0) + size(policy.Properties['PolicyDocument']));
      }
    }
    expect(inlineByRole.size).toBeGreaterThan(0);
    expect(Math.max(...inlineByRole.values())).toBeLessThanOrEqual(10_240);
    const managedByRole = new Map<string, number>();
    for (const managed of resources.filter((resource) => resource.Type === 'AWS::IAM::ManagedPolicy')) {
      expect(size(managed.Properties['PolicyDocument'])).toBeLessThanOrEqual(6_144);
      for (const role of (managed.Properties['Roles'] ?? []) as unknown[]) {
        managedByRole.set(JSON.stringify(role), (managedByRole.get(JSON.stringify(role)) ?? 0) + 1);
      }
    }
    // IAM attaches at most 10 managed policies to a role unless the quota is raised.
    expect(Math.max(0, ...managedByRole.values())).toBeLessThanOrEqual(10);
  });

  it("deploys the consumers in at most 3 sequential stages after the provider, each within CodePipeline's 50 actions", () => {
    const envTitle = titleOf(environment.name);
    const [providerStage, ...waves] = stack.deploymentOrder;
    expect(providerStage).toBe(`${envTitle}-Provider`);
    expect(waves.length).toBeLessThanOrEqual(3);
    expect(waves).toEqual(Array.from({ length: waves.length }, (_, index) => `${envTitle}-Consumers-${index + 1}`));
    expect(stack.smokeRunners).toHaveLength(waves.length);

    const shape = pipelineShape(assembly, stack.stackName, `${envTitle}-Provider`);
    // The only environment has no next one to promote to: every stage after the provider is a wave.
    expect(shape.stagesAfterProvider).toEqual(waves);
    expect(shape.stages.length).toBeLessThanOrEqual(50);
    expect(shape.largestStageActions).toBeLessThanOrEqual(50);
    // Every consumer is deployed by one action of its wave, and each wave ends with its one step.
    const waveActions = shape.stages.filter((candidate) => waves.includes(candidate.name)).map((candidate) => candidate.actions - 1);
    expect(waveActions.reduce((sum, actions) => sum + actions, 0)).toBe(CONSUMERS);
    // CloudFormation accepts a template of at most 1 MB (from S3).
    expect(shape.templateBytes).toBeLessThan(1_000_000);
  });
});
