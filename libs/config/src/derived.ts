import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { assetsBucketNameOf } from './DataTierConfig';
import type {
  AvailabilityZone,
  ConsumerConfig,
  DeploymentConfig,
  EnvironmentConfig,
  ManagedConsumerConfig,
  PipelineConfig,
  SelfManagedConsumerConfig,
} from './DeploymentConfig';
import { DeploymentConfigError } from './loadDeploymentConfig';
import type { ServiceConfig } from './ServiceConfig';

/**
 * Values that follow from the config. They are computed here, once, so that the provider and
 * every consumer agree on them without anybody typing them twice.
 */

/** The AWS partition of a region (`aws`, `aws-cn`, `aws-us-gov`, ...). */
export function partitionOf(region: string): string {
  return RegionInfo.get(region).partition ?? 'aws';
}

/**
 * The IAM principal ARN a consumer is allowed to connect with: its configured role, or its
 * account root. Deduplicated, in consumer order.
 */
export function consumerPrincipalArn(consumer: ConsumerConfig): string {
  return consumer.principalArn ?? `arn:${partitionOf(consumer.region)}:iam::${consumer.account}:root`;
}

/** Every principal the endpoint service must allow, derived from the consumer list. */
export function allowedPrincipalArns(config: EnvironmentConfig): string[] {
  return [...new Set(config.consumers.map(consumerPrincipalArn))];
}

/** Distinct consumer account ids (the RAM share's principals). */
export function consumerAccounts(config: EnvironmentConfig): string[] {
  return [...new Set(config.consumers.map((consumer) => consumer.account))];
}

/**
 * Whether the RAM share of the service name parameter must allow principals outside the
 * provider's AWS Organization: false only when the config states the organization and no
 * consumer of the environment is marked `outsideOrganization`. With false, RAM refuses any
 * account outside the organization, so a consumer wrongly left unmarked fails the deploy
 * instead of being shared with silently.
 */
export function ramAllowsExternalPrincipals(config: EnvironmentConfig): boolean {
  return config.organization === undefined || config.consumers.some((consumer) => consumer.outsideOrganization);
}

/** Name of the SSM parameter through which the provider publishes its endpoint service name. */
export function endpointServiceParameterName(config: EnvironmentConfig): string {
  return `/${config.serviceName}/${config.name}/privatelink/endpoint-service-name`;
}

/**
 * Full ARN of that parameter in the provider account: consumers read the shared parameter by
 * ARN (a parameter shared through AWS RAM cannot be addressed by name from another account).
 */
export function endpointServiceParameterArn(config: EnvironmentConfig): string {
  const { account, region } = config.provider;
  const name = endpointServiceParameterName(config).replace(/^\//, '');
  return `arn:${partitionOf(region)}:ssm:${region}:${account}:parameter/${name}`;
}

/** The port consumers connect to: 443 with TLS on the ALB, 80 without, unless configured. */
export function listenerPort(config: EnvironmentConfig): number {
  return config.provider.listenerPort ?? (config.provider.certificateArn ? 443 : 80);
}

/** CIDR blocks allowed to reach a consumer's endpoint (its whole VPC by default). */
export function allowedClientCidrs(consumer: ConsumerConfig): readonly string[] {
  return consumer.allowedClientCidrs;
}

/** The consumers whose endpoint this repository deploys (a new or an existing VPC), in config order. */
export function managedConsumers(config: EnvironmentConfig): ManagedConsumerConfig[] {
  return config.consumers.filter((consumer): consumer is ManagedConsumerConfig => consumer.kind !== 'self-managed');
}

/** The consumers that deploy their endpoint themselves from a consumer kit, in config order. */
export function selfManagedConsumers(config: EnvironmentConfig): SelfManagedConsumerConfig[] {
  return config.consumers.filter((consumer): consumer is SelfManagedConsumerConfig => consumer.kind === 'self-managed');
}

/** Every environment, in deployment order, each carrying the service and the pipeline. */
export function environmentsOf(config: DeploymentConfig): EnvironmentConfig[] {
  return [...config.environments];
}

/**
 * The pipeline section, for the code that needs it (the pipeline app, its smoke-test trust).
 *
 * @throws DeploymentConfigError naming `pipeline` and who needs it, when the config has none
 */
export function requirePipeline(config: { readonly pipeline?: PipelineConfig }, neededBy: string): PipelineConfig {
  if (config.pipeline) return config.pipeline;
  throw new DeploymentConfigError('(config)', [
    {
      field: 'pipeline',
      problem: `is required by ${neededBy}: add a pipeline section (account, region, repository, connectionArn), or deploy the provider and consumer apps by hand`,
      value: undefined,
    },
  ]);
}

/**
 * The absolute folder a directory image is built from, checked: it must exist under the
 * repository root and hold the Dockerfile.
 *
 * @throws DeploymentConfigError naming `service.image.directory` (or `.file`) and the value
 */
export function imageDirectory(service: ServiceConfig, repositoryRoot: string): string {
  if (service.image.kind !== 'directory') {
    throw new Error(`service ${service.name} has an ECR image, not a directory`);
  }
  const { directory, file } = service.image;
  const absolute = resolve(repositoryRoot, directory);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
    throw new DeploymentConfigError('(config)', [
      { field: 'service.image.directory', problem: `is not a folder of the repository (${repositoryRoot})`, value: directory },
    ]);
  }
  if (!existsSync(resolve(absolute, file))) {
    throw new DeploymentConfigError('(config)', [
      { field: 'service.image.file', problem: `does not exist in ${directory}`, value: file },
    ]);
  }
  return absolute;
}

