import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
   * What happens to the buckets and the key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'];

/**
 * A private bucket for a service's static assets: encrypted with a customer-managed key
 * (rotation on, bucket key on), versioned (old versions expire after 90 days), all public access
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

  public constructor(scope: Construct, id: string, props: AssetsBucketProps) {
    super(scope, id);
    const retention = props.accessLogRetentionDays ?? 365;
    if (!Number.isInteger(retention) || retention < 1) {
      throw new Error(`AssetsBucket ${this.node.path}: accessLogRetentionDays must be a whole number of days of at least 1, got ${JSON.stringify(retention)}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.gatewayEndpoint = props.gatewayEndpoint;
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
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'assets/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy,
    });
  }

  /**
   * Read-only access for `role` (objects, their versions, the listing; decrypt through S3 only),
   * and a bucket policy statement that denies that role every read not made through the
   * gateway endpoint.
   */
  public grantReadThroughEndpoint(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: READ_ACTIONS,
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );
    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
      Validations.of(defaultPolicy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        reason: 'Read-only access to the objects of this one assets bucket (object keys are the assets), and only through the VPC gateway endpoint (bucket policy).',
      });
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReadOnlyThroughTheVpcEndpoint',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: READ_ACTIONS,
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: {
          ArnEquals: { 'aws:PrincipalArn': role.roleArn },
          StringNotEquals: { 'aws:SourceVpce': this.gatewayEndpoint.vpcEndpointId },
        },
      }),
    );
  }
}
