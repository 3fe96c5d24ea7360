import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { ConsumerConfig, DeploymentConfig } from './DeploymentConfig';

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
export function allowedPrincipalArns(config: DeploymentConfig): string[] {
  return [...new Set(config.consumers.map(consumerPrincipalArn))];
}

/** Distinct consumer account ids (the RAM share's principals). */
export function consumerAccounts(config: DeploymentConfig): string[] {
  return [...new Set(config.consumers.map((consumer) => consumer.account))];
}

/** Name of the SSM parameter through which the provider publishes its endpoint service name. */
export function endpointServiceParameterName(config: DeploymentConfig): string {
  return `/${config.serviceName}/privatelink/endpoint-service-name`;
}

/**
 * Full ARN of that parameter in the provider account: consumers read the shared parameter by
 * ARN (a parameter shared through AWS RAM cannot be addressed by name from another account).
 */
export function endpointServiceParameterArn(config: DeploymentConfig): string {
  const { account, region } = config.provider;
  const name = endpointServiceParameterName(config).replace(/^\//, '');
  return `arn:${partitionOf(region)}:ssm:${region}:${account}:parameter/${name}`;
}

/** The port consumers connect to: 443 with TLS on the ALB, 80 without, unless configured. */
export function listenerPort(config: DeploymentConfig): number {
  return config.provider.listenerPort ?? (config.provider.certificateArn ? 443 : 80);
}

/** CIDR blocks allowed to reach a consumer's endpoint (its whole VPC by default). */
export function allowedClientCidrs(consumer: ConsumerConfig): readonly string[] {
  return consumer.allowedClientCidrs ?? [consumer.vpcCidr];
}