/**
 * The environment a standalone `cdk synth`/`deploy` works on: the one named (CDK context
 * `environment`), else the first one.
 *
 * @throws DeploymentConfigError naming the available environments when the name is unknown
 */
export function selectEnvironment(config: DeploymentConfig, name?: string): EnvironmentConfig {
  const environments = environmentsOf(config);
  const selected = name === undefined ? environments[0] : environments.find((environment) => environment.name === name);
  if (!selected) {
    throw new DeploymentConfigError('(context)', [
      {
        field: 'environment',
        problem: `is not an environment of the config (${environments.map((environment) => environment.name).join(', ')})`,
        value: name,
      },
    ]);
  }
  return selected;
}

/** Name of a consumer's smoke-test function (fixed, so the pipeline can invoke it by name). */
export function smokeTestFunctionName(config: EnvironmentConfig, consumer: ConsumerConfig): string {
  return `${config.serviceName}-${config.name}-${consumer.name}-smoke`.slice(0, 64);
}

/**
 * The IAM path of every role our stacks create: the root path. A path would be the tidier way
 * to mark our roles, but services that take a role by name (CodeBuild's `ServiceRole` as CDK
 * Pipelines writes it: CloudFormation lint E3050) then look for `role/<name>` and fail. Our roles
 * are told apart by {@link deploymentRoleNamePrefix} instead.
 */
export function deploymentRolePath(_config: { readonly serviceName: string }): string {
  return '/';
}

/**
 * What the name of every role our stacks create starts with (`<service name>-`): roles without
 * an explicit name get one (BoundedRoles), and the CloudFormation execution policy may create,
 * change and pass only roles with this prefix (and the permissions boundary).
 */
export function deploymentRoleNamePrefix(config: { readonly serviceName: string }): string {
  return `${config.serviceName}-`;
}

/**
 * Name of the customer-managed policy every role our stacks create carries as its permissions
 * boundary, in every account (`npm run bootstrap` creates it; `cdk bootstrap
 * --custom-permissions-boundary` applies it to the CloudFormation execution role as well).
 */
export function permissionsBoundaryName(config: { readonly serviceName: string }): string {
  return `${config.serviceName}-permissions-boundary`;
}

/** Name of the role in a consumer account that the pipeline assumes to invoke the smoke test. */
export function smokeTestRoleName(config: EnvironmentConfig): string {
  return `${config.serviceName}-${config.name}-smoke-invoker`.slice(0, 64);
}

