import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { assetsBucketName, serviceTaskRoleArn, serviceTaskRoleName, type EnvironmentConfig } from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { SSM_AGENT_ACTIONS } from '@private-api/network';
import { fixtureEnvironment, type MutableConfigInput } from '@private-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderStage } from '../src/index';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The fixture's qa provider with the whole data tier and EC2 capacity (values of this test, not the example's). */
function statefulQa(edit: (provider: MutableConfigInput['environments'][number]['provider']) => void = () => undefined): EnvironmentConfig {
  return fixtureEnvironment('qa', (input) => {
    const provider = input.environments[0]?.provider;
    if (!provider) throw new Error('no qa environment');
    provider.capacity = { type: 'ec2', instanceType: 'c7i.xlarge', minInstances: 2, maxInstances: 5, rootVolumeGiB: 40 };
    provider.database = { engineVersion: '16.4', instanceClass: 'db.r7g.large', databaseName: 'fixture', allocatedStorageGiB: 50, backupRetentionDays: 14 };
    provider.fileSystem = { mountPath: '/srv/shared' };
    provider.assetsBucket = { noncurrentVersionExpirationDays: 30 };
    edit(provider);
  });
}

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

function onlyOne(template: Template, type: string): Record<string, unknown> {
  const found = Object.values(resourcesOf(template, type));
  expect(found).toHaveLength(1);
  return found[0]?.Properties ?? {};
}

/** The logical id of a security group in its stack, from its `GroupId` reference. */
function groupLogicalId(stack: { resolve(value: unknown): unknown }, group: ec2.ISecurityGroup): string {
  return (stack.resolve(group.securityGroupId) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

describe('provider data tier and EC2 capacity (fixture qa, every part on)', () => {
  let config: EnvironmentConfig;
  let stage: ProviderStage;
  let network: Template;
  let data: Template;
  let service: Template;

  beforeAll(() => {
    config = statefulQa();
    stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
    if (!stage.dataStack) throw new Error('no data stack');
    network = Template.fromStack(stage.networkStack);
    data = Template.fromStack(stage.dataStack);
    service = Template.fromStack(stage.serviceStack);
  });

  it('deploys the data tier as its own stack, between the network and the service', () => {
    expect(stage.dataStack?.stackName).toBe(`${config.serviceName}-${config.name}-provider-data`);
    expect(stage.dataStack?.dependencies).toContain(stage.networkStack);
    expect(stage.serviceStack.dependencies).toContain(stage.dataStack);
  });

  describe('network', () => {
    it('adds isolated data subnets per zone, with no route anywhere and still no NAT or internet gateway', () => {
      const subnets = Object.values(resourcesOf(network, 'AWS::EC2::Subnet'));
      expect(subnets).toHaveLength(2 * config.provider.availabilityZones.length);
      const dataSubnets = subnets.filter((subnet) =>
        (subnet.Properties?.['Tags'] as { Key: string; Value: string }[]).some((tag) => tag.Key === 'aws-cdk:subnet-name' && tag.Value === 'Data'),
      );
      expect(dataSubnets.map((subnet) => subnet.Properties?.['AvailabilityZoneId']).sort()).toEqual(config.provider.availabilityZones.map((zone) => zone.id).sort());
      for (const subnet of dataSubnets) expect(subnet.Properties?.['MapPublicIpOnLaunch']).toBe(false);
      network.resourceCountIs('AWS::EC2::Route', 0);
      network.resourceCountIs('AWS::EC2::NatGateway', 0);
      network.resourceCountIs('AWS::EC2::InternetGateway', 0);
    });

    it('adds the Secrets Manager endpoint and, for container instances, the ECS agent and Session Manager endpoints', () => {
      const names = Object.values(resourcesOf(network, 'AWS::EC2::VPCEndpoint'))
        .filter((endpoint) => endpoint.Properties?.['VpcEndpointType'] === 'Interface')
        .map((endpoint) => String(endpoint.Properties?.['ServiceName']).replace(`com.amazonaws.${config.provider.region}.`, ''));
      expect(names.sort()).toEqual(['ec2messages', 'ecr.api', 'ecr.dkr', 'ecs', 'ecs-agent', 'ecs-telemetry', 'logs', 'secretsmanager', 'ssm', 'ssmmessages'].sort());
    });

    it("lets the SSM endpoint carry the SSM Agent's calls for this account's principals only", () => {
      const ssm = Object.values(resourcesOf(network, 'AWS::EC2::VPCEndpoint')).find((endpoint) => JSON.stringify(endpoint.Properties?.['ServiceName']).includes('.ssm"'));
      const statements = (ssm?.Properties?.['PolicyDocument'] as { Statement: { Sid: string; Action: string[]; Condition: unknown }[] }).Statement;
      const agent = statements.find((statement) => statement.Sid === 'ManagedInstanceAgent');
      expect(agent?.Action).toContain('ssm:UpdateInstanceInformation');
      expect(agent?.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': config.provider.account } });
    });
  });

  describe('RDS PostgreSQL', () => {
    it('is Multi-AZ, encrypted with a rotating customer key, IAM-authenticated, protected, backed up, private, with its logs exported', () => {
      const instance = onlyOne(data, 'AWS::RDS::DBInstance');
      const database = config.provider.database;
      expect(instance).toMatchObject({
        Engine: 'postgres',
        EngineVersion: database?.engineVersion,
        DBInstanceClass: database?.instanceClass,
        DBName: database?.databaseName,
        AllocatedStorage: String(database?.allocatedStorageGiB),
        MultiAZ: true,
        StorageEncrypted: true,
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        BackupRetentionPeriod: database?.backupRetentionDays,
        PubliclyAccessible: false,
        EnablePerformanceInsights: true,
        EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
        ManageMasterUserPassword: true,
      });
      const storageKey = (instance['KmsKeyId'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(instance['PerformanceInsightsKMSKeyId']).toEqual({ 'Fn::GetAtt': [storageKey, 'Arn'] });
      const secretKey = ((instance['MasterUserSecret'] as { KmsKeyId: { 'Fn::GetAtt': [string, string] } }).KmsKeyId)['Fn::GetAtt'][0];
      expect(secretKey).not.toBe(storageKey);
      const keys = resourcesOf(data, 'AWS::KMS::Key');
      for (const key of [storageKey, secretKey]) expect(keys[key]?.Properties?.['EnableKeyRotation']).toBe(true);
      data.hasResourceProperties('Custom::LogRetention', { LogGroupName: Match.anyValue(), RetentionInDays: config.provider.logRetentionDays });
    });

    it('requires TLS for every connection through its parameter group', () => {
      const group = onlyOne(data, 'AWS::RDS::DBParameterGroup');
      expect(group['Parameters']).toEqual({ 'rds.force_ssl': '1' });
    });

    it('lives in the data subnets only', () => {
      const subnetGroup = onlyOne(data, 'AWS::RDS::DBSubnetGroup');
      const ids = stage.networkStack.network.vpc.selectSubnets({ subnetGroupName: 'Data' }).subnetIds.map((id) => stage.networkStack.resolve(id));
      expect((subnetGroup['SubnetIds'] as unknown[]).length).toBe(ids.length);
      expect(JSON.stringify(subnetGroup['SubnetIds'])).not.toContain('Private');
      expect(JSON.stringify(subnetGroup['SubnetIds'])).toContain('Data');
    });

    it("admits 5432 only from the tasks' data-access security group, never an address range", () => {
      const dataStack = stage.dataStack;
      if (!dataStack?.database || !dataStack.dataAccessSecurityGroup) throw new Error('no database');
      const databaseGroup = groupLogicalId(dataStack, dataStack.database.securityGroup);
      const dataAccess = groupLogicalId(dataStack, dataStack.dataAccessSecurityGroup);
      const ingress = Object.values(resourcesOf(data, 'AWS::EC2::SecurityGroupIngress')).filter(
        (rule) => JSON.stringify(rule.Properties?.['GroupId']).includes(databaseGroup),
      );
      expect(ingress.map((rule) => rule.Properties)).toEqual([
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [dataAccess, 'GroupId'] } }),
      ]);
      expect(resourcesOf(data, 'AWS::EC2::SecurityGroup')[databaseGroup]?.Properties?.['SecurityGroupIngress']).toBeUndefined();
    });
  });

  describe('EFS', () => {
    it('is encrypted with a rotating key, backed up, with a mount target per zone in the data subnets', () => {
      const fileSystem = onlyOne(data, 'AWS::EFS::FileSystem');
      expect(fileSystem).toMatchObject({ Encrypted: true, BackupPolicy: { Status: 'ENABLED' } });
      const key = (fileSystem['KmsKeyId'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(resourcesOf(data, 'AWS::KMS::Key')[key]?.Properties?.['EnableKeyRotation']).toBe(true);
      const targets = Object.values(resourcesOf(data, 'AWS::EFS::MountTarget'));
      expect(targets).toHaveLength(config.provider.availabilityZones.length);
      for (const target of targets) expect(JSON.stringify(target.Properties?.['SubnetId'])).toContain('Data');
    });

    it("gives the service an access point with its non-root POSIX user and its own root directory", () => {
      const posix = config.provider.fileSystem?.posixUser;
      data.hasResourceProperties('AWS::EFS::AccessPoint', {
        PosixUser: { Uid: String(posix?.uid), Gid: String(posix?.gid) },
        RootDirectory: { Path: `/${config.serviceName}`, CreationInfo: { OwnerUid: String(posix?.uid), OwnerGid: String(posix?.gid), Permissions: '750' } },
      });
    });

    it('denies non-TLS access, root access and any mount that bypasses an access point, and allows nobody by itself', () => {
      const policy = onlyOne(data, 'AWS::EFS::FileSystem')['FileSystemPolicy'] as { Statement: { Sid: string; Effect: string }[] };
      expect(policy.Statement.map((statement) => [statement.Sid, statement.Effect])).toEqual([
        ['TlsOnly', 'Deny'],
        ['NeverRoot', 'Deny'],
        ['OnlyThroughAnAccessPoint', 'Deny'],
      ]);
    });

    it('admits NFS only from the data-access security group', () => {
      const dataStack = stage.dataStack;
      if (!dataStack?.fileSystem || !dataStack.dataAccessSecurityGroup) throw new Error('no file system');
      const group = groupLogicalId(dataStack, dataStack.fileSystem.securityGroup);
      const ingress = Object.values(resourcesOf(data, 'AWS::EC2::SecurityGroupIngress')).filter((rule) => JSON.stringify(rule.Properties?.['GroupId']).includes(group));
      expect(ingress.map((rule) => [rule.Properties?.['FromPort'], rule.Properties?.['ToPort'], rule.Properties?.['SourceSecurityGroupId']])).toEqual([
        [2049, 2049, { 'Fn::GetAtt': [groupLogicalId(dataStack, dataStack.dataAccessSecurityGroup), 'GroupId'] }],
      ]);
    });
  });

  describe('S3 assets bucket', () => {
    it('is named for the environment, KMS-encrypted, versioned, private, access-logged, with old versions expiring', () => {
      data.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: assetsBucketName(config),
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
        LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]) },
      });
    });

    it('refuses non-TLS requests, and refuses the task role every read not made through the S3 gateway endpoint', () => {
      const policies = Object.values(resourcesOf(data, 'AWS::S3::BucketPolicy')).map((policy) => JSON.stringify(policy.Properties));
      const assets = policies.find((policy) => policy.includes('ReadOnlyThroughTheVpcEndpoint'));
      expect(assets).toContain('"aws:SecureTransport":"false"');
      const document = JSON.parse(assets ?? '{}') as { PolicyDocument: { Statement: { Sid?: string; Effect: string; Condition: Record<string, Record<string, unknown>> }[] } };
      const restriction = document.PolicyDocument.Statement.find((statement) => statement.Sid === 'ReadOnlyThroughTheVpcEndpoint');
      expect(restriction?.Effect).toBe('Deny');
      expect(restriction?.Condition['ArnEquals']).toEqual({ 'aws:PrincipalArn': serviceTaskRoleArn(config) });
      expect(Object.keys(restriction?.Condition['StringNotEquals'] ?? {})).toEqual(['aws:SourceVpce']);
    });
  });

  describe('the service uses the data tier', () => {
    it('hands the tasks the documented variables, and the credentials only as secrets injected by ECS', () => {
      const definition = onlyOne(service, 'AWS::ECS::TaskDefinition');
      const [container] = definition['ContainerDefinitions'] as { Environment: { Name: string; Value: unknown }[]; Secrets: { Name: string; ValueFrom: unknown }[]; ReadonlyRootFilesystem: boolean; MountPoints: unknown[] }[];
      const variables = Object.fromEntries(container?.Environment.map((variable) => [variable.Name, variable.Value]) ?? []);
      expect(variables).toMatchObject({ DB_PORT: '5432', DB_NAME: config.provider.database?.databaseName, DB_SSL: 'verify-full', FILES_DIR: '/srv/shared', ASSETS_BUCKET: assetsBucketName(config) });
      expect(JSON.stringify(variables['DB_HOST'])).toMatch(/DatabaseInstance[0-9A-F]*EndpointAddress/);
      expect(Object.keys(variables)).not.toContain('DB_PASSWORD');
      const secrets = Object.fromEntries(container?.Secrets.map((secret) => [secret.Name, JSON.stringify(secret.ValueFrom)]) ?? []);
      expect(secrets['DB_USER']).toMatch(/:username::/);
      expect(secrets['DB_PASSWORD']).toMatch(/:password::/);
      expect(container?.ReadonlyRootFilesystem).toBe(true);
      expect(container?.MountPoints).toContainEqual({ ContainerPath: '/srv/shared', ReadOnly: false, SourceVolume: 'shared-files' });
    });

    it('mounts the access point with IAM authorization and TLS in transit', () => {
      const volumes = onlyOne(service, 'AWS::ECS::TaskDefinition')['Volumes'] as { Name: string; EFSVolumeConfiguration?: Record<string, unknown> }[];
      expect(volumes.find((volume) => volume.Name === 'shared-files')?.EFSVolumeConfiguration).toMatchObject({
        TransitEncryption: 'ENABLED',
        AuthorizationConfig: { IAM: 'ENABLED', AccessPointId: expect.anything() },
      });
    });

    it('names the task role and lets it mount and write only through the access point, and read the bucket only through the endpoint', () => {
      service.hasResourceProperties('AWS::IAM::Role', { RoleName: serviceTaskRoleName(config) });
      const policies = Object.values(resourcesOf(service, 'AWS::IAM::Policy')).map((policy) => policy.Properties?.['PolicyDocument'] as { Statement: { Action: string | string[]; Condition?: Record<string, Record<string, unknown>> }[] });
      const statements = policies.flatMap((document) => document.Statement);
      const efs = statements.find((statement) => [statement.Action].flat().includes('elasticfilesystem:ClientWrite'));
      expect(Object.keys(efs?.Condition?.['StringEquals'] ?? {})).toEqual(['elasticfilesystem:AccessPointArn']);
      const s3Read = statements.find((statement) => [statement.Action].flat().includes('s3:GetObject'));
      expect([s3Read?.Action].flat().sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
      expect(Object.keys(s3Read?.Condition?.['StringEquals'] ?? {})).toEqual(['aws:SourceVpce']);
      expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action) => /^s3:(Put|Delete)/.test(action))).toEqual([]);
    });

    it('gives the task role nothing of Secrets Manager: only the execution role reads the secret, at task start', () => {
      const taskRole = stage.serviceStack.resolve((stage.serviceStack.taskDefinition.taskRole.node.defaultChild as iam.CfnRole).ref) as { Ref: string };
      const taskPolicies = Object.values(resourcesOf(service, 'AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties?.['Roles']).includes(taskRole.Ref));
      expect(taskPolicies.length).toBeGreaterThan(0);
      expect(JSON.stringify(taskPolicies)).not.toContain('secretsmanager:');
    });

    it('lets the execution role decrypt the database secret only through Secrets Manager', () => {
      const statements = Object.values(resourcesOf(service, 'AWS::IAM::Policy')).flatMap((policy) => (policy.Properties?.['PolicyDocument'] as { Statement: { Action: unknown; Condition?: unknown }[] }).Statement);
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${config.provider.region}.amazonaws.com` } } }),
      );
    });

    it("puts the data-access group on the tasks' interfaces, next to the service group", () => {
      const properties = onlyOne(service, 'AWS::ECS::Service');
      const groups = (properties['NetworkConfiguration'] as { AwsvpcConfiguration: { SecurityGroups: unknown[] } }).AwsvpcConfiguration.SecurityGroups;
      expect(groups).toHaveLength(2);
      expect(JSON.stringify(groups[1])).toContain('DataAccessSecurityGroup');
    });
  });

  describe('EC2 capacity', () => {
    it('launches the ECS-optimized Amazon Linux 2023 AMI resolved at deploy time, IMDSv2 only, no key, no public IP, encrypted root volume', () => {
      const data = onlyOne(service, 'AWS::EC2::LaunchTemplate')['LaunchTemplateData'] as Record<string, unknown>;
      expect(data).toMatchObject({
        InstanceType: 'c7i.xlarge',
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        NetworkInterfaces: [expect.objectContaining({ AssociatePublicIpAddress: false })],
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 40, VolumeType: 'gp3', DeleteOnTermination: true } }],
      });
      expect(data['KeyName']).toBeUndefined();
      const imageParameter = (data['ImageId'] as { Ref: string }).Ref;
      expect(service.toJSON().Parameters[imageParameter]).toMatchObject({
        Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
        Default: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
      });
      expect(JSON.stringify(data['UserData'])).toContain('ECS_AWSVPC_BLOCK_IMDS=true');
    });

    it('runs the group in the workload subnets with the configured bounds, as a capacity provider with managed scaling and termination protection', () => {
      service.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '5', NewInstancesProtectedFromScaleIn: true });
      service.hasResourceProperties('AWS::ECS::CapacityProvider', {
        AutoScalingGroupProvider: { ManagedScaling: { Status: 'ENABLED' }, ManagedTerminationProtection: 'ENABLED', ManagedDraining: 'ENABLED' },
      });
      service.resourceCountIs('AWS::ECS::ClusterCapacityProviderAssociations', 1);
      const subnets = JSON.stringify(onlyOne(service, 'AWS::AutoScaling::AutoScalingGroup')['VPCZoneIdentifier']);
      expect(subnets).toContain('Private');
      expect(subnets).not.toContain('Data');
    });

    it('places awsvpc tasks through the capacity provider, spread across zones first', () => {
      const properties = onlyOne(service, 'AWS::ECS::Service');
      expect(properties['LaunchType']).toBeUndefined();
      expect(properties['CapacityProviderStrategy']).toEqual([{ CapacityProvider: expect.anything(), Weight: 1 }]);
      expect(properties['PlacementStrategies']).toEqual([
        { Type: 'spread', Field: 'attribute:ecs.availability-zone' },
        { Type: 'spread', Field: 'instanceId' },
      ]);
      service.hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['EC2'], NetworkMode: 'awsvpc' });
    });

    it("lets the instances' SSM Agent make exactly the calls the ssm endpoint lets through, unconditioned (several name no resource)", () => {
      const statements = Object.values(resourcesOf(service, 'AWS::IAM::Policy')).flatMap(
        (policy) => (policy.Properties?.['PolicyDocument'] as { Statement: { Sid?: string; Action: string[]; Condition?: unknown }[] }).Statement,
      );
      const agent = statements.find((statement) => statement.Sid === 'RegisterWithSystemsManager');
      expect(agent?.Action).toEqual([...SSM_AGENT_ACTIONS].sort());
      expect(agent?.Condition).toBeUndefined();
    });

    it('gives the instances a group that admits nothing and reaches only the endpoints and S3 over HTTPS', () => {
      const instances = stage.serviceStack.api.containerInstances;
      if (!instances) throw new Error('no container instances');
      const group = groupLogicalId(stage.serviceStack, instances.securityGroup);
      expect(resourcesOf(service, 'AWS::EC2::SecurityGroup')[group]?.Properties?.['SecurityGroupIngress']).toBeUndefined();
      const egress = Object.values(resourcesOf(service, 'AWS::EC2::SecurityGroupEgress')).filter((rule) => JSON.stringify(rule.Properties?.['GroupId']).includes(group));
      expect(egress.length).toBe(stage.networkStack.network.interfaceEndpoints.size + 1);
      for (const rule of egress) expect([rule.Properties?.['FromPort'], rule.Properties?.['ToPort']]).toEqual([443, 443]);
    });
  });
});

describe('provider without a data tier', () => {
  it('has no data stack, no data subnets and no Secrets Manager endpoint, and runs on Fargate', () => {
    const config = fixtureEnvironment('qa');
    const stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
    expect(stage.dataStack).toBeUndefined();
    const network = Template.fromStack(stage.networkStack);
    network.resourceCountIs('AWS::EC2::Subnet', config.provider.availabilityZones.length);
    expect(JSON.stringify(network.toJSON())).not.toContain('secretsmanager');
    Template.fromStack(stage.serviceStack).hasResourceProperties('AWS::ECS::Service', { LaunchType: 'FARGATE' });
  });

  it('picks the arm64 ECS AMI for a Graviton instance type and an arm64 image', () => {
    const config = fixtureEnvironment('qa', (input) => {
      if (input.service) input.service.cpuArchitecture = 'arm64';
      const provider = input.environments[0]?.provider;
      if (provider) provider.capacity = { type: 'ec2', instanceType: 'm7g.large', minInstances: 2, maxInstances: 2 };
    });
    const stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
    const parameters = Template.fromStack(stage.serviceStack).toJSON().Parameters as Record<string, { Default?: string }>;
    expect(Object.values(parameters).map((parameter) => parameter.Default)).toContain('/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id');
  });
});

describe('data tier compliance', () => {
  const outdirs: string[] = [];
  afterAll(() => {
    for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
  });

  /** Synthesizes the stateful stage (after `breakIt`) and returns the unacknowledged rule ids. */
  function findingsAfter(breakIt: (stage: ProviderStage) => void = () => undefined): string[] {
    const outdir = mkdtempSync(join(tmpdir(), 'provider-data-nag-'));
    outdirs.push(outdir);
    const app = new PrivateApiApp({ outdir });
    breakIt(new ProviderStage(app, 'Provider', { config: statefulQa() }));
    return unacknowledgedFindings(app).map((finding) => finding.rule);
  }

  it('synthesizes every part with zero unacknowledged findings in both packs', () => {
    expect(findingsAfter()).toEqual([]);
  });

  it('fails with PrivateLink-DATA1 when the database group admits an address range (L1 escape hatch)', () => {
    const findings = findingsAfter((stage) => {
      const group = stage.dataStack?.database?.securityGroup.node.defaultChild as ec2.CfnSecurityGroup;
      group.addPropertyOverride('SecurityGroupIngress', [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/8' }]);
    });
    expect(findings).toContain('PrivateLink-DATA1');
  });

  it('fails with PrivateLink-DATA2 when the parameter group stops forcing TLS (L1 escape hatch)', () => {
    const findings = findingsAfter((stage) => {
      const group = stage.dataStack?.node.findAll().find((child): child is rds.CfnDBParameterGroup => child.constructor.name === 'CfnDBParameterGroup');
      if (!group) throw new Error('no parameter group');
      group.addPropertyOverride('Parameters.rds\\.force_ssl', '0');
    });
    expect(findings).toContain('PrivateLink-DATA2');
  });

  it('fails with PrivateLink-EC21 when the launch template allows IMDSv1 (L1 escape hatch)', () => {
    const findings = findingsAfter((stage) => {
      const template = stage.serviceStack.node.findAll().find((child): child is ec2.CfnLaunchTemplate => child instanceof ec2.CfnLaunchTemplate);
      template?.addPropertyOverride('LaunchTemplateData.MetadataOptions.HttpTokens', 'optional');
    });
    expect(findings).toContain('PrivateLink-EC21');
  });

  it('fails with PrivateLink-EC22 when the launch template gets an SSH key (L1 escape hatch)', () => {
    const findings = findingsAfter((stage) => {
      const template = stage.serviceStack.node.findAll().find((child): child is ec2.CfnLaunchTemplate => child instanceof ec2.CfnLaunchTemplate);
      template?.addPropertyOverride('LaunchTemplateData.KeyName', 'ops-key');
    });
    expect(findings).toContain('PrivateLink-EC22');
  });
});
