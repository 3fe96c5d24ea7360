import { Aws, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Whose endpoint it is: the account whose principals may use a VPC endpoint and whose resources
 * they may reach through it, and the region the endpoint (and those resources) are in.
 */
export interface EndpointPolicyScope {
  /** The account of the VPC: its principals use the endpoints, its resources are reachable. */
  readonly account: string;
  /** The region of the VPC; regional resources outside it are unreachable through its endpoints anyway. */
  readonly region: string;
  /**
   * Other accounts whose resources the VPC's workloads read: the account of an ECR image, of a
   * secret or parameter. Their principals gain nothing; only their resources become reachable.
   * @default - none: the VPC's own account only
   */
  readonly resourceAccounts?: readonly string[];
  /**
   * The partition of the ARNs.
   * @default Aws.PARTITION
   */
  readonly partition?: string;
}

/** Builds the statements of one endpoint's policy from its scope. */
export type EndpointPolicyBuilder = (scope: EndpointPolicyScope) => iam.PolicyStatement[];

/**
 * The image layer bucket Amazon ECR hands out presigned URLs for. The download is signed by ECR,
 * not by the task, so neither the caller's nor the bucket's account is ours: the statement names
 * the bucket instead. Name per "Minimum Amazon S3 bucket permissions for Amazon ECR",
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-minimum-s3-perms
 */
export function ecrLayerBucketArn(region: string, partition: string = Aws.PARTITION): string {
  return `arn:${partition}:s3:::prod-${region}-starport-layer-bucket`;
}

/** S3 (gateway endpoint): ECR's image layers, and our own account's buckets for our own principals. */
export function s3EndpointStatements(scope: EndpointPolicyScope): iam.PolicyStatement[] {
  const partition = scope.partition ?? Aws.PARTITION;
  return [
    new iam.PolicyStatement({
      sid: 'EcrImageLayers',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [`${ecrLayerBucketArn(scope.region, partition)}/*`],
    }),
    new iam.PolicyStatement({
      sid: 'OwnAccountBuckets',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:GetBucketLocation'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'aws:PrincipalAccount': scope.account,
          'aws:ResourceAccount': scope.account,
        },
      },
    }),
  ];
}

/**
 * ECR (both the `ecr.api` and the `ecr.dkr` endpoint): an authorization token, and pulls from the
 * repositories of our account and of the resource accounts (the image's), by our principals only.
 * No push: an image is a way out.
 */
export function ecrEndpointStatements(scope: EndpointPolicyScope): iam.PolicyStatement[] {
  const partition = scope.partition ?? Aws.PARTITION;
  const repositories = accountsOf(scope).map(
    (account) => `arn:${partition}:ecr:${scope.region}:${account}:repository/*`,
  );
  return [
    new iam.PolicyStatement({
      sid: 'AuthorizationToken',
      principals: [new iam.AnyPrincipal()],
      // GetAuthorizationToken names no resource: it is allowed on * to our principals only.
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:PrincipalAccount': scope.account } },
    }),
    new iam.PolicyStatement({
      sid: 'PullImages',
      principals: [new iam.AnyPrincipal()],
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: repositories,
      conditions: { StringEquals: { 'aws:PrincipalAccount': scope.account } },
    }),
  ];
}

/** CloudWatch Logs: log streams and events into our account's log groups, by our principals. */
export function logsEndpointStatements(scope: EndpointPolicyScope): iam.PolicyStatement[] {
  const partition = scope.partition ?? Aws.PARTITION;
  return [
    new iam.PolicyStatement({
      sid: 'WriteOwnLogGroups',
      principals: [new iam.AnyPrincipal()],
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`arn:${partition}:logs:${scope.region}:${scope.account}:log-group:*`],
      conditions: { StringEquals: { 'aws:PrincipalAccount': scope.account } },
    }),
  ];
}

/** Secrets Manager: read the secrets of our account and of the resource accounts, by our principals. */
export function secretsManagerEndpointStatements(scope: EndpointPolicyScope): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadSecrets',
      principals: [new iam.AnyPrincipal()],
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:PrincipalAccount': scope.account, 'aws:ResourceAccount': oneOrMany(accountsOf(scope)) },
      },
    }),
  ];
}

