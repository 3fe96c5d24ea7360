import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  alarmReaderRoleArn,
  bakeWatcherRoleName,
  connectionAcceptorRoleArn,
  deploymentAlarmNames,
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
import { INSTALL_COMMANDS, PACKAGES_REBUILT_AFTER_INSTALL, PINNED_CDK_ASSETS_VERSION, pinnedNodeMajor } from '../src/pinnedTooling';
import { PipelineStack, pipelineStackName, promotionGateCommand, SERVICE_NAME_VARIABLE } from '../src/PipelineStack';
import { SOURCE_ACTION_NAME, deliveryPipelineName } from '../src/PromoteStep';
import { actionVariables, allBuildSpecs, buildSpecOf, pipelineStages, titleOf, type PipelineStage } from './pipelineTemplate';

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

describe('PipelineStack per environment (fixture config: qa with a new-VPC, an existing-VPC and a self-managed consumer; live with an approval)', () => {
  let outdir: string;
  let config: DeploymentConfig;
  let pipelineConfig: PipelineConfig;
  let qa: EnvironmentConfig;
  let stack: PipelineStack;
  let template: Template;
  let stages: PipelineStage[];
  let stacks: PipelineStack[];

  beforeAll(() => {
    // GIVEN the fixture: qa has alpha (new VPC), beta (existing VPC) and gamma (self-managed);
    // live needs an approval and has one new-VPC consumer
    // qa bakes 7 minutes, live none
    config = fixtureConfig((draft) => {
      for (const environment of draft.environments) {
        environment.provider.monitoring = { ...environment.provider.monitoring, bakeMinutes: environment.name === 'qa' ? 7 : 0 };
      }
    });
    pipelineConfig = requirePipeline(config, 'the test');
    qa = environmentNamed(config, 'qa');
    // WHEN the pipeline app is synthesized with both compliance packs, offline
    outdir = mkdtempSync(join(tmpdir(), 'pipeline-'));
    const app = new PrivateApiApp({ outdir });
    // one pipeline stack per environment, as main.ts builds them without context
    stacks = config.environments.map((environment) => new PipelineStack(app, pipelineStackName(config, environment), { config, environment }));
    app.synth(); // throws ComplianceError on any unacknowledged finding
    [stack] = stacks as [PipelineStack];
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

  it('builds one V2 pipeline per environment, each in its own stack in the pipeline account', () => {
    expect(stacks.map((candidate) => candidate.delivers.name)).toEqual(config.environments.map((environment) => environment.name));
    for (const [index, candidate] of stacks.entries()) {
      const environment = config.environments[index] as EnvironmentConfig;
      const own = Template.fromStack(candidate);
      own.resourceCountIs('AWS::CodePipeline::Pipeline', 1);
      own.hasResourceProperties('AWS::CodePipeline::Pipeline', { Name: deliveryPipelineName(environment), PipelineType: 'V2' });
      expect(candidate.stackName).toBe(`${config.serviceName}-${environment.name}-pipeline`);
      expect([candidate.account, candidate.region]).toEqual([pipelineConfig.account, pipelineConfig.region]);
    }
  });

  it('starts only the first environment from a push to the configured branch, each through the CodeConnections connection', () => {
    for (const [index, candidate] of stacks.entries()) {
      const [source] = pipelineStages(Template.fromStack(candidate));
      expect(source?.Actions.map((action) => action.Name)).toEqual([SOURCE_ACTION_NAME]);
      expect(source?.Actions[0]?.ActionTypeId).toMatchObject({ Category: 'Source', Provider: 'CodeStarSourceConnection' });
      expect(source?.Actions[0]?.Configuration).toMatchObject({
        ConnectionArn: pipelineConfig.connectionArn,
        FullRepositoryId: pipelineConfig.repository,
        BranchName: pipelineConfig.branch,
        DetectChanges: index === 0,
      });
    }
  });

  it("mutates itself, publishes assets, deploys its environment's provider and consumer waves in order, then promotes to the next", () => {
    for (const [index, candidate] of stacks.entries()) {
      const environment = config.environments[index] as EnvironmentConfig;
      const next = config.environments[index + 1];
      const expectedOrder = [`${titleOf(environment.name)}-Provider`, ...[consumerStageName(environment) ?? []].flat()];
      expect(candidate.deploymentOrder).toEqual(expectedOrder);
      expect(pipelineStages(Template.fromStack(candidate)).map((candidateStage) => candidateStage.Name)).toEqual([
        'Source',
        'Build',
        'UpdatePipeline',
        'Assets',
        ...expectedOrder,
        ...(next ? [`Promote-${titleOf(next.name)}`] : []),
      ]);
    }
  });

  it('chains the pipelines: each starts the next one at its own commit, with a role that may only start that pipeline', () => {
    for (const [index, candidate] of stacks.entries()) {
      const own = Template.fromStack(candidate);
      const ownStages = pipelineStages(own);
      const next = config.environments[index + 1];
      const invokes = ownStages.flatMap((candidateStage) => candidateStage.Actions.filter((action) => action.ActionTypeId.Category === 'Invoke'));
      if (!next) {
        expect(invokes).toEqual([]);
        expect(JSON.stringify(own.toJSON())).not.toContain('codepipeline:StartPipelineExecution');
        continue;
      }
      const [promote, ...others] = invokes;
      expect(others).toEqual([]);
      expect(ownStages.at(-1)?.Actions).toEqual([promote]);
      expect(promote?.ActionTypeId).toMatchObject({ Category: 'Invoke', Provider: 'CodePipeline' });
      const sourceNamespace = ownStages[0]?.Actions[0]?.Namespace;
      expect(sourceNamespace).toEqual(expect.any(String));
      expect(promote?.Configuration?.['PipelineName']).toBe(deliveryPipelineName(next));
      expect(JSON.parse(String(promote?.Configuration?.['SourceRevisions']))).toEqual([
        { actionName: SOURCE_ACTION_NAME, revisionType: 'COMMIT_ID', revisionValue: `#{${sourceNamespace}.CommitId}` },
      ]);
      // the action's role: trusted by the pipeline role only, allowed one action on one pipeline
      const roleId = (promote?.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const role = own.findResources('AWS::IAM::Role')[roleId];
      expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^PipelineRole/), 'Arn'] } } }),
      ]);
      const policies = Object.values(own.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes(roleId),
      );
      const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
      expect(statements).toEqual([
        expect.objectContaining({
          Action: 'codepipeline:StartPipelineExecution',
          Effect: 'Allow',
          Resource: `arn:aws:codepipeline:${pipelineConfig.region}:${pipelineConfig.account}:${deliveryPipelineName(next)}`,
        }),
      ]);
    }
  });

  it("keeps each environment's artifacts under its own key and bucket, granted to that environment's accounts only", () => {
    const accountsOf = (environment: EnvironmentConfig) => [environment.provider.account, ...managedConsumers(environment).map((consumer) => consumer.account)];
    const granted = (document: unknown) =>
      new Set([...JSON.stringify(document).matchAll(/:iam::(\d{12}):/g)].map((match) => match[1]));
    for (const [index, candidate] of stacks.entries()) {
      const environment = config.environments[index] as EnvironmentConfig;
      const own = Template.fromStack(candidate);
      const [key, ...otherKeys] = Object.values(own.findResources('AWS::KMS::Key'));
      expect(otherKeys).toEqual([]);
      const artifactBucketPolicy = Object.values(own.findResources('AWS::S3::BucketPolicy')).find((policy) =>
        JSON.stringify(policy.Properties.Bucket).includes('Artifacts'),
      );
      const keyAccounts = granted(key?.Properties.KeyPolicy);
      expect(keyAccounts).toEqual(new Set([pipelineConfig.account, ...accountsOf(environment)]));
      for (const document of [key?.Properties.KeyPolicy, artifactBucketPolicy?.Properties.PolicyDocument]) {
        const accounts = granted(document);
        for (const other of config.environments.filter((candidateEnvironment) => candidateEnvironment.name !== environment.name)) {
          for (const account of accountsOf(other)) expect(accounts.has(account), `${account} of ${other.name} in ${environment.name}`).toBe(false);
        }
      }
      // and no other environment's account anywhere in the stack
      const whole = JSON.stringify(own.toJSON());
      for (const other of config.environments.filter((candidateEnvironment) => candidateEnvironment.name !== environment.name)) {
        for (const account of accountsOf(other)) expect(whole).not.toContain(account);
      }
    }
  });

  it('pins the CDK CLI to the workspace devDependency and cdk-assets to a published release in the generated buildspecs', () => {
    const cliVersion = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { devDependencies: Record<string, string> })
      .devDependencies['aws-cdk'];
    expect(cliVersion).toMatch(/^\d+\.\d+\.\d+$/);
    for (const candidate of stacks) {
      const installs = allBuildSpecs(Template.fromStack(candidate)).flatMap((buildSpec) => buildSpec.phases.install?.commands ?? []);
      expect(installs).toContain(`npm install -g aws-cdk@${cliVersion ?? ''}`);
      expect(installs).toContain(`npm install -g cdk-assets@${PINNED_CDK_ASSETS_VERSION}`);
      expect(installs.filter((command) => /aws-cdk@|cdk-assets@/.test(command) && !/@\d+\.\d+\.\d+$/.test(command))).toEqual([]);
    }
  });

  it('installs without package scripts everywhere, and rebuilds only the listed packages', () => {
    for (const candidate of stacks) {
      const own = Template.fromStack(candidate);
      const projects = Object.values(own.findResources('AWS::CodeBuild::Project'));
      expect(projects.length).toBeGreaterThan(3);
      for (const project of projects) {
        expect(project.Properties.Environment.EnvironmentVariables).toEqual(
          expect.arrayContaining([{ Name: 'NPM_CONFIG_IGNORE_SCRIPTS', Type: 'PLAINTEXT', Value: 'true' }]),
        );
      }
      const installs = allBuildSpecs(own).flatMap((buildSpec) => buildSpec.phases.install?.commands ?? []);
      const npmCi = installs.filter((command) => command.startsWith('npm ci'));
      expect(npmCi.length).toBeGreaterThan(0);
      for (const command of npmCi) expect(command).toBe('npm ci --ignore-scripts --no-audit --no-fund');
      for (const command of installs.filter((candidateCommand) => candidateCommand.startsWith('npm rebuild'))) {
        expect(command).toBe(`npm rebuild --ignore-scripts=false ${PACKAGES_REBUILT_AFTER_INSTALL.join(' ')}`);
      }
      for (const command of installs.filter((candidateCommand) => /^npm (install|i) /.test(candidateCommand))) {
        expect(command).toMatch(/^npm install -g (aws-cdk|cdk-assets)@/);
      }
    }
  });

  it('synthesizes with the workspace commands, builds the consumer kits and exposes them as a second artifact', () => {
    const [synth] = actionsOf('Build', 'Build');
    const buildSpec = buildSpecOf(template, synth);
    expect(buildSpec?.phases.install?.commands).toEqual([...INSTALL_COMMANDS]);
    expect(buildSpec?.phases.build.commands).toEqual([
      `npx nx run pipelines:synth --outputStyle=static --context=environment=${qa.name}`,
      'npx nx run consumer:kit --outputStyle=static',
    ]);
    const outputs = Object.values(buildSpec?.artifacts?.['secondary-artifacts'] ?? {}).map((output) => output['base-directory']);
    // this environment's kits only
    expect(outputs).toEqual(['dist/pipelines/cdk.out', `${CONSUMER_KITS_DIRECTORY}/${qa.name}`]);
    expect(synth?.OutputArtifacts).toHaveLength(2);
  });

  it('runs the promotion gate first in every pipeline but the first: its commit must have passed the previous pipeline, which is all the synth role may read', () => {
    expect(buildSpecOf(template, actionsOf('Build', 'Build')[0])?.phases.build.commands.join('\n')).not.toContain('gate');
    const [, second] = stacks as [PipelineStack, PipelineStack];
    const [first, live] = config.environments as [EnvironmentConfig, EnvironmentConfig];
    const liveTemplate = Template.fromStack(second);
    const [synth] = pipelineStages(liveTemplate)
      .find((candidate) => candidate.Name === 'Build')
      ?.Actions.filter((action) => action.ActionTypeId.Category === 'Build') ?? [];
    const commands = buildSpecOf(liveTemplate, synth)?.phases.build.commands ?? [];
    const previousPipeline = `${config.serviceName}-${first.name}-delivery`;
    expect(commands[0]).toBe(promotionGateCommand(previousPipeline, pipelineConfig.region));
    expect(commands[1]).toBe(`npx nx run pipelines:synth --outputStyle=static --context=environment=${live.name}`);
    // The commit is the one this run's source action checked out.
    const source = pipelineStages(liveTemplate)[0]?.Actions[0];
    expect(actionVariables(synth).COMMIT_ID).toBe(`#{${source?.Namespace ?? ''}.CommitId}`);
    const listing = Object.values(liveTemplate.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement)
      .filter((statement) => JSON.stringify(statement.Action).includes('codepipeline:ListPipelineExecutions'));
    expect(listing).toEqual([
      expect.objectContaining({ Action: 'codepipeline:ListPipelineExecutions', Resource: `arn:aws:codepipeline:${pipelineConfig.region}:${pipelineConfig.account}:${previousPipeline}` }),
    ]);
  });

  it('gates only the environments marked requiresApproval with a manual approval, before the provider', () => {
    const approvals = stacks.flatMap((candidate) => pipelineStages(Template.fromStack(candidate))).flatMap((candidate) =>
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
    for (const environment of [qa]) {
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

  it('deploys each managed consumer (new or existing VPC) with one action, none for a self-managed one', () => {
    const waveName = `${titleOf(qa.name)}-Consumers-1`;
    const deploys = actionsOf(waveName, 'Deploy').map((action) => action.Name);
    expect(deploys).toEqual(
      managedConsumers(qa).map(
        (consumer) => `${titleOf(qa.name)}-Consumer-${consumer.name}.${qa.serviceName}-${qa.name}-consumer-${consumer.name}-endpoint.Deploy`,
      ),
    );
    expect(new Set(managedConsumers(qa).map((consumer) => consumer.kind))).toEqual(new Set(['new-vpc', 'existing-vpc']));
    const selfManaged = selfManagedConsumers(qa);
    expect(selfManaged.length).toBeGreaterThan(0);
    for (const consumer of selfManaged) {
      expect(stack.node.tryFindChild(`${titleOf(qa.name)}-Consumer-${consumer.name}`)).toBeUndefined();
      expect(stages.flatMap((candidate) => candidate.Actions.map((action) => action.Name)).join('\n')).not.toContain(consumer.name);
    }
  });

  it("accepts the wave's endpoint connections, then smoke-tests every managed consumer of it, after its deploys", () => {
    const waveName = `${titleOf(qa.name)}-Consumers-1`;
    const deploys = actionsOf(waveName, 'Deploy');
    const smoke = actionsOf(waveName, 'Build');
    expect(smoke.map((action) => action.Name)).toEqual([`Smoke-${titleOf(qa.name)}-1`]);
    expect(smoke[0]?.RunOrder).toBeGreaterThan(Math.max(...deploys.map((action) => action.RunOrder)));

    // the endpoint service name comes from the provider service stack's output
    const serviceDeploy = actionsOf(`${titleOf(qa.name)}-Provider`, 'Deploy').find((action) => action.Name.endsWith('-provider-service.Deploy'));
    expect(actionVariables(smoke[0])).toEqual({ [SERVICE_NAME_VARIABLE]: `#{${serviceDeploy?.Namespace}.EndpointServiceNameOutput}` });
    const [accept, script] = buildSpecOf(template, smoke[0])?.phases.build.commands ?? [];
    // only the wave's consumer accounts: a self-managed consumer's connection is the provider function's
    const owners = [...new Set(managedConsumers(qa).map((consumer) => consumer.account))];
    expect(accept).toBe(
      `npx tsx pipelines/src/accept/main.ts --role-arn ${connectionAcceptorRoleArn(qa)} --service-name "$${SERVICE_NAME_VARIABLE}" ` +
        `--region ${qa.provider.region} --owners ${owners.join(',')}`,
    );
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
      expect.objectContaining({
        Resource: [connectionAcceptorRoleArn(qa), ...managedConsumers(qa).map((consumer) => smokeTestRoleArn(qa, consumer))],
      }),
    ]);
    const everyPolicy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    for (const consumer of selfManagedConsumers(qa)) {
      expect(everyPolicy).not.toContain(smokeTestRoleArn(qa, consumer));
    }
  });

  it("completes the self-managed consumers' kits after their provider is deployed and keeps them as an artifact", () => {
    const providerStage = `${titleOf(qa.name)}-Provider`;
    const kitStep = actionsOf(providerStage, 'Build').find((action) => action.Name === `ConsumerKits-${titleOf(qa.name)}`);
    expect(kitStep).toBeDefined();
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
    // its input is the environment's own kit folder: it writes each kit in place and keeps the folder
    expect(written).toEqual(selfManagedConsumers(qa).map((consumer) => `${consumer.name}/${ENDPOINT_SERVICE_NAME_FILE}`));
    expect(buildSpec?.artifacts?.['base-directory']).toBe('.');
  });

  it('adds no kit step to an environment without self-managed consumers', () => {
    for (const [index, environment] of config.environments.entries()) {
      if (selfManagedConsumers(environment).length > 0) continue;
      const own = pipelineStages(Template.fromStack(stacks[index] as PipelineStack));
      const provider = own.find((candidate) => candidate.Name === `${titleOf(environment.name)}-Provider`);
      expect(provider?.Actions.filter((action) => action.Name.startsWith('ConsumerKits-'))).toEqual([]);
    }
    expect(config.environments.some((candidate) => selfManagedConsumers(candidate).length === 0)).toBe(true);
  });

  it('bakes after the provider deploys: the deployment alarms must stay out of ALARM for the configured minutes before any consumer wave', () => {
    const providerStage = `${titleOf(qa.name)}-Provider`;
    const bake = actionsOf(providerStage, 'Build').find((action) => action.Name === `Bake-${titleOf(qa.name)}`);
    const deploys = actionsOf(providerStage, 'Deploy');
    expect(bake?.RunOrder).toBeGreaterThan(Math.max(...deploys.map((action) => action.RunOrder)));
    // in the provider's stage: the next stage (the first wave) starts only once it succeeded
    expect(stages.findIndex((candidate) => candidate.Name === providerStage) + 1).toBe(
      stages.findIndex((candidate) => candidate.Name === consumerStageName(qa)),
    );
    expect(buildSpecOf(template, bake)?.phases.build.commands).toEqual([
      `npx tsx pipelines/src/bake/main.ts --role-arn ${alarmReaderRoleArn(qa)} --region ${qa.provider.region} ` +
        `--alarms ${deploymentAlarmNames(qa).join(',')} --minutes 7`,
    ]);
    // CodeBuild stops a build at its timeout: the bake plus the install
    const projectRef = (bake?.Configuration?.['ProjectName'] as { Ref: string }).Ref;
    expect(template.findResources('AWS::CodeBuild::Project')[projectRef]?.Properties.TimeoutInMinutes).toBe(27);
    // its role may assume the provider's alarm reader, nothing else
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: bakeWatcherRoleName(qa),
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codebuild.amazonaws.com' } })] },
    });
    const watcherPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(`${titleOf(qa.name)}BakeWatcher`),
    );
    const assume = (watcherPolicy?.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).filter(
      (statement) => statement.Action === 'sts:AssumeRole',
    );
    expect(assume).toEqual([expect.objectContaining({ Resource: alarmReaderRoleArn(qa) })]);
  });

  it('does not bake an environment with bakeMinutes 0', () => {
    const [, liveStack] = stacks;
    const live = environmentNamed(config, 'live');
    const own = Template.fromStack(liveStack as PipelineStack);
    const names = pipelineStages(own).flatMap((candidate) => candidate.Actions.map((action) => action.Name));
    expect(names.filter((name) => name.startsWith('Bake-'))).toEqual([]);
    expect(JSON.stringify(own.findResources('AWS::IAM::Role'))).not.toContain(bakeWatcherRoleName(live));
  });

  it("runs every CodeBuild project on the repository's Node.js major (.nvmrc), never the image's default", () => {
    for (const candidate of stacks) {
      const buildSpecs = allBuildSpecs(Template.fromStack(candidate)) as unknown as { phases: { install?: Record<string, unknown> } }[];
      expect(buildSpecs.length).toBeGreaterThan(4);
      for (const buildSpec of buildSpecs) {
        expect(buildSpec.phases.install?.['runtime-versions']).toEqual({ nodejs: String(pinnedNodeMajor()) });
      }
    }
  });

  it('deploys every stack with one CloudFormation action (no change set pairs)', () => {
    const deploys = stages.flatMap((candidate) => candidate.Actions).filter((action) => action.ActionTypeId.Category === 'Deploy');
    expect(deploys.length).toBeGreaterThan(0);
    for (const action of deploys) {
      expect(action.Name).toMatch(/\.Deploy$/);
      expect(action.Configuration?.['ActionMode']).toBe('CREATE_UPDATE');
    }
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

  it('fails when the environment is not one of the config', () => {
    const live = environmentNamed(config, 'live');
    expect(() => new PipelineStack(new PrivateApiApp(), 'Stray', { config: fixtureConfig((input) => { input.environments = input.environments.filter((environment) => environment.name === 'qa'); }), environment: live })).toThrow(
      "PipelineStack Stray: environment must be one of the config's environments (qa), got live",
    );
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

describe('PipelineStack of an endpoint service that requires no acceptance', () => {
  it('runs no acceptance in the wave step, and its runner may not assume the connection acceptor', () => {
    // GIVEN qa without acceptance (the compliance pack would want an acknowledgement: plain App)
    const config = fixtureConfig((draft) => {
      draft.environments = draft.environments.filter((environment) => environment.name === 'qa');
      for (const environment of draft.environments) environment.provider.acceptanceRequired = false;
    });
    const qa = environmentNamed(config, 'qa');
    const outdir = mkdtempSync(join(tmpdir(), 'pipeline-no-acceptance-'));
    try {
      // WHEN its pipeline is synthesized
      const stack = new PipelineStack(new App({ outdir }), pipelineStackName(config, qa), { config, environment: qa });
      const template = Template.fromStack(stack);
      // THEN the wave step only smoke-tests
      const waveStep = pipelineStages(template)
        .flatMap((candidate) => candidate.Actions)
        .find((action) => action.Name === `Smoke-${titleOf(qa.name)}-1`);
      const commands = buildSpecOf(template, waveStep)?.phases.build.commands ?? [];
      expect(commands).toHaveLength(1);
      expect(commands.join('\n')).not.toContain('pipelines/src/accept/main.ts');
      expect(actionVariables(waveStep)).toEqual({});
      expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(connectionAcceptorRoleArn(qa));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
