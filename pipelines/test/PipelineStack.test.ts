import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  managedConsumers,
  requirePipeline,
  selfManagedConsumers,
  smokeTestFunctionName,
  smokeTestRoleArn,
  smokeTestRunnerRoleName,
  type DeploymentConfig,
  type EnvironmentConfig,
  type PipelineConfig,
} from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { fixtureConfig } from '@private-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_KITS_DIRECTORY, ENDPOINT_SERVICE_NAME_FILE } from '../src/consumerKits';
import { PipelineStack } from '../src/PipelineStack';
import { actionVariables, buildSpecOf, pipelineStages, titleOf, type PipelineStage } from './pipelineTemplate';

function environmentNamed(config: DeploymentConfig, name: string): EnvironmentConfig {
  const environment = config.environments.find((candidate) => candidate.name === name);
  if (!environment) throw new Error(`no environment ${name} in the fixture`);
  return environment;
}

/**
 * The CodePipeline stage that deploys an environment's managed consumers (the fixture has less
 * than one wave per environment): CDK Pipelines names a wave of one stage after that stage.
 */
function consumerStageName(environment: EnvironmentConfig): string | undefined {
  const [first, ...others] = managedConsumers(environment);
  if (!first) return undefined;
  return others.length === 0 ? `${titleOf(environment.name)}-Consumer-${first.name}` : `${titleOf(environment.name)}-Consumers-1`;
}

