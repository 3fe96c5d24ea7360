import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { PrivateApiApp, applyDeployPathGuards, unacknowledgedFindings } from '@private-api/compliance';
import { describe, expect, it } from 'vitest';
import { AssetsBucket, NFS_PORT, POSTGRES_PORT, PrivateDatabase, SharedFileSystem } from '../src/index';

const env = { account: '111111111111', region: 'eu-west-1' };

/** A VPC with workload and data subnets, a service security group and a Fargate task definition: what a provider stack gives the data tier. */
function dataTier(app: App = new App()) {
  const stack = new Stack(app, 'Data', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    createInternetGateway: false,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [
      { name: 'Workload', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const s3Endpoint = vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  const service = new ec2.SecurityGroup(stack, 'Service', { vpc, allowAllOutbound: false, description: 'tasks' });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  const container = taskDefinition.addContainer('api', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.37'), readonlyRootFilesystem: true });
  const database = new PrivateDatabase(stack, 'Database', {
    vpc,
    subnets: { subnetGroupName: 'Data' },
    engineVersion: rds.PostgresEngineVersion.VER_16_4,
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
    databaseName: 'tasks',
    allocatedStorageGiB: 20,
  });
  database.allowFrom(service, 'the service');
  const files = new SharedFileSystem(stack, 'Files', { vpc, subnets: { subnetGroupName: 'Data' }, posixUser: { uid: 1000, gid: 1000 } });
  files.allowFrom(service, 'the service');
  files.mountInto(taskDefinition, container, '/var/lib/service');
  const assets = new AssetsBucket(stack, 'Assets', { gatewayEndpoint: s3Endpoint });
  assets.grantReadThroughEndpoint(taskDefinition.taskRole);
  return { app, stack, vpc, service, database, files, assets, taskDefinition, s3Endpoint };
}

const resolve = (stack: Stack, value: unknown): unknown => stack.resolve(value);

describe('PrivateDatabase', () => {
  const { stack, database, service } = dataTier();
  const template = Template.fromStack(stack);

  it('is a Multi-AZ, encrypted, IAM-authenticated, deletion-protected PostgreSQL that nobody outside the VPC reaches', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      MultiAZ: true,
      StorageEncrypted: true,
      KmsKeyId: resolve(stack, database.storageKey.keyArn),
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 7,
      PubliclyAccessible: false,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: resolve(stack, database.storageKey.keyArn),
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      // RDS generates and rotates the master password, encrypted with our second key.
      ManageMasterUserPassword: true,
      MasterUserSecret: { KmsKeyId: resolve(stack, database.secretKey.keyArn) },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(Object.values(template.findResources('AWS::KMS::Key')).every((key) => key.Properties.EnableKeyRotation === true)).toBe(true);
  });

  it('requires TLS, keeps its logs for a year, and needs no rotation function (nothing calls out of the data subnets)', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres16', Parameters: { 'rds.force_ssl': '1' } });
    template.hasResourceProperties('Custom::LogRetention', { LogGroupName: Match.objectLike({}), RetentionInDays: 365 });
    template.resourceCountIs('AWS::Serverless::Application', 0);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    expect(resolve(stack, database.secret.secretArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DatabaseInstance/), 'MasterUserSecret.SecretArn'] });
  });

  it('admits 5432 from the service security group only, and lets the service out to it', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (rule) => JSON.stringify(rule.Properties.GroupId) === JSON.stringify(resolve(stack, database.securityGroup.securityGroupId)),
    );
    expect(ingress.map((rule) => [rule.Properties.FromPort, rule.Properties.SourceSecurityGroupId])).toEqual([
      [POSTGRES_PORT, resolve(stack, service.securityGroupId)],
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: resolve(stack, service.securityGroupId),
      DestinationSecurityGroupId: resolve(stack, database.securityGroup.securityGroupId),
      FromPort: POSTGRES_PORT,
    });
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('VpcDataSubnet') })]) });
  });

  it('refuses settings RDS or our rules would not take, naming the field and the value', () => {
    const base = { engineVersion: rds.PostgresEngineVersion.VER_16_4, instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM), databaseName: 'tasks', allocatedStorageGiB: 20 };
    const make = (overrides: Record<string, unknown>) => () => {
      const { stack: s, vpc } = dataTier();
      new PrivateDatabase(s, 'Other', { vpc, subnets: { subnetGroupName: 'Data' }, ...base, ...overrides });
    };
    expect(make({ backupRetentionDays: 3 })).toThrow('PrivateDatabase Data/Other: backupRetentionDays must be a whole number of days from 7 to 35, got 3');
    expect(make({ databaseName: 'task-db' })).toThrow('databaseName must be a letter then up to 62 letters, digits or underscores, got "task-db"');
    expect(make({ allocatedStorageGiB: 10 })).toThrow('allocatedStorageGiB must be a whole number from 20 to 65536, got 10');
    expect(make({ maxAllocatedStorageGiB: 20 })).toThrow('maxAllocatedStorageGiB must be a whole number above allocatedStorageGiB (20) and at most 65536, got 20');
  });
});

