import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import {
  deploymentRolePath,
  environmentsOf,
  managedConsumers,
  permissionsBoundaryName,
  requirePipeline,
  smokeTestFunctionName,
  smokeTestRoleArn,
  smokeTestRunnerRoleName,
  type DeploymentConfig,
  type EnvironmentConfig,
  type ManagedConsumerConfig,
} from '@private-api/config';
import { BoundedRoles, ConfusedDeputyProtection } from '@private-api/compliance';
import { ConsumerStage } from '@private-api/consumer';
import { ProviderStage } from '@private-api/provider';
import type { Construct } from 'constructs';
import { acknowledgeGeneratedPolicies } from './acknowledgeGeneratedPolicies';
import { CONSUMER_KITS_DIRECTORY, consumerKitsStep, hasSelfManagedConsumers } from './consumerKits';

/**
 * Consumer stages per wave. A wave is one CodePipeline stage, limited to 50 actions; each
 * consumer takes 4 (prepare + execute change set for its two stacks), plus one smoke-test
 * action for the wave.
 */
export const CONSUMERS_PER_WAVE = 10;

export interface PipelineStackProps extends Omit<StackProps, 'env'> {
  /** The validated config; it must have a `pipeline` section (the stack goes to its account and region). */
  readonly config: DeploymentConfig;
}

function title(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The synth step: the workspace's own main job (provider, consumer and this pipeline app, from
 * the config), then the kits of the consumers that deploy their endpoint themselves, exposed as
 * a second output for the kit steps.
 */
