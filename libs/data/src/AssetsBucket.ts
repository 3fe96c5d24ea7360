import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface AssetsBucketProps {
  /** The VPC's S3 gateway endpoint: readers granted with {@link AssetsBucket.grantReadThroughEndpoint} read only through it. */
  readonly gatewayEndpoint: ec2.IGatewayVpcEndpoint;
  /**
   * Days the server access logs are kept.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
  /**
   * Days a replaced or deleted object's old version is kept.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * A fixed bucket name. With one, {@link AssetsBucket.grantRead} writes the bucket's ARN into a
   * role's policy as a literal, so a role in another stack needs no reference to this one.
   * @default - a generated name
   */
  readonly bucketName?: string;
  /**
   * What happens to the buckets and the key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'];

/**
 * A private bucket for a service's static assets: encrypted with a customer-managed key
 * (rotation on, bucket key on), versioned (old versions expire, after 90 days by default), all public access
 * blocked, TLS only, server access logs in a bucket of their own. A reader granted with
 * {@link grantReadThroughEndpoint} gets read-only access, and the bucket policy refuses that
 * reader anything that does not come through the VPC's S3 gateway endpoint (`aws:SourceVpce`),
 * so its credentials are useless outside the VPC.
 */
export class AssetsBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;
  public readonly accessLogs: s3.Bucket;
  private readonly gatewayEndpoint: ec2.IGatewayVpcEndpoint;
  private readonly fixedName?: string;

  public constructor(scope: Construct, id: string, props: AssetsBucketProps) {
    super(scope, id);
    const retention = props.accessLogRetentionDays ?? 365;
    if (!Number.isInteger(retention) || retention < 1) {
      throw new Error(`AssetsBucket ${this.node.path}: accessLogRetentionDays must be a whole number of days of at least 1, got ${JSON.stringify(retention)}`);
    }
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 90;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
      throw new Error(`AssetsBucket ${this.node.path}: noncurrentVersionExpirationDays must be a whole number of days of at least 1, got ${JSON.stringify(noncurrentDays)}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.gatewayEndpoint = props.gatewayEndpoint;
    this.fixedName = props.bucketName;
    this.key = new kms.Key(this, 'Key', {
      description: `${this.node.path}: static assets`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(retention) }],
      removalPolicy,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'assets/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(noncurrentDays), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy,
    });
  }

  /** The bucket's name: the fixed one as a literal (usable in any stack), else the bucket's reference. */
  public get bucketName(): string {
    return this.fixedName ?? this.bucket.bucketName;
  }

  /**
   * Read-only access for `role` ({@link grantRead}) and the bucket policy statement that refuses
   * it every read not made through the gateway endpoint ({@link restrictReadsToEndpoint}). Use
   * it when the role is in this bucket's stack; across stacks, call the two halves in each.
   */
  public grantReadThroughEndpoint(role: iam.IRole): void {
    this.grantRead(role);
    this.restrictReadsToEndpoint(role.roleArn);
  }

  /**
   * Read-only access for `role`, in the role's own policy: the objects, their versions and the
   * listing, only through the gateway endpoint (`aws:SourceVpce`), and decryption with the key
   * only through S3.
   */
  public grantRead(role: iam.IRole): void {
    const bucketArn = this.fixedName === undefined ? this.bucket.bucketArn : `arn:${Aws.PARTITION}:s3:::${this.fixedName}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: READ_ACTIONS,
        resources: [bucketArn, `${bucketArn}/*`],
        conditions: { StringEquals: { 'aws:SourceVpce': this.gatewayEndpoint.vpcEndpointId } },
      }),
    );
    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      Validations.of(defaultPolicy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${this.objectsFinding()}]`,
        reason: 'Read-only access to the objects of this one assets bucket (object keys are the assets), and only through the VPC gateway endpoint (aws:SourceVpce, here and in the bucket policy).',
      });
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  /**
   * The bucket policy statement that denies the principal `principalArn` (a role ARN, which may
   * be a plain string so the role can live in a later stack) every read that does not come
   * through the gateway endpoint: its credentials are useless outside the VPC.
   */
  public restrictReadsToEndpoint(principalArn: string): void {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReadOnlyThroughTheVpcEndpoint',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: READ_ACTIONS,
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: {
          ArnEquals: { 'aws:PrincipalArn': principalArn },
          StringNotEquals: { 'aws:SourceVpce': this.gatewayEndpoint.vpcEndpointId },
        },
      }),
    );
  }

  /** How cdk-nag names the objects ARN in a grantee's policy: the literal ARN, or the bucket's ARN attribute. */
  private objectsFinding(): string {
    if (this.fixedName !== undefined) return `arn:<AWS::Partition>:s3:::${this.fixedName}/*`;
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    return `<${bucketId}.Arn>/*`;
  }
}