/** ARN of that role in a consumer's account. */
export function smokeTestRoleArn(config: EnvironmentConfig, consumer: ConsumerConfig): string {
  return `arn:${partitionOf(consumer.region)}:iam::${consumer.account}:role${deploymentRolePath(config)}${smokeTestRoleName(config)}`;
}

/** CodePipeline's fixed limit on the actions of one stage. */
export const CODEPIPELINE_MAX_ACTIONS_PER_STAGE = 50;

/**
 * Actions a wave's stage holds besides its consumers' deployments: the one step that accepts
 * the wave's endpoint connections and then smoke-tests every consumer of it.
 */
export const WAVE_STEP_ACTIONS = 1;

/**
 * The most managed consumers one wave (one CodePipeline stage) holds: each consumer is one
 * stack, deployed by one CloudFormation action (the pipeline deploys without change sets), so
 * a wave of 49 consumers and its step fill the stage's 50 actions exactly.
 */
export const MAX_CONSUMERS_PER_WAVE = CODEPIPELINE_MAX_ACTIONS_PER_STAGE - WAVE_STEP_ACTIONS;

/**
 * The waves an environment's managed consumers deploy in, in config order: as few as fit
 * ({@link MAX_CONSUMERS_PER_WAVE} each, so 100 consumers take 3 and 147 still do), of balanced
 * sizes (100 → 34, 33, 33), the larger ones first. The pipeline deploys each as one stage, and a
 * consumer's smoke-test invoker trusts only the runner of its own wave, so both compute the
 * waves here.
 */
export function consumerWaves(config: EnvironmentConfig): ManagedConsumerConfig[][] {
  const consumers = managedConsumers(config);
  const count = Math.ceil(consumers.length / MAX_CONSUMERS_PER_WAVE);
  const waves: ManagedConsumerConfig[][] = [];
  let start = 0;
  for (let wave = 0; wave < count; wave += 1) {
    // The first (length mod count) waves take one consumer more than the others.
    const size = Math.floor(consumers.length / count) + (wave < consumers.length % count ? 1 : 0);
    waves.push(consumers.slice(start, start + size));
    start += size;
  }
  return waves;
}

/**
 * The (1-based) wave a managed consumer of the environment deploys in.
 *
 * @throws Error naming the consumer when it is not a managed consumer of the environment
 */
export function consumerWaveNumber(config: EnvironmentConfig, consumer: ConsumerConfig): number {
  const index = consumerWaves(config).findIndex((wave) => wave.some((candidate) => candidate.name === consumer.name));
  if (index < 0) {
    throw new Error(`consumer ${consumer.name} is not a managed consumer of environment ${config.name}: it has no wave`);
  }
  return index + 1;
}

/**
 * Name of a role in the pipeline account that runs one wave's step: it may assume the provider's
 * connection acceptor (to accept that wave's endpoint connections) and the invoker roles of the
 * wave's consumers (to smoke-test them); one role per wave keeps each role's policy small at any
 * scale.
 */
export function smokeTestRunnerRoleName(config: EnvironmentConfig, wave: number): string {
  return `${config.serviceName}-${config.name}-smoke-runner-${wave}`.slice(0, 64);
}

/**
 * The exact ARN of one wave's smoke runner role in the pipeline account, role path included
 * (every role of our stacks lives under {@link deploymentRolePath}). A consumer's invoker role
 * trusts this one principal: no other wave's runner, no other environment's.
 */
export function smokeTestRunnerRoleArn(config: EnvironmentConfig, wave: number): string {
  return pipelineRoleArn(config, smokeTestRunnerRoleName(config, wave), 'the smoke-test invoker role');
}

function providerRoleArn(config: EnvironmentConfig, name: string): string {
  const { account, region } = config.provider;
  return `arn:${partitionOf(region)}:iam::${account}:role${deploymentRolePath(config)}${name}`;
}

function pipelineRoleArn(config: EnvironmentConfig, name: string, neededBy: string): string {
  const pipeline = requirePipeline(config, neededBy);
  return `arn:${partitionOf(pipeline.region)}:iam::${pipeline.account}:role${deploymentRolePath(config)}${name}`;
}

