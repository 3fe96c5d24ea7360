import { resolve } from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { grantConnectionAcceptance } from './acceptance/grantConnectionAcceptance';

/** The acceptor's handler (TypeScript, bundled with esbuild at synth time; the SDK comes from the runtime). */
export const ACCEPTOR_HANDLER_ENTRY = resolve(__dirname, 'acceptance/handler.ts');

export interface SelfManagedConnectionAcceptanceProps {
  /** The endpoint service whose connections are accepted (`vpce-svc-…`, or a token). */
  readonly endpointServiceId: string;
  /** The consumer accounts (12-digit ids) whose pending connections are accepted; at least one. */
  readonly allowedOwners: readonly string[];
  /** The endpoint service's connection notification topic; the function subscribes to it. */
  readonly topic: sns.ITopic;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Accepts the endpoint connections of self-managed consumers (accounts that create their
 * endpoint outside the pipeline, so no pipeline step is there to accept it): a function
 * subscribed to the connection notification topic that, on every notification, accepts the
 * pending connections of the allowed accounts and leaves every other account's pending.
 */
export class SelfManagedConnectionAcceptance extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: SelfManagedConnectionAcceptanceProps) {
    super(scope, id);
    this.checkProps(props);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Endpoint connection acceptor: describe and accept the connections of one endpoint service, write its log group',
    });
    grantConnectionAcceptance(this.role, props.endpointServiceId);
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: ACCEPTOR_HANDLER_ENTRY,
      handler: 'handler',
      description: 'Accepts the endpoint connections of the allowed consumer accounts on every connection notification',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      role: this.role,
      logGroup: this.logGroup,
      // Not in a VPC: the function only calls the EC2 API. Inside the VPC it would need an ec2
      // interface endpoint (or NAT) to reach that API and would gain nothing for it.
      // One sweep at a time: concurrent sweeps would race to accept the same endpoints, and
      // bursts of notifications queue (async invocations are retried) instead of piling up EC2 calls.
      reservedConcurrentExecutions: 1,
      // Three tries of a throttled call (1 s, 2 s apart) and the pages of describe fit well inside.
      timeout: Duration.minutes(1),
      memorySize: 256,
      environment: {
        SERVICE_ID: props.endpointServiceId,
        ALLOWED_OWNERS: [...new Set(props.allowedOwners)].join(','),
      },
      bundling: { minify: true, sourceMap: false, target: 'node24', forceDockerBundling: false },
    });

    // SNS decrypts a KMS-encrypted topic's messages before delivering them: the subscriber needs
    // no key permission (only publishers do, and the key already lets the VPC endpoint service).
    // The subscription's Lambda permission names the topic as its source ARN.
    props.topic.addSubscription(new subscriptions.LambdaSubscription(this.function));
  }

  private checkProps(props: SelfManagedConnectionAcceptanceProps): void {
    const where = `SelfManagedConnectionAcceptance ${this.node.path}`;
    if (!Token.isUnresolved(props.endpointServiceId) && !/^vpce-svc-[0-9a-f]+$/.test(props.endpointServiceId)) {
      throw new Error(`${where}: endpointServiceId must be a VPC endpoint service id (vpce-svc-…), got ${props.endpointServiceId}`);
    }
    if (props.allowedOwners.length === 0) {
      throw new Error(`${where}: allowedOwners must name at least one consumer account, got []`);
    }
    for (const owner of props.allowedOwners) {
      if (!Token.isUnresolved(owner) && !/^\d{12}$/.test(owner)) {
        throw new Error(`${where}: allowedOwners must be 12-digit account ids, got ${owner}`);
      }
    }
  }
}