/** SSM: read the parameters of our account and of the resource accounts, by our principals. */
export function ssmEndpointStatements(scope: EndpointPolicyScope): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadParameters',
      principals: [new iam.AnyPrincipal()],
      actions: ['ssm:GetParameters', 'ssm:GetParameter'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:PrincipalAccount': scope.account, 'aws:ResourceAccount': oneOrMany(accountsOf(scope)) },
      },
    }),
  ];
}

/**
 * What the SSM Agent of a managed instance calls on SSM for Session Manager: register the
 * instance, fetch its associations and documents, report inventory and compliance. The instance
 * role grants these and the `ssm` endpoint lets them through: one list for both.
 */
export const SSM_AGENT_ACTIONS: readonly string[] = [
  'ssm:UpdateInstanceInformation',
  'ssm:ListInstanceAssociations',
  'ssm:DescribeInstanceProperties',
  'ssm:DescribeDocument',
  'ssm:GetDocument',
  'ssm:PutInventory',
  'ssm:PutComplianceItems',
  'ssm:UpdateInstanceAssociationStatus',
  'ssm:ListAssociations',
  'ssm:GetManifest',
  'ssm:PutConfigurePackageResult',
];

/**
 * SSM for an EC2 container instance's SSM Agent (Session Manager instead of SSH): registering
 * the instance and fetching its associations and documents, by our principals in our account.
 * Added to the `ssm` endpoint only where container instances run.
 */
export function ssmAgentEndpointStatements(scope: EndpointPolicyScope): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ManagedInstanceAgent',
      principals: [new iam.AnyPrincipal()],
      actions: [...SSM_AGENT_ACTIONS],
      resources: ['*'],
      // Several of these actions name no resource, so aws:ResourceAccount would be absent and deny them.
      conditions: { StringEquals: { 'aws:PrincipalAccount': scope.account } },
    }),
  ];
}

/**
 * Every action of one service, for our principals only: the control channels of agents on our
 * own instances (ECS agent and telemetry, SSM messages), whose actions are the agent's to choose.
 * Most of them name no resource (`ecs:DiscoverPollEndpoint`, `ssmmessages:*`), so an
 * `aws:ResourceAccount` condition would deny them; none of them moves data out of the account.
 */
function ownAccountOnly(prefix: string, sid: string): EndpointPolicyBuilder {
  return (scope) => [
    new iam.PolicyStatement({
      sid,
      principals: [new iam.AnyPrincipal()],
      actions: [`${prefix}:*`],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:PrincipalAccount': scope.account } },
    }),
  ];
}

/**
 * The one place that says what each AWS service's endpoint allows, by the endpoint's short service
 * name (`s3` for the gateway endpoint, the interface service's `shortName` otherwise). A service
 * missing here has no endpoint policy yet: `PrivateVpc` refuses to create its endpoint without
 * statements of the caller's.
 */
export const ENDPOINT_POLICIES: Readonly<Record<string, EndpointPolicyBuilder>> = {
  s3: s3EndpointStatements,
  'ecr.api': ecrEndpointStatements,
  'ecr.dkr': ecrEndpointStatements,
  logs: logsEndpointStatements,
  secretsmanager: secretsManagerEndpointStatements,
  ssm: ssmEndpointStatements,
  // What the ECS agent on a container instance calls: registration, task state, telemetry.
  ecs: ownAccountOnly('ecs', 'OwnCluster'),
  'ecs-agent': ownAccountOnly('ecs', 'OwnClusterAgent'),
  'ecs-telemetry': ownAccountOnly('ecs', 'OwnClusterTelemetry'),
  // Session Manager's channels to our own instances.
  ssmmessages: ownAccountOnly('ssmmessages', 'OwnInstanceSessions'),
  ec2messages: ownAccountOnly('ec2messages', 'OwnInstanceMessages'),
};

/** A condition value: a single string for one value (how IAM prints it back), a list otherwise. */
function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 && values[0] !== undefined ? values[0] : values;
}

/** The account and the resource accounts, once each (an unresolved account is kept as is). */
function accountsOf(scope: EndpointPolicyScope): string[] {
  const accounts = [scope.account, ...(scope.resourceAccounts ?? [])];
  return accounts.filter((account, index) => Token.isUnresolved(account) || accounts.indexOf(account) === index);
}
