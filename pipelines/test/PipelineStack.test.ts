import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadDeploymentConfig, type DeploymentConfig } from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { beforeAll, describe, expect, it } from 'vitest';
import { PipelineStack } from '../src/PipelineStack';

const exampleConfig = resolve(import.meta.dirname, '../../deploy.config.ts');

interface Action {
  Name: string;
  ActionTypeId: { Category: string; Provider: string };
  RunOrder: number;
  RoleArn?: unknown;
  Configuration?: Record<string, unknown>;
}
interface PipelineStage {
  Name: string;
  Actions: Action[];
}

describe('PipelineStack (example config)', () => {
  let config: DeploymentConfig;
  let stack: PipelineStack;
  let template: Template;
  let stages: PipelineStage[];

  beforeAll(async () => {
    // GIVEN the example config (pipeline account, staging and prod environments)
    config = await loadDeploymentConfig(exampleConfig);
    // WHEN the pipeline app is synthesized with both compliance packs, offline
    const app = new PrivateApiApp({ outdir: mkdtempSync(join(tmpdir(), 'pipeline-')) });
    stack = new PipelineStack(app, 'task-api-pipeline', { config });
    app.synth(); // throws ComplianceError on any unacknowledged finding
    template = Template.fromStack(stack);
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0];
    stages = (pipeline?.Properties.Stages ?? []) as PipelineStage[];
  });

  it('lives in the pipeline account and region', () => {
    expect([stack.account, stack.region]).toEqual(['444444444444', 'eu-west-1']);
  });

  it('starts from a push to the configured branch through the CodeConnections connection', () => {
    const [source] = stages;
    expect(source?.Actions[0]?.ActionTypeId).toMatchObject({ Category: 'Source', Provider: 'CodeStarSourceConnection' });
    expect(source?.Actions[0]?.Configuration).toMatchObject({
      ConnectionArn: config.pipeline.connectionArn,
      FullRepositoryId: 'example-org/private-ecs-api',
      BranchName: 'main',
    });
  });

  it('synthesizes with the workspace commands, mutates itself, publishes assets, then deploys environments in order', () => {
    expect(stages.map((stage) => stage.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'Staging-Provider',
      'Staging-Consumers-1',
      'Prod-Provider',
      'Prod-Consumers-1',
    ]);
    expect(stack.deploymentOrder).toEqual(['Staging-Provider', 'Staging-Consumers-1', 'Prod-Provider', 'Prod-Consumers-1']);
    const synthProject = Object.values(template.findResources('AWS::CodeBuild::Project')).find((project) =>
      JSON.stringify(project.Properties.Source).includes('pipelines:synth'),
    );
    const buildSpec = JSON.parse(String(synthProject?.Properties.Source.BuildSpec)) as {
      phases: { install: { commands: string[] }; build: { commands: string[] } };
    };
    expect(buildSpec.phases.install.commands).toEqual(['npm ci --no-audit --no-fund']);
    expect(buildSpec.phases.build.commands).toEqual(['npx nx run pipelines:synth --outputStyle=static']);
  });

  it('gates only the environments marked requiresApproval with a manual approval, before the provider', () => {
    const approvals = stages.flatMap((stage) =>
      stage.Actions.filter((action) => action.ActionTypeId.Category === 'Approval').map((action) => [stage.Name, action.Name, action.RunOrder]),
    );
    expect(approvals).toEqual([['Prod-Provider', 'Approve-Prod', 1]]);
  });

  it('deploys each stage with the deploy role of its own account', () => {
    const roleAccounts = (stageName: string) =>
      new Set(
        stages
          .find((stage) => stage.Name === stageName)
          ?.Actions.filter((action) => action.ActionTypeId.Category === 'Deploy')
          .map((action) => /:iam::(\d{12}):role\/cdk-hnb659fds-deploy-role-\1-eu-west-1/.exec(JSON.stringify(action.RoleArn))?.[1]),
      );
    expect(roleAccounts('Staging-Provider')).toEqual(new Set(['111111111111']));
    expect(roleAccounts('Staging-Consumers-1')).toEqual(new Set(['222222222222', '333333333333']));
    expect(roleAccounts('Prod-Provider')).toEqual(new Set(['555555555555']));
    expect(roleAccounts('Prod-Consumers-1')).toEqual(new Set(['666666666666', '777777777777']));
  });

  it('deploys one consumer stage per consumer, then smoke-tests every consumer of the wave', () => {
    const wave = stages.find((stage) => stage.Name === 'Staging-Consumers-1');
    const deploys = wave?.Actions.filter((action) => action.ActionTypeId.Category === 'Deploy') ?? [];
    for (const consumer of ['orders', 'billing']) {
      expect(deploys.filter((action) => action.Name.startsWith(`Staging-Consumer-${consumer}.`)).map((action) => action.Name)).toEqual([
        `Staging-Consumer-${consumer}.task-api-staging-consumer-${consumer}-network.Prepare`,
        `Staging-Consumer-${consumer}.task-api-staging-consumer-${consumer}-network.Deploy`,
        `Staging-Consumer-${consumer}.task-api-staging-consumer-${consumer}-endpoint.Prepare`,
        `Staging-Consumer-${consumer}.task-api-staging-consumer-${consumer}-endpoint.Deploy`,
      ]);
    }
    const smoke = wave?.Actions.filter((action) => action.ActionTypeId.Category === 'Build') ?? [];
    expect(smoke.map((action) => action.Name)).toEqual(['Smoke-Staging-1']);
    expect(smoke[0]?.RunOrder).toBeGreaterThan(Math.max(...deploys.map((action) => action.RunOrder)));

    const smokeProject = Object.values(template.findResources('AWS::CodeBuild::Project')).find((project) =>
      JSON.stringify(project.Properties.Source).includes('--consumer orders'),
    );
    const [script] = JSON.parse(String(smokeProject?.Properties.Source.BuildSpec)).phases.build.commands as string[];
    expect(script?.split('\n')).toEqual([
      'failed=""',
      'npx tsx pipelines/src/smoke/main.ts --consumer orders --role-arn arn:aws:iam::222222222222:role/task-api-staging-smoke-invoker --function-name task-api-staging-orders-smoke --region eu-west-1 || failed="$failed orders"',
      'npx tsx pipelines/src/smoke/main.ts --consumer billing --role-arn arn:aws:iam::333333333333:role/task-api-staging-smoke-invoker --function-name task-api-staging-billing-smoke --region eu-west-1 || failed="$failed billing"',
      'if [ -n "$failed" ]; then echo "Smoke test failed for:$failed"; exit 1; fi',
    ]);
  });

  it("lets each wave's smoke runner assume only that wave's invoker roles", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'task-api-staging-smoke-runner-1',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codebuild.amazonaws.com' } })] },
    });
    const runnerPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('StagingSmokeTestRunner1'),
    );
    const assume = (runnerPolicy?.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).filter(
      (statement) => statement.Action === 'sts:AssumeRole',
    );
    expect(assume).toEqual([
      expect.objectContaining({
        Resource: [
          'arn:aws:iam::222222222222:role/task-api-staging-smoke-invoker',
          'arn:aws:iam::333333333333:role/task-api-staging-smoke-invoker',
        ],
      }),
    ]);
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
        statement.Effect === 'Allow' &&
        [statement.Action].flat().includes('*') &&
        [statement.Resource].flat().includes('*'),
    );
    expect(everything).toEqual([]);
  });

  it('defines no application resources of its own: no VPC, load balancer, ECS or Lambda in the pipeline stack', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ECS::Service', 'AWS::Lambda::Function']) {
      template.resourceCountIs(type, 0);
    }
  });
});