describe('SharedFileSystem', () => {
  const { stack, vpc, files, service, taskDefinition } = dataTier();
  const template = Template.fromStack(stack);

  it('is encrypted with its own rotating key, backed up, and its policy grants nothing: it refuses plain NFS, root, and access outside an access point', () => {
    template.hasResourceProperties('AWS::EFS::FileSystem', {
      Encrypted: true,
      KmsKeyId: resolve(stack, files.key.keyArn),
      BackupPolicy: { Status: 'ENABLED' },
    });
    const [fileSystem] = Object.values(template.findResources('AWS::EFS::FileSystem'));
    const statements = fileSystem?.Properties.FileSystemPolicy.Statement as { Sid: string; Effect: string; Action: unknown; Condition?: unknown }[];
    expect(statements.map((statement) => statement.Effect)).toEqual(['Deny', 'Deny', 'Deny']);
    expect(statements).toEqual([
      expect.objectContaining({ Sid: 'TlsOnly', Action: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({ Sid: 'NeverRoot', Action: 'elasticfilesystem:ClientRootAccess' }),
      expect.objectContaining({
        Sid: 'OnlyThroughAnAccessPoint',
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Condition: { Null: { 'elasticfilesystem:AccessPointArn': 'true' } },
      }),
    ]);
  });

  it('has a mount target per data subnet and admits NFS from the service only', () => {
    template.resourceCountIs('AWS::EFS::MountTarget', 2);
    for (const target of Object.values(template.findResources('AWS::EFS::MountTarget'))) {
      expect(JSON.stringify(target.Properties.SubnetId)).toContain('VpcDataSubnet');
    }
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (rule) => JSON.stringify(rule.Properties.GroupId) === JSON.stringify(resolve(stack, files.securityGroup.securityGroupId)),
    );
    expect(ingress.map((rule) => [rule.Properties.FromPort, rule.Properties.SourceSecurityGroupId])).toEqual([[NFS_PORT, resolve(stack, service.securityGroupId)]]);
  });

  it('exposes one access point with a non-root POSIX user and its own root directory', () => {
    template.hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '1000', Gid: '1000' },
      RootDirectory: { Path: '/service', CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' } },
    });
    expect(() => new SharedFileSystem(stack, 'Root', { vpc, subnets: { subnetGroupName: 'Data' }, posixUser: { uid: 0, gid: 0 } })).toThrow(
      'SharedFileSystem Data/Root: posixUser.uid must be a non-root id from 1 to 4294967294, got 0',
    );
    expect(() => new SharedFileSystem(stack, 'Escape', { vpc, subnets: { subnetGroupName: 'Data' }, posixUser: { uid: 1000, gid: 1000 }, rootDirectory: '/a/../b' })).toThrow(
      'rootDirectory must be an absolute path such as /service, got "/a/../b"',
    );
  });

  it('mounts into the task with IAM authorization and TLS, writable, and lets the task role mount only through the access point', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [
        {
          Name: 'shared-files',
          EFSVolumeConfiguration: {
            FilesystemId: resolve(stack, files.fileSystem.fileSystemId),
            TransitEncryption: 'ENABLED',
            AuthorizationConfig: { AccessPointId: resolve(stack, files.accessPoint.accessPointId), IAM: 'ENABLED' },
          },
        },
      ],
      ContainerDefinitions: [Match.objectLike({ ReadonlyRootFilesystem: true, MountPoints: [{ SourceVolume: 'shared-files', ContainerPath: '/var/lib/service', ReadOnly: false }] })],
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([resolve(stack, taskDefinition.taskRole.roleName)]))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Condition?: unknown }[]);
    const efsStatements = statements.filter((statement) => JSON.stringify(statement.Action).includes('elasticfilesystem'));
    expect(efsStatements).toEqual([
      expect.objectContaining({
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Condition: {
          StringEquals: { 'elasticfilesystem:AccessPointArn': resolve(stack, files.accessPoint.accessPointArn) },
          Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
        },
      }),
    ]);
  });
});

