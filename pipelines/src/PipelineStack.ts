import { Duration, RemovalPolicy, Stack, type CfnOutput, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import {
  alarmReaderRoleArn,
  bakeWatcherRoleName,
  connectionAcceptorRoleArn,
  consumerWaves,
  deploymentAlarmNames,
  deploymentRoleNamePrefix,
  environmentsOf,
  permissionsBoundaryName,
  selfManagedConsumers,
  requirePipeline,
  smokeTestFunctionName,
  smokeTestRoleArn,
  smokeTestRunnerRoleName,
  type DeploymentConfig,
  type EnvironmentConfig,
  type ManagedConsumerConfig,
} from '@private-api/config';
import { applyDeployPathGuards } from '@private-api/compliance';
import { ConsumerStage } from '@private-api/consumer';
import { ProviderStage } from '@private-api/provider';
import type { Construct } from 'constructs';
import { acknowledgeGeneratedPolicies } from './acknowledgeGeneratedPolicies';
import { consumerKitsDirectory, consumerKitsStep } from './consumerKits';
import {
  INSTALL_COMMANDS,
  NPM_IGNORE_SCRIPTS_ENV,
  PINNED_CDK_ASSETS_VERSION,
  pinnedCdkCliVersion,
  pinnedRuntimeBuildSpec,
} from './pinnedTooling';
import { PromoteStep, SOURCE_ACTION_NAME, deliveryPipelineName } from './PromoteStep';

/** The feature flag that merges IAM statements (see where the pipeline turns it off). */
const MINIMIZE_POLICIES_FLAG = '@aws-cdk/aws-iam:minimizePolicies';

/** The variable a wave's step reads the provider's endpoint service name from (a CodePipeline variable at run time). */
export const SERVICE_NAME_VARIABLE = 'SERVICE_NAME';

/** The stack (and construct id) of one environment's pipeline. */
export function pipelineStackName(config: DeploymentConfig, environment: EnvironmentConfig): string {
  return `${config.serviceName}-${environment.name}-pipeline`;
}

export interface PipelineStackProps extends Omit<StackProps, 'env'> {
  /** The validated config; it must have a `pipeline` section (the stack goes to its account and region). */
  readonly config: DeploymentConfig;
  /**
   * The environment this pipeline delivers: one of `config.environments`. Only its stages, its
   * accounts and its artifacts are in this stack; the next environment's pipeline is started
   * when this one succeeds.
   */
  readonly environment: EnvironmentConfig;
}

function title(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The command of the promotion gate (pipelines/src/gate): `$COMMIT_ID` must have passed `previousPipeline`. */
export function promotionGateCommand(previousPipeline: string, region: string): string {
  return `npx tsx pipelines/src/gate/main.ts --previous-pipeline ${previousPipeline} --commit "$COMMIT_ID" --region ${region}`;
}

/**
 * The synth step: for every environment but the first, the promotion gate first — the commit
 * must have succeeded in the previous environment's pipeline, or nothing (self-mutation,
 * assets, stages) happens. A promotion always passes; the gate stops the run CodePipeline
 * starts by itself after this pipeline changed itself, which takes the branch head, a commit the
 * previous environment may never have run. Then the workspace's own main job for this
 * environment only (`-c environment=…`: the assembly, and so the artifacts, hold no other
 * environment's templates), then the kits of the consumers that deploy their endpoint
 * themselves, of this environment only, exposed as a second output for the kit step.
 */
function synthStep(
  stack: Stack,
  source: pipelines.CodePipelineSource,
  environment: EnvironmentConfig,
  previous: EnvironmentConfig | undefined,
): { readonly synth: pipelines.CodeBuildStep; readonly kits?: pipelines.FileSet } {
  const withKits = selfManagedConsumers(environment).length > 0;
  const previousPipeline = previous ? deliveryPipelineName(previous) : undefined;
  const synth = new pipelines.CodeBuildStep('Synth', {
    input: source,
    installCommands: [...INSTALL_COMMANDS],
    commands: [
      ...(previousPipeline ? [promotionGateCommand(previousPipeline, stack.region)] : []),
      `npx nx run pipelines:synth --outputStyle=static --context=environment=${environment.name}`,
      ...(withKits ? ['npx nx run consumer:kit --outputStyle=static'] : []),
    ],
    env: {
      NX_NO_CLOUD: 'true',
      NX_DAEMON: 'false',
      ...(previousPipeline ? { COMMIT_ID: source.sourceAttribute('CommitId') } : {}),
    },
    // The gate reads the previous pipeline's runs, and nothing else.
    rolePolicyStatements: previousPipeline
      ? [
          new iam.PolicyStatement({
            actions: ['codepipeline:ListPipelineExecutions'],
            resources: [stack.formatArn({ service: 'codepipeline', resource: previousPipeline })],
          }),
        ]
      : [],
    primaryOutputDirectory: 'dist/pipelines/cdk.out',
  });
  // Declared only when some kit is written: CodeBuild fails a build whose output folder is missing.
  return withKits ? { synth, kits: synth.addOutputDirectory(consumerKitsDirectory(environment)) } : { synth };
}

/**
 * The delivery pipeline of one environment, in the pipeline (tooling) account: its synth step
 * builds this environment's assembly only, then the pipeline updates itself (this stack only),
 * deploys the environment's provider stage (after a manual approval when `requiresApproval`),
 * bakes (the deployment alarms must stay out of ALARM for `monitoring.bakeMinutes`), then every
 * managed consumer stage (in parallel, in as few waves of up to 49 as fit), each wave followed by
 * one step that accepts the wave's endpoint connections and smoke-tests the API through
 * PrivateLink from inside the consumers' VPCs. Every stack is one CloudFormation action, and
 * every CodeBuild project runs the Node.js major of `.nvmrc`. Self-managed consumers
 * get no stage: after the provider, their consumer kits are completed with the endpoint service
 * name and kept as an artifact. Its last step starts the next environment's pipeline at the
 * same commit; only the first environment's pipeline starts on a push.
 *
 * Each environment's pipeline has its own artifact bucket and KMS key, granted to that
 * environment's accounts only: a staging account cannot read prod's artifacts or keys.
 *
 * @throws DeploymentConfigError naming `pipeline` when the config has no pipeline section
 * @throws Error naming `environment` when it is not one of the config's environments
 */
export class PipelineStack extends Stack {
  public readonly pipeline: pipelines.CodePipeline;
  /** The environment this pipeline delivers (`Stack.environment` is the account/region string). */
  public readonly delivers: EnvironmentConfig;
  /** The environment whose pipeline this one starts when it succeeds; absent for the last one. */
  public readonly next?: EnvironmentConfig;
  /** The key that encrypts this pipeline's artifacts (granted to this environment's accounts only). */
  public readonly artifactKey: kms.Key;
  public readonly artifactBucket: s3.Bucket;
  /**
   * The CodePipeline stages that deploy, in order: the provider stage, then its consumer waves
   * (a wave of one consumer is named after that consumer's stage, as CDK Pipelines names it).
   */
  public readonly deploymentOrder: string[] = [];
  /** The roles the wave steps (acceptance, then smoke tests) run with, one per wave. */
  public readonly smokeRunners: iam.Role[] = [];
  /** The role the bake step runs with: one, or none when the environment does not bake. */
  public readonly bakeWatchers: iam.Role[] = [];
  /** The step that starts the next environment's pipeline; absent for the last environment. */
  public readonly promotion?: PromoteStep;
  /** The environment whose pipeline must have succeeded with a commit before this one runs it. */
  public readonly previous?: EnvironmentConfig;

  public constructor(scope: Construct, id: string, props: PipelineStackProps) {
    // Before any construct exists: a config without a pipeline section fails with one message.
    const pipelineConfig = requirePipeline(props.config, 'the pipeline app');
    const environments = environmentsOf(props.config);
    const position = environments.findIndex((candidate) => candidate.name === props.environment.name);
    if (position < 0) {
      throw new Error(
        `PipelineStack ${id}: environment must be one of the config's environments (${environments.map((candidate) => candidate.name).join(', ')}), got ${props.environment.name}`,
      );
    }
    const { account, region } = pipelineConfig;
    // Unindented JSON: with 100 consumers the template would otherwise near CloudFormation's 1 MB.
    super(scope, id, { suppressTemplateIndentation: true, ...props, env: { account, region } });
    // CDK Pipelines grants its pipeline role and its asset-publishing role sts:AssumeRole on a
    // bootstrap role of every target account. With minimizePolicies (on for the app) those
    // statements end up in one managed policy per role, past IAM's 6,144 characters from about 60
    // accounts (100 consumers: 13,149 and 11,913), which CloudFormation would refuse; without it,
    // CDK spreads them over managed policies that fit (the scale test checks every size). Set
    // before any child exists, so it holds for the whole stack (the stages' stacks inherit it:
    // their policies keep one statement per grant, the same permissions).
    this.node.setContext(MINIMIZE_POLICIES_FLAG, false);
    this.delivers = props.environment;
    this.next = environments[position + 1];
    this.previous = position > 0 ? environments[position - 1] : undefined;
    // The pipeline's own roles (ours and those CDK Pipelines generates) carry the boundary too.
    // Applied to this stack only: each stage applies it to its own stacks.
    applyDeployPathGuards(this, { boundaryName: permissionsBoundaryName(props.config), namePrefix: deploymentRoleNamePrefix(props.config) });

    // Only the first environment starts on a push; the others are started by the one before,
    // at the commit it delivered.
    const source = pipelines.CodePipelineSource.connection(pipelineConfig.repository, pipelineConfig.branch, {
      connectionArn: pipelineConfig.connectionArn,
      triggerOnPush: position === 0,
      actionName: SOURCE_ACTION_NAME,
    });

    this.artifactKey = new kms.Key(this, 'ArtifactKey', {
      description: `${props.config.serviceName} ${props.environment.name} pipeline artifacts`,
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
    this.artifactBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.artifactKey,
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

    const { synth, kits } = synthStep(this, source, props.environment, this.previous);

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: deliveryPipelineName(props.environment),
      // V2: the invoke action and source-revision overrides that promote a commit exist only there.
      pipelineType: codepipeline.PipelineType.V2,
      // Target accounts decrypt artifacts with a KMS key they are granted, not the default S3 key.
      crossAccountKeys: true,
      enableKeyRotation: true,
      artifactBucket: this.artifactBucket,
      // Self-mutation deploys this stack only (`cdk deploy <this stack>`): no environment's
      // pipeline can change another's.
      selfMutation: true,
      cliVersion: pinnedCdkCliVersion(),
      cdkAssetsCliVersion: PINNED_CDK_ASSETS_VERSION,
      // One CloudFormation action per stack instead of two (create + execute a change set): a
      // consumer is one stack, so a wave's stage holds 49 consumers and its step within
      // CodePipeline's 50 actions, and 100 consumers deploy in 3 stages instead of 10. Nothing
      // reviewed the change sets between the two actions; a human approval, where an
      // environment requires one, comes before its provider stage.
      useChangeSets: false,
      synth,
      codeBuildDefaults: {
        // Merged into every CodeBuild project CDK Pipelines writes: the Node.js major of .nvmrc.
        partialBuildSpec: codebuild.BuildSpec.fromObject(pinnedRuntimeBuildSpec()),
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.MEDIUM,
          environmentVariables: Object.fromEntries(
            Object.entries(NPM_IGNORE_SCRIPTS_ENV).map(([name, value]) => [name, { value }]),
          ),
        },
        logging: { cloudWatch: { logGroup: buildLogs } },
        timeout: Duration.minutes(30),
      },
    });

    this.addEnvironment(props.environment, source, kits);
    if (this.next) {
      this.promotion = new PromoteStep(`Start-${title(this.next.name)}`, { next: this.next, source });
      // A wave of its own: it runs after every consumer wave and its smoke test succeeded.
      this.pipeline.addWave(`Promote-${title(this.next.name)}`, { post: [this.promotion] });
    }

    // Build now (not at synth) so the generated roles exist and their known wildcards can be
    // acknowledged one resource at a time.
    this.pipeline.buildPipeline();
    acknowledgeGeneratedPolicies([this.pipeline, ...this.smokeRunners, ...this.bakeWatchers]);
  }


  /**
   * The environment's stages: its provider stage (after an approval when required), followed by
   * the kit step when it has self-managed consumers and by the bake step when it bakes, then its
   * managed consumers in waves, each wave followed by its step (accept the wave's endpoint
   * connections, then smoke-test every consumer of it).
   */
  private addEnvironment(
    environment: EnvironmentConfig,
    source: pipelines.CodePipelineSource,
    kits: pipelines.FileSet | undefined,
  ): void {
    const envTitle = title(environment.name);
    const provider = new ProviderStage(this, `${envTitle}-Provider`, { config: environment });
    const serviceName = provider.serviceStack.endpointServiceNameOutput;
    const kitStep = kits ? consumerKitsStep(`ConsumerKits-${envTitle}`, environment, kits, serviceName) : undefined;
    const bake = this.bakeStep(source, environment);
    this.pipeline.addStage(provider, {
      pre: environment.requiresApproval
        ? [new pipelines.ManualApprovalStep(`Approve-${envTitle}`, { comment: `Deploy ${environment.name}?` })]
        : [],
      post: [...(kitStep ? [kitStep] : []), ...(bake ? [bake] : [])],
    });
    this.deploymentOrder.push(provider.stageName);

    // Self-managed consumers deploy their endpoint themselves: no stage, no smoke test, no role.
    // The waves come from the config library: each consumer's invoker trusts its wave's runner.
    for (const [index, batch] of consumerWaves(environment).entries()) {
      const waveNumber = index + 1;
      const waveId = `${envTitle}-Consumers-${waveNumber}`;
      const runner = this.smokeTestRunnerRole(environment, waveNumber, batch);
      const step = this.waveStep(source, environment, waveNumber, batch, runner, serviceName);
      const wave = this.pipeline.addWave(waveId, { post: [step] });
      const stages = batch.map(
        (consumer) => new ConsumerStage(this, `${envTitle}-Consumer-${consumer.name}`, { config: environment, consumer }),
      );
      for (const stage of stages) wave.addStage(stage);
      const [onlyStage] = stages;
      this.deploymentOrder.push(stages.length === 1 && onlyStage ? onlyStage.stageName : waveId);
      this.smokeRunners.push(runner);
    }
  }

  /**
   * The bake period after the provider's stage: for `monitoring.bakeMinutes`, the deployment
   * alarms (the ones that also roll an ECS deployment back) must stay out of ALARM, read through
   * the provider account's alarm reader role; one alarm firing fails the step, naming it, and no
   * consumer wave (nor the next environment) starts. Absent when the environment bakes 0 minutes.
   */
  private bakeStep(source: pipelines.CodePipelineSource, environment: EnvironmentConfig): pipelines.CodeBuildStep | undefined {
    const minutes = environment.provider.monitoring.bakeMinutes;
    if (minutes === 0) return undefined;
    const role = new iam.Role(this, `${title(environment.name)}BakeWatcher`, {
      roleName: bakeWatcherRoleName(environment),
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: `Watches the ${environment.name} deployment alarms during the bake period`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [alarmReaderRoleArn(environment)] }));
    this.bakeWatchers.push(role);
    return new pipelines.CodeBuildStep(`Bake-${title(environment.name)}`, {
      input: source,
      role,
      installCommands: [...INSTALL_COMMANDS],
      commands: [
        [
          'npx tsx pipelines/src/bake/main.ts',
          `--role-arn ${alarmReaderRoleArn(environment)}`,
          `--region ${environment.provider.region}`,
          `--alarms ${deploymentAlarmNames(environment).join(',')}`,
          `--minutes ${minutes}`,
        ].join(' '),
      ],
      // The bake itself plus the install; CodeBuild stops a build at its timeout.
      timeout: Duration.minutes(minutes + 20),
    });
  }

  /**
   * One role per wave for its step: it may only assume that wave's invoker roles and, when the
   * environment accepts connections, the provider's connection acceptor.
   */
  private smokeTestRunnerRole(environment: EnvironmentConfig, wave: number, consumers: readonly ManagedConsumerConfig[]): iam.Role {
    const role = new iam.Role(this, `${title(environment.name)}SmokeTestRunner${wave}`, {
      roleName: smokeTestRunnerRoleName(environment, wave),
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: `Accepts the endpoint connections of ${environment.name} consumer wave ${wave} and smoke-tests its consumers`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [
          ...(environment.provider.acceptanceRequired ? [connectionAcceptorRoleArn(environment)] : []),
          ...consumers.map((consumer) => smokeTestRoleArn(environment, consumer)),
        ],
      }),
    );
    return role;
  }

  /**
   * After a wave: when the endpoint service requires acceptance, accept the pending connections
   * of the wave's consumer accounts (and only theirs: any other pending connection is reported
   * and left alone) and wait until they are available; then, for every consumer of the wave,
   * assume its invoker role and invoke its smoke function (calls through PrivateLink from inside
   * its VPC). Every consumer is tested even if one fails; the step fails naming each failing
   * consumer. One step per wave, not per consumer, keeps the pipeline at one CodeBuild project
   * per wave, so the IAM policies of the pipeline's shared roles stay under their size limits
   * at 100 consumers, and a wave's stage within CodePipeline's 50 actions.
   */
  private waveStep(
    source: pipelines.CodePipelineSource,
    environment: EnvironmentConfig,
    wave: number,
    consumers: readonly ManagedConsumerConfig[],
    role: iam.IRole,
    serviceName: CfnOutput,
  ): pipelines.CodeBuildStep {
    const acceptance = environment.provider.acceptanceRequired
      ? [
          [
            'npx tsx pipelines/src/accept/main.ts',
            `--role-arn ${connectionAcceptorRoleArn(environment)}`,
            `--service-name "$${SERVICE_NAME_VARIABLE}"`,
            `--region ${environment.provider.region}`,
            `--owners ${[...new Set(consumers.map((consumer) => consumer.account))].join(',')}`,
          ].join(' '),
        ]
      : [];
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
      installCommands: [...INSTALL_COMMANDS],
      envFromCfnOutputs: acceptance.length > 0 ? { [SERVICE_NAME_VARIABLE]: serviceName } : {},
      commands: [
        ...acceptance,
        ['failed=""', ...tests, 'if [ -n "$failed" ]; then echo "Smoke test failed for:$failed"; exit 1; fi'].join('\n'),
      ],
      // The install, the acceptance (its waits are capped at 15 minutes each) and up to 49
      // sequential smoke tests.
      timeout: Duration.minutes(60),
    });
  }
}