/**
 * Name of the provider-account role the pipeline's wave steps assume to accept their consumers'
 * endpoint connections: it may describe connections and accept them on this environment's
 * endpoint service only.
 */
export function connectionAcceptorRoleName(config: EnvironmentConfig): string {
  return `${config.serviceName}-${config.name}-connection-acceptor`.slice(0, 64);
}

/** ARN of the connection acceptor role in the provider account. */
export function connectionAcceptorRoleArn(config: EnvironmentConfig): string {
  return providerRoleArn(config, connectionAcceptorRoleName(config));
}

/**
 * Name of the provider-account role the pipeline's bake step assumes to read the state of the
 * deployment alarms (and nothing else).
 */
export function alarmReaderRoleName(config: EnvironmentConfig): string {
  return `${config.serviceName}-${config.name}-alarm-reader`.slice(0, 64);
}

/** ARN of the alarm reader role in the provider account. */
export function alarmReaderRoleArn(config: EnvironmentConfig): string {
  return providerRoleArn(config, alarmReaderRoleName(config));
}

/** Name of the pipeline-account role the bake step runs with: it may assume the alarm reader only. */
export function bakeWatcherRoleName(config: EnvironmentConfig): string {
  return `${config.serviceName}-${config.name}-bake-watcher`.slice(0, 64);
}

/** ARN of the bake step's role in the pipeline account (the alarm reader trusts this one principal). */
export function bakeWatcherRoleArn(config: EnvironmentConfig): string {
  return pipelineRoleArn(config, bakeWatcherRoleName(config), 'the alarm reader role');
}

/**
 * Every account and region this repository deploys to (and the pipeline's own, when there is
 * one), labelled. Self-managed consumers are not targets: nothing is deployed into them.
 */
export function deploymentTargets(config: DeploymentConfig): { account: string; region: string; label: string }[] {
  return [
    ...(config.pipeline ? [{ account: config.pipeline.account, region: config.pipeline.region, label: 'pipeline' }] : []),
    ...config.environments.flatMap((environment) => [
      { account: environment.provider.account, region: environment.provider.region, label: `${environment.name} provider` },
      ...managedConsumers(environment).map((consumer) => ({
        account: consumer.account,
        region: consumer.region,
        label: `${environment.name} consumer ${consumer.name}`,
      })),
    ]),
  ];
}

/**
 * How a VPC this repository creates places its subnets, as `PrivateVpc` props: by zone name
 * when every zone of the config has one (a config written before zone IDs keeps its deployed
 * subnets in place), else by zone ID. `contextZones` is what the stack's availability-zone
 * context must list (stages set it, so synth never looks zones up).
 */
export function subnetPlacement(zones: readonly AvailabilityZone[]): {
  readonly availabilityZones?: string[];
  readonly availabilityZoneIds?: string[];
  readonly contextZones: string[];
} {
  const names = zones.map((zone) => zone.name);
  if (names.every((name): name is string => name !== undefined)) {
    return { availabilityZones: names, contextZones: names };
  }
  const ids = zones.map((zone) => zone.id);
  return { availabilityZoneIds: ids, contextZones: ids };
}

/**
 * Name of the provider service's task role. Explicit, so the data tier (deployed before the
 * service) can name the role in its bucket policy without a reference to the service stack.
 */
export function serviceTaskRoleName(config: EnvironmentConfig): string {
  return `${config.serviceName}-${config.name}-task`.slice(0, 64);
}

/** ARN of that role in the provider account. */
export function serviceTaskRoleArn(config: EnvironmentConfig): string {
  return `arn:${partitionOf(config.provider.region)}:iam::${config.provider.account}:role${deploymentRolePath(config)}${serviceTaskRoleName(config)}`;
}

/**
 * Name of the provider's assets bucket: fixed, so the service stack names it in the task role's
 * policy without a reference to the data stack. Account and region make it unique across S3;
 * the config refuses names longer than S3's 63 characters.
 */
export function assetsBucketName(config: EnvironmentConfig): string {
  return assetsBucketNameOf({ serviceName: config.serviceName, environment: config.name, account: config.provider.account, region: config.provider.region });
}