function synthStep(
  source: pipelines.CodePipelineSource,
  config: DeploymentConfig,
): { readonly synth: pipelines.ShellStep; readonly kits?: pipelines.FileSet } {
  const withKits = hasSelfManagedConsumers(config);
  const synth = new pipelines.ShellStep('Synth', {
    input: source,
    installCommands: ['npm ci --no-audit --no-fund'],
    commands: [
      'npx nx run pipelines:synth --outputStyle=static',
      ...(withKits ? ['npx nx run consumer:kit --outputStyle=static'] : []),
    ],
    env: { NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    primaryOutputDirectory: 'dist/pipelines/cdk.out',
  });
  // Declared only when some kit is written: CodeBuild fails a build whose output folder is missing.
  return withKits ? { synth, kits: synth.addOutputDirectory(CONSUMER_KITS_DIRECTORY) } : { synth };
}

/**
 * The delivery pipeline, in the pipeline (tooling) account: a push to the configured branch
 * synthesizes the workspace and, environment by environment, deploys the provider stage, then
 * every consumer stage (in parallel, in waves), each followed by a smoke test that calls the
 * API through PrivateLink from inside that consumer's VPC. Environments marked
 * `requiresApproval` wait for a manual approval first. Self-managed consumers get no stage:
 * after the provider, their consumer kits are completed with the endpoint service name and
 * published as an artifact. It defines no application resources.
 *
 * @throws DeploymentConfigError naming `pipeline` when the config has no pipeline section
 */
export class PipelineStack extends Stack {
  public readonly pipeline: pipelines.CodePipeline;
  /**
   * The CodePipeline stages that deploy, in order: each provider stage, then its consumer waves
   * (a wave of one consumer is named after that consumer's stage, as CDK Pipelines names it).
   */
  public readonly deploymentOrder: string[] = [];
  /** The per-environment roles the smoke-test steps run with. */
  public readonly smokeRunners: iam.Role[] = [];

  public constructor(scope: Construct, id: string, props: PipelineStackProps) {
    // Before any construct exists: a config without a pipeline section fails with one message.
    const pipelineConfig = requirePipeline(props.config, 'the pipeline app');
    const { account, region } = pipelineConfig;
    // Unindented JSON: with 100 consumers the template would otherwise near CloudFormation's 1 MB.
    super(scope, id, { suppressTemplateIndentation: true, ...props, env: { account, region } });
    // The pipeline's own roles (ours and those CDK Pipelines generates) carry the boundary too.
    // Applied to this stack only: each stage applies it to its own stacks.
    BoundedRoles.applyTo(this, { boundaryName: permissionsBoundaryName(props.config), path: deploymentRolePath(props.config) });
    ConfusedDeputyProtection.applyTo(this);

    const source = pipelines.CodePipelineSource.connection(pipelineConfig.repository, pipelineConfig.branch, {
      connectionArn: pipelineConfig.connectionArn,
      triggerOnPush: true,
    });

    const artifactKey = new kms.Key(this, 'ArtifactKey', {
      description: `${props.config.serviceName} pipeline artifacts`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const accessLogs = new s3.Bucket(this, 'ArtifactAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const artifactBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: artifactKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{ expiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const { synth, kits } = synthStep(source, props.config);

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: `${props.config.serviceName}-delivery`,
      // Target accounts decrypt artifacts with a KMS key they are granted, not the default S3 key.
      crossAccountKeys: true,
      enableKeyRotation: true,
      artifactBucket,
      selfMutation: true,
      synth,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.MEDIUM },
        logging: { cloudWatch: { logGroup: buildLogs } },
        timeout: Duration.minutes(30),
      },
    });

    for (const environment of environmentsOf(props.config)) {
      this.addEnvironment(environment, source, kits);
    }

    // Build now (not at synth) so the generated roles exist and their known wildcards can be
    // acknowledged one resource at a time.
    this.pipeline.buildPipeline();
    acknowledgeGeneratedPolicies([this.pipeline, ...this.smokeRunners]);
  }

  /**
   * One environment: its provider stage (after an approval when required, followed by the kit
   * step when it has self-managed consumers), then its managed consumers in waves.
   */
  private addEnvironment(
    environment: EnvironmentConfig,
    source: pipelines.CodePipelineSource,
    kits: pipelines.FileSet | undefined,
  ): void {
    const envTitle = title(environment.name);
    const provider = new ProviderStage(this, `${envTitle}-Provider`, { config: environment });
    const kitStep = kits
      ? consumerKitsStep(`ConsumerKits-${envTitle}`, environment, kits, provider.serviceStack.endpointServiceNameOutput)
      : undefined;
    this.pipeline.addStage(provider, {
      pre: environment.requiresApproval
        ? [new pipelines.ManualApprovalStep(`Approve-${envTitle}`, { comment: `Deploy ${environment.name}?` })]
        : [],
      post: kitStep ? [kitStep] : [],
    });
    this.deploymentOrder.push(provider.stageName);

    // Self-managed consumers deploy their endpoint themselves: no stage, no smoke test, no role.
    const consumers = managedConsumers(environment);
    for (let start = 0; start < consumers.length; start += CONSUMERS_PER_WAVE) {
      const batch = consumers.slice(start, start + CONSUMERS_PER_WAVE);
      const waveNumber = start / CONSUMERS_PER_WAVE + 1;
      const waveId = `${envTitle}-Consumers-${waveNumber}`;
      const runner = this.smokeTestRunnerRole(environment, waveNumber, batch);
      const wave = this.pipeline.addWave(waveId, { post: [this.smokeTestStep(source, environment, waveNumber, batch, runner)] });
      const stages = batch.map(
        (consumer) => new ConsumerStage(this, `${envTitle}-Consumer-${consumer.name}`, { config: environment, consumer }),
      );
      for (const stage of stages) wave.addStage(stage);
      const [onlyStage] = stages;
      this.deploymentOrder.push(stages.length === 1 && onlyStage ? onlyStage.stageName : waveId);
      this.smokeRunners.push(runner);
    }
  }

  /** One role per wave for its smoke step: it may only assume that wave's invoker roles. */
  private smokeTestRunnerRole(environment: EnvironmentConfig, wave: number, consumers: readonly ManagedConsumerConfig[]): iam.Role {
    const role = new iam.Role(this, `${title(environment.name)}SmokeTestRunner${wave}`, {
      roleName: smokeTestRunnerRoleName(environment, wave),
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: `Runs the ${environment.name} smoke tests of consumer wave ${wave}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: consumers.map((consumer) => smokeTestRoleArn(environment, consumer)),
      }),
    );
    return role;
  }

  /**
   * After a wave: for every consumer of it, assume its invoker role and invoke its smoke
   * function (calls through PrivateLink from inside its VPC). Every consumer is tested even if
   * one fails; the step fails naming each failing consumer. One step per wave, not per
   * consumer, keeps the pipeline at one CodeBuild project per wave, so the IAM policies of the
   * pipeline's shared roles stay under their size limits at 100 consumers.
   */
  private smokeTestStep(
    source: pipelines.CodePipelineSource,
    environment: EnvironmentConfig,
    wave: number,
    consumers: readonly ManagedConsumerConfig[],
    role: iam.IRole,
  ): pipelines.CodeBuildStep {
    const tests = consumers.map((consumer) =>
      [
        'npx tsx pipelines/src/smoke/main.ts',
        `--consumer ${consumer.name}`,
        `--role-arn ${smokeTestRoleArn(environment, consumer)}`,
        `--function-name ${smokeTestFunctionName(environment, consumer)}`,
        `--region ${consumer.region}`,
        `|| failed="$failed ${consumer.name}"`,
      ].join(' '),
    );
    return new pipelines.CodeBuildStep(`Smoke-${title(environment.name)}-${wave}`, {
      input: source,
      role,
      installCommands: ['npm ci --no-audit --no-fund'],
      commands: [
        ['failed=""', ...tests, 'if [ -n "$failed" ]; then echo "Smoke test failed for:$failed"; exit 1; fi'].join('\n'),
      ],
      timeout: Duration.minutes(30),
    });
  }
}
