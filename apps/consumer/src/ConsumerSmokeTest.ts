import { resolve } from 'node:path';
import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ConsumerEndpoint } from '@private-api/privatelink';
import { Construct } from 'constructs';
import type { SmokeCheckConfig } from '@private-api/config';

/** The smoke-test handler (TypeScript, bundled with esbuild at synth time, no npm dependencies). */
export const SMOKE_HANDLER_ENTRY = resolve(__dirname, 'smoke/smokeHandler.ts');

/** The role the pipeline's smoke-test runner assumes to invoke the function. */
export interface SmokeTestInvokerProps {
  /** Fixed role name, so the pipeline can assume it without a lookup. */
  readonly roleName: string;
  /**
   * The exact ARNs (role path included) of the pipeline roles allowed to assume it
   * (`ArnEquals` on `aws:PrincipalArn`); no wildcards.
   */
  readonly runnerRoleArns: readonly string[];
  /** Account of those pipeline roles. */
  readonly runnerAccount: string;
}

export interface ConsumerSmokeTestProps {
  readonly vpc: ec2.IVpc;
  /** The subnets the function's network interfaces go into (those of the endpoint). */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The interface endpoint the function calls the provider through. */
  readonly endpoint: ConsumerEndpoint;
  /** The requests the function makes and what each must answer (`service.smokeChecks`). */
  readonly checks: readonly SmokeCheckConfig[];
  /** Fixed function name, so the pipeline can invoke it without a lookup. */
  readonly functionName: string;
  /**
   * The role the pipeline assumes to invoke the function, and whom it trusts.
   * @default - no invoker role: the function is invoked by hand (there is no pipeline to trust)
   */
  readonly invoker?: SmokeTestInvokerProps;
  readonly logRetention: logs.RetentionDays;
}

/**
 * An end-to-end check of the private path from inside the consumer VPC: a function that calls
 * the provider API through the interface endpoint and compares the answers with the configured
 * checks, and (with a pipeline) a role that only the pipeline's smoke-test runner may assume,
 * allowed only to invoke it.
 */
export class ConsumerSmokeTest extends Construct {
  public readonly function: nodejs.NodejsFunction;
  /** The role the pipeline assumes to invoke the function; absent without a pipeline. */
  public readonly invokerRole?: iam.Role;

  public constructor(scope: Construct, id: string, props: ConsumerSmokeTestProps) {
    super(scope, id);
    if (props.checks.length === 0) {
      throw new Error(`ConsumerSmokeTest ${this.node.path}: checks must name at least one request, got []`);
    }
    const { invoker } = props;
    if (invoker && !Token.isUnresolved(invoker.runnerAccount) && !/^\d{12}$/.test(invoker.runnerAccount)) {
      throw new Error(`ConsumerSmokeTest ${this.node.path}: invoker.runnerAccount must be a 12-digit account id, got ${invoker.runnerAccount}`);
    }
    if (invoker) this.checkRunnerRoleArns(invoker);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Smoke test function: egress to the private API endpoint only',
      allowAllOutbound: false,
    });
    // Egress from the function to the endpoint and ingress on the endpoint from the function.
    securityGroup.connections.allowTo(props.endpoint, ec2.Port.tcp(props.endpoint.port), 'Smoke test to the private API');

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Smoke test function: its own log group and the VPC network interfaces Lambda needs',
    });
    executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    const policy = executionRole.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'The EC2 network-interface actions a VPC Lambda function needs support no resource-level permissions; the log actions are scoped to the function log group.',
      });
    }

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      entry: SMOKE_HANDLER_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      role: executionRole,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [securityGroup],
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: {
        API_BASE_URL: `http://${props.endpoint.dnsName}:${props.endpoint.port}`,
        REQUEST_TIMEOUT_MS: '5000',
        // The checks travel as JSON; the handler validates them (the config already did).
        SMOKE_CHECKS: JSON.stringify(props.checks),
      },
      bundling: { minify: true, sourceMap: false, target: 'node24', forceDockerBundling: false },
    });

    if (invoker) {
      this.invokerRole = new iam.Role(this, 'InvokerRole', {
        roleName: invoker.roleName,
        description: 'Assumed by the pipeline smoke-test step to invoke the smoke test function',
        // Trusting the account with an ARN condition (not the role ARN itself) lets this stack
        // deploy before the pipeline role exists, while admitting only the named runner roles.
        assumedBy: new iam.AccountPrincipal(invoker.runnerAccount).withConditions({
          ArnEquals: { 'aws:PrincipalArn': [...invoker.runnerRoleArns] },
        }),
        maxSessionDuration: Duration.hours(1),
      });
      // The function itself, not `function:*` (versions and aliases) as grantInvoke would.
      this.invokerRole.addToPolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
      );
    }
  }

  /** Exact role ARNs only, in the runner account: a pattern would admit roles nobody reviewed. */
  private checkRunnerRoleArns(invoker: SmokeTestInvokerProps): void {
    if (invoker.runnerRoleArns.length === 0) {
      throw new Error(`ConsumerSmokeTest ${this.node.path}: invoker.runnerRoleArns must name at least one role ARN, got []`);
    }
    for (const arn of invoker.runnerRoleArns) {
      if (Token.isUnresolved(arn)) continue;
      const match = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/.exec(arn);
      if (!match || (!Token.isUnresolved(invoker.runnerAccount) && match[1] !== invoker.runnerAccount)) {
        throw new Error(
          `ConsumerSmokeTest ${this.node.path}: invoker.runnerRoleArns must be exact IAM role ARNs in account ${invoker.runnerAccount} (no wildcards), got ${arn}`,
        );
      }
    }
  }
}
