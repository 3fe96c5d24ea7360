import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { StackPart } from './StackPart';

/**
 * The load balancers' access log bucket: SSE-S3 (the only encryption ELB can write to), public
 * access blocked, TLS only, objects expiring after the retention, itself logged to a server
 * access log bucket with the same rules.
 */
export class LoadBalancerAccessLogs extends StackPart {
  public readonly bucket: s3.Bucket;
  public readonly serverAccessLogs: s3.Bucket;

  public constructor(scope: Construct, id: string, props: { readonly retentionDays: number }) {
    super(scope, id);
    const lifecycleRules: s3.LifecycleRule[] = [
      { expiration: Duration.days(props.retentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ];
    this.serverAccessLogs = new s3.Bucket(this, 'ServerAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'LoadBalancerAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.serverAccessLogs,
      serverAccessLogsPrefix: 'load-balancer-access-logs/',
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
