import { Stage, type StageProps } from 'aws-cdk-lib';
import type { ConsumerConfig, EnvironmentConfig } from '@private-api/config';
import type { Construct } from 'constructs';
import { ConsumerEndpointStack } from './ConsumerEndpointStack';
import { ConsumerNetworkStack } from './ConsumerNetworkStack';

export interface ConsumerStageProps extends Omit<StageProps, 'env'> {
  /** One environment of the validated config (the provider's account, region and port come from it). */
  readonly config: EnvironmentConfig;
  /** The consumer this stage deploys; the stage goes to its account and region. */
  readonly consumer: ConsumerConfig;
}

/** What one consumer account runs: deploy one such stage per consumer in the config. */
export class ConsumerStage extends Stage {
  public readonly networkStack: ConsumerNetworkStack;
  public readonly endpointStack: ConsumerEndpointStack;

  public constructor(scope: Construct, id: string, props: ConsumerStageProps) {
    const { account, region } = props.consumer;
    super(scope, id, { ...props, env: { account, region } });
    // Offline synth: the zones come from the config, never from an account lookup.
    this.node.setContext(`availability-zones:account=${account}:region=${region}`, [...props.consumer.availabilityZones]);
    const prefix = `${props.config.serviceName}-${props.config.name}-consumer-${props.consumer.name}`;
    this.networkStack = new ConsumerNetworkStack(this, 'Network', {
      stackName: `${prefix}-network`,
      description: `${props.config.serviceName}: VPC of consumer ${props.consumer.name}`,
      consumer: props.consumer,
    });
    this.endpointStack = new ConsumerEndpointStack(this, 'Endpoint', {
      stackName: `${prefix}-endpoint`,
      description: `${props.config.serviceName}: interface endpoint of consumer ${props.consumer.name}`,
      config: props.config,
      consumer: props.consumer,
      network: this.networkStack.network,
    });
  }
}

/** The construct id of a consumer's stage, e.g. `Consumer-orders`. */
export function consumerStageId(consumer: ConsumerConfig): string {
  return `Consumer-${consumer.name}`;
}
