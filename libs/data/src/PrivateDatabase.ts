import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

/** The port the database listens on (PostgreSQL's). */
export const POSTGRES_PORT = 5432;

export interface PrivateDatabaseProps {
  readonly vpc: ec2.IVpc;
  /** The isolated data subnets (at least two AZs): the DB subnet group and the rotation function. */
  readonly subnets: ec2.SubnetSelection;
  /** The PostgreSQL engine version, e.g. `rds.PostgresEngineVersion.VER_16_4`. */
  readonly engineVersion: rds.PostgresEngineVersion;
  /** e.g. `ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM)`. */
  readonly instanceType: ec2.InstanceType;
  /** Name of the database created with the instance (letters, digits, underscores). */
  readonly databaseName: string;
  /** Allocated storage in GiB (20 to 65,536). */
  readonly allocatedStorageGiB: number;
  /**
   * Storage autoscaling up to this many GiB.
   * @default - no autoscaling
   */
  readonly maxAllocatedStorageGiB?: number;
  /**
   * A standby in a second AZ with synchronous replication.
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * Days automated backups are kept (7 to 35).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /** @default true */
  readonly deletionProtection?: boolean;
  /**
   * How long the PostgreSQL logs exported to CloudWatch Logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the instance, its keys and its secret when the stack is deleted.
   * @default RemovalPolicy.SNAPSHOT for the instance, RETAIN for the keys
   */
  readonly removalPolicy?: RemovalPolicy;
}

const DATABASE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** The construct id aws-cdk-lib gives its one log-retention function per stack. */
const LOG_RETENTION_SINGLETON_ID = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';

/**
 * A private PostgreSQL database on Amazon RDS for a service in the same VPC: Multi-AZ by
 * default, storage and Performance Insights encrypted with a customer-managed key (rotation
 * on), the master credentials generated into Secrets Manager by RDS under another
 * customer-managed key and rotated by RDS every 7 days (no rotation function, so nothing
 * needs internet access or an endpoint), IAM database authentication, TLS required
 * (`rds.force_ssl`), deletion protection, at least 7 days of backups, PostgreSQL logs in
 * CloudWatch Logs with a retention, never publicly accessible. Its security group admits
 * nothing until {@link allowFrom} names a client's security group; it never admits an address
 * range.
 */
export class PrivateDatabase extends Construct {
  public readonly instance: rds.DatabaseInstance;
  /** Encrypts the storage, the snapshots and Performance Insights. */
  public readonly storageKey: kms.Key;
  /** Encrypts the master credentials in Secrets Manager. */
  public readonly secretKey: kms.Key;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly port = POSTGRES_PORT;
  public readonly databaseName: string;

  public constructor(scope: Construct, id: string, props: PrivateDatabaseProps) {
    super(scope, id);
    const backupRetentionDays = props.backupRetentionDays ?? 7;
    const fail = (field: string, value: unknown, rule: string): never => {
      throw new Error(`PrivateDatabase ${this.node.path}: ${field} ${rule}, got ${JSON.stringify(value)}`);
    };
    if (!DATABASE_NAME.test(props.databaseName)) fail('databaseName', props.databaseName, 'must be a letter then up to 62 letters, digits or underscores');
    if (!Token.isUnresolved(backupRetentionDays) && (!Number.isInteger(backupRetentionDays) || backupRetentionDays < 7 || backupRetentionDays > 35)) {
      fail('backupRetentionDays', backupRetentionDays, 'must be a whole number of days from 7 to 35');
    }
    if (!Number.isInteger(props.allocatedStorageGiB) || props.allocatedStorageGiB < 20 || props.allocatedStorageGiB > 65536) {
      fail('allocatedStorageGiB', props.allocatedStorageGiB, 'must be a whole number from 20 to 65536');
    }
    if (props.maxAllocatedStorageGiB !== undefined && (!Number.isInteger(props.maxAllocatedStorageGiB) || props.maxAllocatedStorageGiB <= props.allocatedStorageGiB || props.maxAllocatedStorageGiB > 65536)) {
      fail('maxAllocatedStorageGiB', props.maxAllocatedStorageGiB, `must be a whole number above allocatedStorageGiB (${props.allocatedStorageGiB}) and at most 65536`);
    }
    this.databaseName = props.databaseName;

    const keyRemoval = props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.storageKey = new kms.Key(this, 'StorageKey', {
      description: `${this.node.path}: database storage, snapshots and Performance Insights`,
      enableKeyRotation: true,
      removalPolicy: keyRemoval,
    });
    this.secretKey = new kms.Key(this, 'SecretKey', {
      description: `${this.node.path}: database master credentials`,
      enableKeyRotation: true,
      removalPolicy: keyRemoval,
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: the port from the named client security groups only',
      allowAllOutbound: false,
    });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: props.engineVersion }),
      description: 'TLS required for every connection',
      parameters: { 'rds.force_ssl': '1' },
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: props.engineVersion }),
      instanceType: props.instanceType,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      multiAz: props.multiAz ?? true,
      port: POSTGRES_PORT,
      databaseName: props.databaseName,
      // RDS generates the master password into Secrets Manager, encrypted with our key, and
      // rotates it itself (every 7 days): no rotation function, nothing that needs a network path
      // to Secrets Manager, no role outside our boundary (a rotation application from the
      // Serverless Application Repository would bring its own).
      manageMasterUserPassword: true,
      credentials: rds.Credentials.fromUsername('postgres', { encryptionKey: this.secretKey }),
      storageEncrypted: true,
      storageEncryptionKey: this.storageKey,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      iamAuthentication: true,
      parameterGroup,
      backupRetention: Duration.days(backupRetentionDays),
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.storageKey,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      cloudwatchLogsRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      autoMinorVersionUpgrade: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    });

    this.acknowledgeLogRetention();
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions::AwsSolutions-RDS11',
      reason:
        'PostgreSQL keeps its standard port 5432: a non-default port hides nothing from a client inside the VPC, and the security group admits the port only from named client security groups.',
    });
  }

  /**
   * The PostgreSQL log groups get their retention from CDK's log-retention function (RDS
   * creates the groups itself); its one role per stack is acknowledged here, on that role only.
   */
  private acknowledgeLogRetention(): void {
    const stack = Stack.of(this);
    const role = stack.node.tryFindChild(LOG_RETENTION_SINGLETON_ID)?.node.tryFindChild('ServiceRole');
    if (!role) return;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "CDK's log-retention function writes its own logs with the AWS managed basic execution policy; it has no other managed policy.",
    });
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: "logs:PutRetentionPolicy/DeleteRetentionPolicy on the log groups RDS creates at run time, whose names CDK's log-retention function only learns then.",
      });
    }
  }

  /** The credentials secret (username, password, host, port, dbname), encrypted with {@link secretKey}. */
  public get secret(): NonNullable<rds.DatabaseInstance['secret']> {
    const secret = this.instance.secret;
    if (!secret) throw new Error(`PrivateDatabase ${this.node.path}: the instance has no generated secret`);
    return secret;
  }

  /** Admits a client's security group to the database port (and lets it out towards it). */
  public allowFrom(client: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(client, ec2.Port.tcp(POSTGRES_PORT), description);
    client.addEgressRule(this.securityGroup, ec2.Port.tcp(POSTGRES_PORT), description);
  }
}
