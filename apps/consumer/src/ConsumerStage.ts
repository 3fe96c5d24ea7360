import { Stage, type StageProps } from 'aws-cdk-lib';
import type { ConsumerConfig, EnvironmentConfig, ManagedConsumerConfig } from '@private-api/config';
import type { Construct } from 'constructs';
import type { ConsumerEndpointStack } from './ConsumerEndpointStack';
import { addConsumerStacks, type ConsumerStackSet } from './ConsumerStacks';

export interface ConsumerStageProps extends Omit<StageProps, 'env'> {
  /** One environment of the validated config (the provider's account, region and port come from it). */
  readonly config: EnvironmentConfig;
  /**
   * The consumer this stage deploys (a new or an existing VPC: `managedConsumers(config)`); the
   * stage goes to its account and region. Self-managed consumers get a consumer kit instead.
   */
  readonly consumer: ManagedConsumerConfig;
}

/** What one consumer account runs: the pipeline deploys one such stage per managed consumer. */
export class ConsumerStage extends Stage implements ConsumerStackSet {
  /** The consumer's one stack: its endpoint, smoke test, alarm and (new VPC only) its VPC. */
  public readonly endpointStack: ConsumerEndpointStack;

  public constructor(scope: Construct, id: string, props: ConsumerStageProps) {
    const { account, region } = props.consumer;
    // A self-managed consumer would type-check only through a cast: say what to do instead.
    const kind: string = props.consumer.kind;
    if (kind === 'self-managed') {
      throw new Error(`ConsumerStage ${id}: consumer ${props.consumer.name} is self-managed (it deploys its endpoint from the consumer kit), got kind ${kind}`);
    }
    super(scope, id, { ...props, env: { account, region } });
    this.endpointStack = addConsumerStacks(this, props).endpointStack;
  }
}

/** The construct id of a consumer's stage (or top-level group), e.g. `Consumer-orders`. */
export function consumerStageId(consumer: ConsumerConfig): string {
  return `Consumer-${consumer.name}`;
}