describe('PipelineStack (fixture config: a new-VPC, an existing-VPC and a self-managed consumer)', () => {
  let outdir: string;
  let config: DeploymentConfig;
  let pipelineConfig: PipelineConfig;
  let qa: EnvironmentConfig;
  let stack: PipelineStack;
  let template: Template;
  let stages: PipelineStage[];

  beforeAll(() => {
    // GIVEN the fixture: qa has alpha (new VPC), beta (existing VPC) and gamma (self-managed);
    // live needs an approval and has one new-VPC consumer
    config = fixtureConfig();
    pipelineConfig = requirePipeline(config, 'the test');
    qa = environmentNamed(config, 'qa');
    // WHEN the pipeline app is synthesized with both compliance packs, offline
    outdir = mkdtempSync(join(tmpdir(), 'pipeline-'));
    const app = new PrivateApiApp({ outdir });
    stack = new PipelineStack(app, `${config.serviceName}-pipeline`, { config });
    app.synth(); // throws ComplianceError on any unacknowledged finding
    template = Template.fromStack(stack);
    stages = pipelineStages(template);
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  const stage = (name: string): PipelineStage | undefined => stages.find((candidate) => candidate.Name === name);
  const actionsOf = (name: string, category: string) =>
    stage(name)?.Actions.filter((action) => action.ActionTypeId.Category === category) ?? [];

  it('lives in the pipeline account and region', () => {
    expect([stack.account, stack.region]).toEqual([pipelineConfig.account, pipelineConfig.region]);
  });

  it('starts from a push to the configured branch through the CodeConnections connection', () => {
    const [source] = stages;
    expect(source?.Actions[0]?.ActionTypeId).toMatchObject({ Category: 'Source', Provider: 'CodeStarSourceConnection' });
    expect(source?.Actions[0]?.Configuration).toMatchObject({
      ConnectionArn: pipelineConfig.connectionArn,
      FullRepositoryId: pipelineConfig.repository,
      BranchName: pipelineConfig.branch,
    });
  });

  it('mutates itself, publishes assets, then deploys each provider and the waves of its managed consumers, in order', () => {
    const expectedOrder = config.environments.flatMap((environment) => [
      `${titleOf(environment.name)}-Provider`,
      ...[consumerStageName(environment) ?? []].flat(),
    ]);
    expect(stack.deploymentOrder).toEqual(expectedOrder);
    expect(stages.map((candidate) => candidate.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', ...expectedOrder]);
  });

  it('synthesizes with the workspace commands, builds the consumer kits and exposes them as a second artifact', () => {
    const [synth] = actionsOf('Build', 'Build');
    const buildSpec = buildSpecOf(template, synth);
    expect(buildSpec?.phases.install?.commands).toEqual(['npm ci --no-audit --no-fund']);
    expect(buildSpec?.phases.build.commands).toEqual([
      'npx nx run pipelines:synth --outputStyle=static',
      'npx nx run consumer:kit --outputStyle=static',
    ]);
    const outputs = Object.values(buildSpec?.artifacts?.['secondary-artifacts'] ?? {}).map((output) => output['base-directory']);
    expect(outputs).toEqual(['dist/pipelines/cdk.out', CONSUMER_KITS_DIRECTORY]);
    expect(synth?.OutputArtifacts).toHaveLength(2);
  });

  it('gates only the environments marked requiresApproval with a manual approval, before the provider', () => {
    const approvals = stages.flatMap((candidate) =>
      candidate.Actions.filter((action) => action.ActionTypeId.Category === 'Approval').map((action) => [
        candidate.Name,
        action.Name,
        action.RunOrder,
      ]),
    );
    expect(approvals).toEqual(
      config.environments
        .filter((environment) => environment.requiresApproval)
        .map((environment) => [`${titleOf(environment.name)}-Provider`, `Approve-${titleOf(environment.name)}`, 1]),
    );
    expect(approvals.length).toBeGreaterThan(0);
  });

  it('deploys each stage with the deploy role of its own account, and nothing into a self-managed consumer account', () => {
    const roleAccounts = (stageName: string, region: string) =>
      new Set(
        actionsOf(stageName, 'Deploy').map(
          (action) => new RegExp(`:iam::(\\d{12}):role/cdk-hnb659fds-deploy-role-\\1-${region}`).exec(JSON.stringify(action.RoleArn))?.[1],
        ),
      );
    for (const environment of config.environments) {
      const { provider } = environment;
      expect(roleAccounts(`${titleOf(environment.name)}-Provider`, provider.region)).toEqual(new Set([provider.account]));
      expect(roleAccounts(consumerStageName(environment) ?? '', provider.region)).toEqual(
        new Set(managedConsumers(environment).map((consumer) => consumer.account)),
      );
    }
    const everyAction = JSON.stringify(stages);
    for (const consumer of selfManagedConsumers(qa)) {
      expect(everyAction).not.toContain(`:iam::${consumer.account}:`);
    }
  });

  it('deploys one stage per managed consumer (no network stack in an existing VPC), none for a self-managed one', () => {
    const waveName = `${titleOf(qa.name)}-Consumers-1`;
    const deploys = actionsOf(waveName, 'Deploy').map((action) => action.Name);
    for (const consumer of managedConsumers(qa)) {
      const prefix = `${titleOf(qa.name)}-Consumer-${consumer.name}.${qa.serviceName}-${qa.name}-consumer-${consumer.name}`;
      const stacks = consumer.kind === 'new-vpc' ? ['network', 'endpoint'] : ['endpoint'];
      expect(deploys.filter((name) => name.startsWith(`${titleOf(qa.name)}-Consumer-${consumer.name}.`))).toEqual(
        stacks.flatMap((name) => [`${prefix}-${name}.Prepare`, `${prefix}-${name}.Deploy`]),
      );
    }
    const selfManaged = selfManagedConsumers(qa);
    expect(selfManaged.length).toBeGreaterThan(0);
    for (const consumer of selfManaged) {
      expect(stack.node.tryFindChild(`${titleOf(qa.name)}-Consumer-${consumer.name}`)).toBeUndefined();
      expect(stages.flatMap((candidate) => candidate.Actions.map((action) => action.Name)).join('\n')).not.toContain(consumer.name);
    }
  });

  it('smoke-tests every managed consumer of the wave after its deploys, and no self-managed one', () => {
    const waveName = `${titleOf(qa.name)}-Consumers-1`;
    const deploys = actionsOf(waveName, 'Deploy');
    const smoke = actionsOf(waveName, 'Build');
    expect(smoke.map((action) => action.Name)).toEqual([`Smoke-${titleOf(qa.name)}-1`]);
    expect(smoke[0]?.RunOrder).toBeGreaterThan(Math.max(...deploys.map((action) => action.RunOrder)));

    const [script] = buildSpecOf(template, smoke[0])?.phases.build.commands ?? [];
    expect(script?.split('\n')).toEqual([
      'failed=""',
      ...managedConsumers(qa).map(
        (consumer) =>
          `npx tsx pipelines/src/smoke/main.ts --consumer ${consumer.name} --role-arn ${smokeTestRoleArn(qa, consumer)} ` +
          `--function-name ${smokeTestFunctionName(qa, consumer)} --region ${consumer.region} || failed="$failed ${consumer.name}"`,
      ),
      'if [ -n "$failed" ]; then echo "Smoke test failed for:$failed"; exit 1; fi',
    ]);
  });

  it("lets each wave's smoke runner assume only the invoker roles of that wave's managed consumers", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: smokeTestRunnerRoleName(qa, 1),
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codebuild.amazonaws.com' } })] },
    });
    const runnerPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(`${titleOf(qa.name)}SmokeTestRunner1`),
    );
    const assume = (runnerPolicy?.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).filter(
      (statement) => statement.Action === 'sts:AssumeRole',
    );
    expect(assume).toEqual([
      expect.objectContaining({ Resource: managedConsumers(qa).map((consumer) => smokeTestRoleArn(qa, consumer)) }),
    ]);
    const everyPolicy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    for (const consumer of selfManagedConsumers(qa)) {
      expect(everyPolicy).not.toContain(smokeTestRoleArn(qa, consumer));
    }
  });

  it("completes the self-managed consumers' kits after their provider is deployed and keeps them as an artifact", () => {
    const providerStage = `${titleOf(qa.name)}-Provider`;
    const [kitStep, ...others] = actionsOf(providerStage, 'Build');
    expect(others).toEqual([]);
    expect(kitStep?.Name).toBe(`ConsumerKits-${titleOf(qa.name)}`);
    // after every deploy action of the provider stage
    const deploys = actionsOf(providerStage, 'Deploy');
    expect(kitStep?.RunOrder).toBeGreaterThan(Math.max(...deploys.map((action) => action.RunOrder)));
    // its input is the kit folder the synth step exposed; its output is an artifact of its own
    const [synth] = actionsOf('Build', 'Build');
    expect(kitStep?.InputArtifacts?.map((artifact) => artifact.Name)).toEqual([synth?.OutputArtifacts?.[1]?.Name]);
    expect(kitStep?.OutputArtifacts).toHaveLength(1);
    // the name comes from the provider service stack's output, through a CodePipeline variable
    const serviceDeploy = deploys.find((action) => action.Name === `${qa.serviceName}-${qa.name}-provider-service.Deploy`);
    expect(serviceDeploy?.Namespace).toEqual(expect.any(String));
    expect(actionVariables(kitStep)).toEqual({
      ENDPOINT_SERVICE_NAME: `#{${serviceDeploy?.Namespace}.EndpointServiceNameOutput}`,
    });
    // one file per self-managed consumer of this environment, in the environment's kit folder
    const buildSpec = buildSpecOf(template, kitStep);
    const written = (buildSpec?.phases.build.commands ?? []).flatMap((command) =>
      [...command.matchAll(/> (\S+)$/g)].map((match) => match[1]),
    );
    expect(written).toEqual(selfManagedConsumers(qa).map((consumer) => `${qa.name}/${consumer.name}/${ENDPOINT_SERVICE_NAME_FILE}`));
    expect(buildSpec?.artifacts?.['base-directory']).toBe(qa.name);
  });

  it('adds no kit step to an environment without self-managed consumers', () => {
    for (const environment of config.environments.filter((candidate) => selfManagedConsumers(candidate).length === 0)) {
      expect(actionsOf(`${titleOf(environment.name)}-Provider`, 'Build')).toEqual([]);
    }
    expect(config.environments.some((candidate) => selfManagedConsumers(candidate).length === 0)).toBe(true);
  });

  it('keeps artifacts in a KMS-encrypted (rotating key), TLS-only, non-public bucket, with cross-account keys', () => {
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0];
    expect(pipeline?.Properties.ArtifactStore).toMatchObject({
      Type: 'S3',
      EncryptionKey: { Type: 'KMS', Id: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactKey/), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArtifactKey'), 'Arn'] },
            },
          }),
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('has no IAM statement allowing every action on every resource', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown; Effect: string }[],
    );
    expect(statements.length).toBeGreaterThan(10);
    const everything = statements.filter(
      (statement) =>
        statement.Effect === 'Allow' && [statement.Action].flat().includes('*') && [statement.Resource].flat().includes('*'),
    );
    expect(everything).toEqual([]);
  });

  it('defines no application resources of its own: no VPC, load balancer, ECS or Lambda in the pipeline stack', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ECS::Service', 'AWS::Lambda::Function']) {
      template.resourceCountIs(type, 0);
    }
  });
});
