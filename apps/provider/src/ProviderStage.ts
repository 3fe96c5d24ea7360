import { resolve } from 'node:path';
import { Stage, type StageProps } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { EnvironmentConfig } from '@private-api/config';
import type { Construct } from 'constructs';
import { ProviderNetworkStack } from './ProviderNetworkStack';
import { ProviderServiceStack } from './ProviderServiceStack';

/** The task API's source folder (with its Dockerfile), built into the service image. */
export const TASK_API_DIRECTORY = resolve(__dirname, '../../task-api');

export interface ProviderStageProps extends Omit<StageProps, 'env'> {
  /** One environment of the validated config; the stage deploys to its provider's account and region. */
  readonly config: EnvironmentConfig;
  /**
   * The container image of the API.
   * @default - built from apps/task-api with its Dockerfile
   */
  readonly image?: ecs.ContainerImage;
}

/** Everything the provider account runs: deploy this stage to the provider account and region. */
export class ProviderStage extends Stage {
  public readonly networkStack: ProviderNetworkStack;
  public readonly serviceStack: ProviderServiceStack;

  public constructor(scope: Construct, id: string, props: ProviderStageProps) {
    const { account, region } = props.config.provider;
    super(scope, id, { ...props, env: { account, region } });
    // Offline synth: the zones come from the config, never from an account lookup.
    this.node.setContext(`availability-zones:account=${account}:region=${region}`, [...props.config.provider.availabilityZones]);
    const prefix = `${props.config.serviceName}-${props.config.name}`;
    this.networkStack = new ProviderNetworkStack(this, 'Network', {
      stackName: `${prefix}-provider-network`,
      description: `${prefix}: provider VPC (private subnets, VPC endpoints, flow logs)`,
      provider: props.config.provider,
    });
    this.serviceStack = new ProviderServiceStack(this, 'Service', {
      stackName: `${prefix}-provider-service`,
      description: `${prefix}: ECS service, internal ALB, NLB and PrivateLink endpoint service`,
      config: props.config,
      network: this.networkStack.network,
      image:
        props.image ?? ecs.ContainerImage.fromAsset(TASK_API_DIRECTORY, { platform: Platform.LINUX_AMD64 }),
    });
  }
}
