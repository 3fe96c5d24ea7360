import { Arn, ArnFormat, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { subnetPlacement, type ProviderConfig, type ServiceConfig } from '@private-api/config';
import { FARGATE_INTERFACE_ENDPOINTS, PrivateVpc, ssmAgentEndpointStatements } from '@private-api/network';
import type { Construct } from 'constructs';

export interface ProviderNetworkStackProps extends StackProps {
  readonly provider: ProviderConfig;
  /**
   * The service the tasks run: its secrets decide which secret stores get an interface endpoint.
   * @default - no secrets: the endpoints Fargate needs only
   */
  readonly service?: ServiceConfig;
}

/** What EC2 container instances reach without NAT: the ECS agent's three endpoints, and Session Manager's. */
export const CONTAINER_INSTANCE_INTERFACE_ENDPOINTS: readonly ec2.InterfaceVpcEndpointAwsService[] = [
  ec2.InterfaceVpcEndpointAwsService.ECS,
  ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
  ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
  ec2.InterfaceVpcEndpointAwsService.SSM,
  ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
];

/**
 * The interface endpoints the tasks need: ECR and Logs always; Secrets Manager when a secret
 * comes from it or the provider has a database (ECS injects the database credentials from it);
 * SSM when a secret comes from it; and, with EC2 capacity, the ECS agent's and Session Manager's
 * endpoints. With no NAT an endpoint is the only way to each service; none is added unused.
 */
export function serviceInterfaceEndpoints(
  service?: ServiceConfig,
  provider?: Pick<ProviderConfig, 'capacity' | 'database'>,
): ec2.InterfaceVpcEndpointAwsService[] {
  const sources = new Set(Object.values(service?.secrets ?? {}).map((secret) => secret.source));
  const containerInstances = provider?.capacity.type === 'ec2';
  const endpoints = [
    ...FARGATE_INTERFACE_ENDPOINTS,
    ...(sources.has('secretsmanager') || provider?.database ? [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER] : []),
    ...(sources.has('ssm') && !containerInstances ? [ec2.InterfaceVpcEndpointAwsService.SSM] : []),
    ...(containerInstances ? CONTAINER_INSTANCE_INTERFACE_ENDPOINTS : []),
  ];
  return endpoints;
}

/**
 * The accounts other than the provider's whose resources the tasks read through the endpoints:
 * the account of an ECR image and of each secret (their endpoint policies admit those resources).
 */
export function endpointResourceAccounts(service?: ServiceConfig): string[] {
  const accounts = [
    ...(service?.image.kind === 'ecr' ? [service.image.account] : []),
    ...Object.values(service?.secrets ?? {}).map((secret) => Arn.split(secret.arn, ArnFormat.COLON_RESOURCE_NAME).account),
  ];
  return [...new Set(accounts.filter((account): account is string => account !== undefined && !Token.isUnresolved(account)))].sort();
}

/**
 * The provider VPC: private subnets only, no NAT, the endpoints its tasks (and container
 * instances) need, flow logs, and isolated data subnets when it has a database or file system. Its
 * subnets are placed by zone ID unless the config names every zone (see `subnetPlacement`); the
 * stack's availability-zone context must list the same zones (`addProviderStacks` sets it).
 */
export class ProviderNetworkStack extends Stack {
  public readonly network: PrivateVpc;

  public constructor(scope: Construct, id: string, props: ProviderNetworkStackProps) {
    super(scope, id, props);
    const placement = subnetPlacement(props.provider.availabilityZones);
    this.network = new PrivateVpc(this, 'Network', {
      cidr: props.provider.vpcCidr,
      availabilityZones: placement.availabilityZones,
      availabilityZoneIds: placement.availabilityZoneIds,
      subnetCidrMask: props.provider.subnetCidrMask,
      interfaceEndpoints: serviceInterfaceEndpoints(props.service, props.provider),
      endpointResourceAccounts: endpointResourceAccounts(props.service).filter((account) => account !== props.provider.account),
      // The SSM endpoint also carries the container instances' SSM Agent (Session Manager).
      endpointPolicyStatements:
        props.provider.capacity.type === 'ec2'
          ? { ssm: ssmAgentEndpointStatements({ account: this.account, region: this.region }) }
          : undefined,
      dataSubnets: props.provider.database !== undefined || props.provider.fileSystem !== undefined,
      flowLogRetention: props.provider.logRetentionDays as logs.RetentionDays,
    });
  }
}
