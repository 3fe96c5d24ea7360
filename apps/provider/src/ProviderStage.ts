import { Stage, type StageProps } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { EnvironmentConfig } from '@private-api/config';
import type { Construct } from 'constructs';
import { addProviderStacks } from './addProviderStacks';
import type { ProviderDataStack } from './ProviderDataStack';
import type { ProviderNetworkStack } from './ProviderNetworkStack';
import type { ProviderServiceStack } from './ProviderServiceStack';

export interface ProviderStageProps extends Omit<StageProps, 'env'> {
  /** One environment of the validated config; the stage deploys to its provider's account and region. */
  readonly config: EnvironmentConfig;
  /**
   * The container image, instead of the one the config's service names.
   * @default - `config.service.image`: built from its directory, or pulled from its ECR repository
   */
  readonly image?: ecs.ContainerImage;
}

/**
 * Everything the provider account runs, as a Stage for the pipeline: the same stacks as the
 * standalone app (`addProviderStacks`), deployed to the provider account and region.
 */
export class ProviderStage extends Stage {
  public readonly networkStack: ProviderNetworkStack;
  /** The data tier, when the environment has one. */
  public readonly dataStack?: ProviderDataStack;
  public readonly serviceStack: ProviderServiceStack;

  public constructor(scope: Construct, id: string, props: ProviderStageProps) {
    const { account, region } = props.config.provider;
    super(scope, id, { ...props, env: { account, region } });
    const stacks = addProviderStacks(this, { config: props.config, image: props.image });
    this.networkStack = stacks.networkStack;
    this.dataStack = stacks.dataStack;
    this.serviceStack = stacks.serviceStack;
  }
}
