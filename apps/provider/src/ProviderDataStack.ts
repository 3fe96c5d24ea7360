import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { assetsBucketName, serviceTaskRoleArn, type EnvironmentConfig } from '@private-api/config';
import { AssetsBucket, PrivateDatabase, SharedFileSystem } from '@private-api/data';
import type { PrivateVpc } from '@private-api/network';
import type { Construct } from 'constructs';

export interface ProviderDataStackProps extends StackProps {
  /** One environment of the validated config: its `provider.database`, `fileSystem` and `assetsBucket`. */
  readonly config: EnvironmentConfig;
  /** The provider VPC, with its data subnets. */
  readonly network: PrivateVpc;
}

/**
 * The provider's data tier, each part only when the config names it: a PostgreSQL database on
 * RDS, an EFS file system, an S3 assets bucket. It deploys before the service and knows nothing
 * of it: the service's tasks reach the database and the file system by wearing
 * {@link dataAccessSecurityGroup}, the only group those admit, and the bucket policy names the
 * task role by its fixed name.
 */
export class ProviderDataStack extends Stack {
  /**
   * The security group the service's tasks wear to reach the data tier: the database and the
   * mount targets admit it alone (and only on their ports), and it may leave only towards them.
   * Absent when the data tier has neither.
   */
  public readonly dataAccessSecurityGroup?: ec2.SecurityGroup;
  public readonly database?: PrivateDatabase;
  public readonly fileSystem?: SharedFileSystem;
  public readonly assetsBucket?: AssetsBucket;

  public constructor(scope: Construct, id: string, props: ProviderDataStackProps) {
    super(scope, id, props);
    const { config, network } = props;
    const { provider } = config;
    const dataSubnets = network.dataSubnets;
    if ((provider.database || provider.fileSystem) && !dataSubnets) {
      throw new Error(`ProviderDataStack ${this.node.path}: the provider VPC has no data subnets (PrivateVpc dataSubnets: true)`);
    }
    const removalPolicy = provider.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const dataAccess =
      provider.database || provider.fileSystem
        ? new ec2.SecurityGroup(this, 'DataAccessSecurityGroup', {
            vpc: network.vpc,
            description: `${config.serviceName} tasks: to the database and file system ports only`,
            allowAllOutbound: false,
          })
        : undefined;
    this.dataAccessSecurityGroup = dataAccess;

    if (provider.database && dataSubnets && dataAccess) {
      const { database } = provider;
      this.database = new PrivateDatabase(this, 'Database', {
        vpc: network.vpc,
        subnets: dataSubnets,
        engineVersion: rds.PostgresEngineVersion.of(database.engineVersion, database.engineVersion.split('.')[0] ?? database.engineVersion),
        instanceType: new ec2.InstanceType(database.instanceClass.replace(/^db\./, '')),
        databaseName: database.databaseName,
        allocatedStorageGiB: database.allocatedStorageGiB,
        maxAllocatedStorageGiB: database.maxAllocatedStorageGiB,
        multiAz: database.multiAz,
        backupRetentionDays: database.backupRetentionDays,
        deletionProtection: database.deletionProtection,
        logRetention: provider.logRetentionDays as logs.RetentionDays,
        removalPolicy: database.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      });
      this.database.allowFrom(dataAccess, `${config.serviceName} tasks`);
    }

    if (provider.fileSystem && dataSubnets && dataAccess) {
      this.fileSystem = new SharedFileSystem(this, 'FileSystem', {
        vpc: network.vpc,
        subnets: dataSubnets,
        posixUser: provider.fileSystem.posixUser,
        rootDirectory: `/${config.serviceName}`,
        removalPolicy,
      });
      this.fileSystem.allowFrom(dataAccess, `${config.serviceName} tasks`);
    }

    if (provider.assetsBucket) {
      const gatewayEndpoint = network.s3GatewayEndpoint;
      if (!gatewayEndpoint) throw new Error(`ProviderDataStack ${this.node.path}: the assets bucket needs the VPC's S3 gateway endpoint`);
      this.assetsBucket = new AssetsBucket(this, 'AssetsBucket', {
        gatewayEndpoint,
        bucketName: assetsBucketName(config),
        accessLogRetentionDays: provider.logRetentionDays,
        noncurrentVersionExpirationDays: provider.assetsBucket.noncurrentVersionExpirationDays,
        removalPolicy,
      });
      this.assetsBucket.restrictReadsToEndpoint(serviceTaskRoleArn(config));
    }
  }
}
