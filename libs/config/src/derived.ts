import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { ConsumerConfig, DeploymentConfig, EnvironmentConfig } from './DeploymentConfig';
import { DeploymentConfigError } from './loadDeploymentConfig';

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
  return consumer.allowedClientCidrs ?? [consumer.vpcCidr];
}

/** Every environment, in deployment order, each carrying the service name. */
export function environmentsOf(config: DeploymentConfig): EnvironmentConfig[] {
  return config.environments.map((environment) => ({
    ...environment,
    serviceName: config.serviceName,
    pipeline: config.pipeline,
  }));
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

/** Name of the role in a consumer account that the pipeline assumes to invoke the smoke test. */
export function smokeTestRoleName(config: EnvironmentConfig): string {
  return `${config.serviceName}-${config.name}-smoke-invoker`.slice(0, 64);
}

/** ARN of that role in a consumer's account. */
export function smokeTestRoleArn(config: EnvironmentConfig, consumer: ConsumerConfig): string {
  return `arn:${partitionOf(consumer.region)}:iam::${consumer.account}:role/${smokeTestRoleName(config)}`;
}

/**
 * Name of a role in the pipeline account whose smoke-test step may assume the invoker roles of
 * one wave of consumers (one role per wave keeps each role's policy small at any scale).
 */
export function smokeTestRunnerRoleName(config: EnvironmentConfig, wave: number): string {
  return `${config.serviceName}-${config.name}-smoke-runner-${wave}`.slice(0, 64);
}

/**
 * The principals a consumer's invoker role trusts: the smoke runner roles of its environment
 * in the pipeline account (an `ArnLike` pattern on the wave number only).
 */
export function smokeTestRunnerRoleArnPattern(config: EnvironmentConfig): string {
  return `arn:${partitionOf(config.pipeline.region)}:iam::${config.pipeline.account}:role/${config.serviceName}-${config.name}-smoke-runner-*`;
}

/**
 * Name of the customer-managed IAM policy that CloudFormation deploys with in every bootstrapped
 * account (`cdk bootstrap --cloudformation-execution-policies`), created by tools/bootstrap.sh
 * from bootstrap/cdk-execution-policy.json instead of AdministratorAccess.
 */
export function cdkExecutionPolicyName(config: DeploymentConfig): string {
  return `${config.serviceName}-cdk-cloudformation-execution`;
}

/** ARN of that policy in one account. */
export function cdkExecutionPolicyArn(config: DeploymentConfig, account: string): string {
  return `arn:${partitionOf(config.pipeline.region)}:iam::${account}:policy/${cdkExecutionPolicyName(config)}`;
}

/** Every account and region the pipeline deploys to (and the pipeline's own), labelled. */
export function deploymentTargets(config: DeploymentConfig): { account: string; region: string; label: string }[] {
  return [
    { account: config.pipeline.account, region: config.pipeline.region, label: 'pipeline' },
    ...config.environments.flatMap((environment) => [
      { account: environment.provider.account, region: environment.provider.region, label: `${environment.name} provider` },
      ...environment.consumers.map((consumer) => ({
        account: consumer.account,
        region: consumer.region,
        label: `${environment.name} consumer ${consumer.name}`,
      })),
    ]),
  ];
}
