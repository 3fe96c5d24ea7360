import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { applyDeployPathGuards } from '@private-api/compliance';
import { deploymentRoleNamePrefix, permissionsBoundaryName, subnetPlacement, type EnvironmentConfig } from '@private-api/config';
import type { Construct } from 'constructs';
import { ProviderDataStack } from './ProviderDataStack';
import { ProviderNetworkStack } from './ProviderNetworkStack';
import { ProviderServiceStack } from './ProviderServiceStack';

export interface ProviderStacksProps {
  /** One environment of the validated config; the stacks deploy to its provider's account and region. */
  readonly config: EnvironmentConfig;
  /**
   * The container image, instead of the one the config's service names.
   * @default - `config.service.image`: built from its directory, or pulled from its ECR repository
   */
  readonly image?: ecs.ContainerImage;
}

/** The stacks of one environment's provider. */
export interface ProviderStacks {
  readonly networkStack: ProviderNetworkStack;
  /** The data tier, when the environment has a database, a file system or an assets bucket. */
  readonly dataStack?: ProviderDataStack;
  readonly serviceStack: ProviderServiceStack;
}

/**
 * Adds the provider's stacks (`Network`, `Data` when the environment has a data tier, `Service`) to `scope`, each with the provider's account
 * and region as its env. The one composition of the provider: `ProviderStage` calls it for the
 * pipeline, the standalone app calls it on a plain construct `Provider` so that its stacks are
 * top-level stacks of the assembly (the CDK CLI selects only those when no stack is named;
 * stacks inside a Stage would make `cdk diff` compare nothing).
 *
 * `scope` must have no children yet: the provider zones are set as its availability-zone
 * context, so synth never looks zones up in the account.
 */
export function addProviderStacks(scope: Construct, props: ProviderStacksProps): ProviderStacks {
  const { config } = props;
  const { account, region } = config.provider;
  const env = { account, region };
  scope.node.setContext(
    `availability-zones:account=${account}:region=${region}`,
    subnetPlacement(config.provider.availabilityZones).contextZones,
  );
  // Every role of these stacks carries the permissions boundary and lives under our role path:
  // the only roles the CloudFormation execution policy lets a deploy create.
  applyDeployPathGuards(scope, { boundaryName: permissionsBoundaryName(config), namePrefix: deploymentRoleNamePrefix(config) });
  const prefix = `${config.serviceName}-${config.name}`;
  const networkStack = new ProviderNetworkStack(scope, 'Network', {
    env,
    stackName: `${prefix}-provider-network`,
    description: `${prefix}: provider VPC (private subnets, VPC endpoints, flow logs)`,
    provider: config.provider,
    service: config.service,
  });
  const { database, fileSystem, assetsBucket } = config.provider;
  const dataStack =
    database || fileSystem || assetsBucket
      ? new ProviderDataStack(scope, 'Data', {
          env,
          stackName: `${prefix}-provider-data`,
          description: `${prefix}: provider data tier (${[database && 'RDS PostgreSQL', fileSystem && 'EFS', assetsBucket && 'S3 assets bucket'].filter(Boolean).join(', ')})`,
          config,
          network: networkStack.network,
        })
      : undefined;
  const serviceStack = new ProviderServiceStack(scope, 'Service', {
    env,
    stackName: `${prefix}-provider-service`,
    description: `${prefix}: ECS service, internal ALB, NLB and PrivateLink endpoint service`,
    config,
    network: networkStack.network,
    dataTier: dataStack,
    image: props.image,
  });
  return { networkStack, ...(dataStack ? { dataStack } : {}), serviceStack };
}
