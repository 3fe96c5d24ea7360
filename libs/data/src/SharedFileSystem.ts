import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The NFS port EFS mount targets answer on. */
export const NFS_PORT = 2049;

export interface SharedFileSystemProps {
  readonly vpc: ec2.IVpc;
  /** The isolated data subnets: one mount target per AZ. */
  readonly subnets: ec2.SubnetSelection;
  /** The POSIX user the service writes as through the access point; never root. */
  readonly posixUser: { readonly uid: number; readonly gid: number };
  /**
   * The directory the access point exposes as the file system's root (created on first use,
   * owned by `posixUser`, mode 750).
   * @default '/service'
   */
  readonly rootDirectory?: string;
  /**
   * What happens to the file system and its key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const DIRECTORY = /^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * A persistent, shared file system for a service's tasks: Amazon EFS encrypted with a
 * customer-managed key (rotation on), automatic backups, a mount target in each data subnet, a
 * file system policy that refuses unencrypted transport, root access and any access that is not
 * through an access point (it grants nothing: access comes from identity policies), and one
 * access point that pins a non-root POSIX user and its own root directory. Tasks mount it with
 * {@link mountInto}: IAM authorization and TLS in transit, through the access point only (the
 * task role may mount and write through that access point, nothing else). Its security group
 * admits NFS only from security groups named with {@link allowFrom}.
 */
export class SharedFileSystem extends Construct {
  public readonly fileSystem: efs.FileSystem;
  public readonly accessPoint: efs.AccessPoint;
  public readonly key: kms.Key;
  public readonly securityGroup: ec2.SecurityGroup;

  public constructor(scope: Construct, id: string, props: SharedFileSystemProps) {
    super(scope, id);
    const { uid, gid } = props.posixUser;
    for (const [field, value] of [['posixUser.uid', uid], ['posixUser.gid', gid]] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 4294967294) {
        throw new Error(`SharedFileSystem ${this.node.path}: ${field} must be a non-root id from 1 to 4294967294, got ${JSON.stringify(value)}`);
      }
    }
    const rootDirectory = props.rootDirectory ?? '/service';
    if (!DIRECTORY.test(rootDirectory) || rootDirectory.split('/').includes('..')) {
      throw new Error(`SharedFileSystem ${this.node.path}: rootDirectory must be an absolute path such as /service, got ${JSON.stringify(rootDirectory)}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = new kms.Key(this, 'Key', {
      description: `${this.node.path}: file system encryption`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'EFS mount targets: NFS from the named client security groups only',
      allowAllOutbound: false,
    });
    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroup: this.securityGroup,
      encrypted: true,
      kmsKey: this.key,
      enableAutomaticBackups: true,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      throughputMode: efs.ThroughputMode.ELASTIC,
      // Only our statements. Without `allowAnonymousAccess: true` CDK appends an Allow of
      // ClientWrite and ClientRootAccess for every principal (`AWS: *`) through a mount target, so
      // any role of the account could write without an identity grant. With only denies here, a
      // principal needs its own grant (mountInto), and an NFS client without IAM (anonymous) is
      // refused because nothing allows it.
      allowAnonymousAccess: true,
      fileSystemPolicy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'TlsOnly',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['*'],
            conditions: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          new iam.PolicyStatement({
            sid: 'NeverRoot',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['elasticfilesystem:ClientRootAccess'],
          }),
          new iam.PolicyStatement({
            sid: 'OnlyThroughAnAccessPoint',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            conditions: { Null: { 'elasticfilesystem:AccessPointArn': 'true' } },
          }),
        ],
      }),
      removalPolicy,
    });
    this.accessPoint = this.fileSystem.addAccessPoint('AccessPoint', {
      path: rootDirectory,
      posixUser: { uid: String(uid), gid: String(gid) },
      createAcl: { ownerUid: String(uid), ownerGid: String(gid), permissions: '750' },
    });
  }

  /** Admits a client's security group to NFS (and lets it out towards the mount targets). */
  public allowFrom(client: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(client, ec2.Port.tcp(NFS_PORT), description);
    client.addEgressRule(this.securityGroup, ec2.Port.tcp(NFS_PORT), description);
  }

  /**
   * Mounts the access point at `containerPath` in `container` (writable): an EFS volume with
   * IAM authorization and TLS in transit, and a grant to the task role to mount and write
   * through this access point only.
   */
  public mountInto(taskDefinition: ecs.TaskDefinition, container: ecs.ContainerDefinition, containerPath: string, volumeName = 'shared-files'): void {
    taskDefinition.addVolume({
      name: volumeName,
      efsVolumeConfiguration: {
        fileSystemId: this.fileSystem.fileSystemId,
        transitEncryption: 'ENABLED',
        authorizationConfig: { accessPointId: this.accessPoint.accessPointId, iam: 'ENABLED' },
      },
    });
    container.addMountPoints({ sourceVolume: volumeName, containerPath, readOnly: false });
    this.grantMountAndWrite(taskDefinition.taskRole);
  }

  /** `ClientMount` and `ClientWrite` on this file system, only through this access point. */
  public grantMountAndWrite(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      resourceArns: [this.fileSystem.fileSystemArn],
      conditions: {
        StringEquals: { 'elasticfilesystem:AccessPointArn': this.accessPoint.accessPointArn },
        Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
      },
    });
  }
}