describe('AssetsBucket', () => {
  const { stack, assets, s3Endpoint, taskDefinition } = dataTier();
  const template = Template.fromStack(stack);

  it('is KMS-encrypted, versioned, private, TLS-only and access-logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: resolve(stack, assets.key.keyArn) }, BucketKeyEnabled: true }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: resolve(stack, assets.accessLogs.bucketName), LogFilePrefix: 'assets/' },
    });
  });

  it('gives the task role read-only access, and denies it any read that does not come through the gateway endpoint', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (candidate) => JSON.stringify(candidate.Properties.Bucket) === JSON.stringify(resolve(stack, assets.bucket.bucketName)),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as { Sid?: string; Effect: string; Condition?: unknown }[];
    expect(statements.find((statement) => statement.Sid === 'ReadOnlyThroughTheVpcEndpoint')).toEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': resolve(stack, taskDefinition.taskRole.roleArn) },
          StringNotEquals: { 'aws:SourceVpce': resolve(stack, s3Endpoint.vpcEndpointId) },
        },
      }),
    );
    const granted = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((candidate) => candidate.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((statement) => JSON.stringify(statement.Resource).includes('AssetsBucket') || JSON.stringify(statement.Resource).includes('AssetsKey'))
      .flatMap((statement) => [statement.Action].flat());
    expect(granted.sort()).toEqual(['kms:Decrypt', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
  });
});

describe('the data tier under both compliance packs', () => {
  it('synthesizes with no unacknowledged finding', () => {
    // The harness (a bare VPC and task definition) has findings of its own; the data tier has none.
    const { app, stack } = dataTier(new PrivateApiApp());
    applyDeployPathGuards(stack, { boundaryName: 'svc-permissions-boundary', namePrefix: 'svc-' });
    const dataTierFindings = unacknowledgedFindings(app as PrivateApiApp).filter((finding) =>
      finding.constructPaths.some((path) => /^Data\/(Database|Files|Assets|LogRetention|Task\/TaskRole)/.test(path)),
    );
    expect(dataTierFindings.map((finding) => `${finding.rule} ${finding.constructPaths.join(',')}`)).toEqual([]);
  });
});

describe('AssetsBucket with a fixed name, read by a role in a later stack', () => {
  it('writes the literal bucket ARN into the role policy (no reference back), with the endpoint condition, and the bucket policy names the role by ARN', () => {
    const app = new App();
    const { stack, s3Endpoint } = dataTier(app);
    const assets = new AssetsBucket(stack, 'NamedAssets', { gatewayEndpoint: s3Endpoint, bucketName: 'ledger-qa-assets-111111111111-eu-west-1' });
    const later = new Stack(app, 'Service', { env });
    const role = new iam.Role(later, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'), roleName: 'ledger-qa-task' });
    assets.grantRead(role);
    assets.restrictReadsToEndpoint('arn:aws:iam::111111111111:role/ledger-qa-task');
    expect(assets.bucketName).toBe('ledger-qa-assets-111111111111-eu-west-1');
    const statements = Object.values(Template.fromStack(later).findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown; Condition?: unknown }[],
    );
    const read = statements.find((statement) => JSON.stringify(statement.Action).includes('s3:GetObject'));
    expect(read?.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::ledger-qa-assets-111111111111-eu-west-1']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::ledger-qa-assets-111111111111-eu-west-1/*']] },
    ]);
    expect(Object.keys((read?.Condition as { StringEquals: object }).StringEquals)).toEqual(['aws:SourceVpce']);
    const bucketPolicy = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(bucketPolicy).toContain('"aws:PrincipalArn":"arn:aws:iam::111111111111:role/ledger-qa-task"');
  });
});
