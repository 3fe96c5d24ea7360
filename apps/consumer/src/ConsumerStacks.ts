import { applyDeployPathGuards } from '@private-api/compliance';
import {
  deploymentRoleNamePrefix,
  permissionsBoundaryName,
  subnetPlacement,
  type EnvironmentConfig,
  type ManagedConsumerConfig,
} from '@private-api/config';
import { Construct } from 'constructs';
import { ConsumerEndpointStack } from './ConsumerEndpointStack';

export interface ConsumerStacksProps {
  /** One environment of the validated config (the provider's account, region and port come from it). */
  readonly config: EnvironmentConfig;
  /** The consumer whose stack this is; it goes to the consumer's account and region. */
  readonly consumer: ManagedConsumerConfig;
}

/**
 * The stacks of one consumer: exactly one, the endpoint stack (with the VPC of a `new-vpc`
 * consumer in it), so the pipeline deploys each consumer with one CloudFormation action.
 */
export interface ConsumerStackSet {
  readonly endpointStack: ConsumerEndpointStack;
}

/**
 * Adds one consumer's stack to `scope`: a `Stage` (the pipeline's {@link ConsumerStage}) or a
 * plain construct at the top of an app ({@link ConsumerStacksScope}, what `cdk synth`/`diff`
 * select without a stage). One composition, so both deploy the same templates.
 *
 * `scope` must have no children yet: the availability-zone context is set on it.
 */
export function addConsumerStacks(scope: Construct, props: ConsumerStacksProps): ConsumerStackSet {
  const { config, consumer } = props;
  const env = { account: consumer.account, region: consumer.region };
  const prefix = `${config.serviceName}-${config.name}-consumer-${consumer.name}`;
  // Offline synth: the zones come from the config, never from an account lookup.
  const contextZones =
    consumer.kind === 'new-vpc'
      ? subnetPlacement(consumer.vpc.availabilityZones).contextZones
      : consumer.vpc.subnets.map((subnet) => subnet.zoneId);
  scope.node.setContext(`availability-zones:account=${consumer.account}:region=${consumer.region}`, contextZones);
  // The roles of this stack carry the permissions boundary and our role path (see the provider).
  applyDeployPathGuards(scope, { boundaryName: permissionsBoundaryName(config), namePrefix: deploymentRoleNamePrefix(config) });

  const endpointStack = new ConsumerEndpointStack(scope, 'Endpoint', {
    env,
    stackName: `${prefix}-endpoint`,
    description: `${config.serviceName}: interface endpoint of consumer ${consumer.name}`,
    config,
    consumer,
  });
  return { endpointStack };
}

/**
 * One consumer's stack at the top level of an app, grouped under `Consumer-<name>`: the CDK
 * CLI selects only top-level stacks (not those inside a Stage), so `cdk diff` without a
 * selector, and `'Consumer-<name>/*'`, find them.
 */
export class ConsumerStacksScope extends Construct implements ConsumerStackSet {
  public readonly endpointStack: ConsumerEndpointStack;

  public constructor(scope: Construct, id: string, props: ConsumerStacksProps) {
    super(scope, id);
    this.endpointStack = addConsumerStacks(this, props).endpointStack;
  }
}
