import { Arn, ArnFormat, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { subnetPlacement, type ProviderConfig, type ServiceConfig } from '@private-api/config';
import { FARGATE_INTERFACE_ENDPOINTS, PrivateVpc } from '@private-api/network';
import type { Construct } from 'constructs';

export interface ProviderNetworkStackProps extends StackProps {
  readonly provider: ProviderConfig;
  /**
   * The service the tasks run: its secrets decide which secret stores get an interface endpoint.
   * @default - no secrets: the endpoints Fargate needs only
   */
  readonly service?: ServiceConfig;
}

/**
 * The interface endpoints the tasks need: ECR and Logs always; Secrets Manager and SSM only when
 * the service takes secrets from them (ECS fetches them at task start, and with no NAT the
 * endpoint is the only way to reach the store).
 */
export function serviceInterfaceEndpoints(service?: ServiceConfig): ec2.InterfaceVpcEndpointAwsService[] {
  const sources = new Set(Object.values(service?.secrets ?? {}).map((secret) => secret.source));
  return [
    ...FARGATE_INTERFACE_ENDPOINTS,
    ...(sources.has('secretsmanager') ? [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER] : []),
    ...(sources.has('ssm') ? [ec2.InterfaceVpcEndpointAwsService.SSM] : []),
  ];
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
 * The provider VPC: private subnets only, no NAT, the endpoints Fargate needs, flow logs. Its
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
      interfaceEndpoints: serviceInterfaceEndpoints(props.service),
      endpointResourceAccounts: endpointResourceAccounts(props.service).filter((account) => account !== props.provider.account),
      flowLogRetention: props.provider.logRetentionDays as logs.RetentionDays,
    });
  }
}
