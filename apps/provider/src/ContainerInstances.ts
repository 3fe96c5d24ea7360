import { Duration, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SSM_AGENT_ACTIONS } from '@private-api/network';
import { Construct } from 'constructs';

export interface ContainerInstancesProps {
  readonly cluster: ecs.Cluster;
  /** The workload subnets: one per zone, no public IP, no route out. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** e.g. `m7g.large`; its architecture picks the AMI (the image's must match: the config checks). */
  readonly instanceType: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** @default 30 */
  readonly rootVolumeGiB?: number;
  /** Named in the security group's description. */
  readonly serviceName: string;
}

/**
 * EC2 container instances for the cluster: an Auto Scaling group in the workload subnets,
 * launched from a template with the ECS-optimized Amazon Linux 2023 AMI (its ID read from the
 * public SSM parameter at deploy time, so every deploy gets the current one), IMDSv2 required
 * with a hop limit of 1, tasks blocked from the instance metadata service, an encrypted gp3 root
 * volume, no public IP and no SSH key (Session Manager instead), registered as the cluster's
 * capacity provider with managed scaling and managed termination protection.
 *
 * The instances' security group admits nothing; its egress is written by the caller
 * (`ServiceEgress.addSecurityGroup`): HTTPS to the VPC endpoints and S3 only.
 */
export class ContainerInstances extends Construct {
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  public readonly capacityProvider: ecs.AsgCapacityProvider;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: ContainerInstancesProps) {
    super(scope, id);
    const instanceType = new ec2.InstanceType(props.instanceType);
    const arm = instanceType.architecture === ec2.InstanceArchitecture.ARM_64;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `${props.serviceName} container instances: admit nothing, HTTPS to the VPC endpoints and S3 only`,
      allowAllOutbound: false,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `${props.serviceName} container instances: the ECS agent and the SSM Agent (Session Manager)`,
    });
    this.grantSessionManager(this.role);

    const userData = ec2.UserData.forLinux();
    // Tasks in awsvpc mode must not reach the instance metadata service: the instance role's
    // credentials are the agent's, not theirs (they have their own task role).
    userData.addCommands('echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config');
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(arm ? ecs.AmiHardwareType.ARM : ecs.AmiHardwareType.STANDARD),
      instanceType,
      role: this.role,
      securityGroup: this.securityGroup,
      userData,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      associatePublicIpAddress: false,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeGiB ?? 30, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'AutoScalingGroup', {
      vpc: props.cluster.vpc,
      vpcSubnets: props.vpcSubnets,
      launchTemplate,
      minCapacity: props.minInstances,
      maxCapacity: props.maxInstances,
      // No update policy: a new launch template version (a new AMI) reaches instances as they
      // are replaced, and an instance refresh rolls it out with ECS draining each instance
      // first (README, "EC2 capacity"). A CloudFormation rolling update would fight managed
      // termination protection.
      cooldown: Duration.minutes(5),
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: Duration.minutes(5) }),
      groupMetrics: [autoscaling.GroupMetrics.all()],
    });
    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: true,
      // ECS moves tasks off an instance before Auto Scaling terminates it.
      enableManagedDraining: true,
      // The Amazon Linux 2023 ECS AMI reads /etc/ecs/ecs.config like Amazon Linux 2.
      machineImageType: ecs.MachineImageType.AMAZON_LINUX_2,
      targetCapacityPercent: 100,
    });
    props.cluster.addAsgCapacityProvider(this.capacityProvider);
    this.acknowledgeFindings();
  }

  /** What the SSM Agent needs for Session Manager, inline (no managed policy with more in it). */
  private grantSessionManager(role: iam.Role): void {
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RegisterWithSystemsManager',
        // The same actions the VPC's ssm endpoint lets through. No aws:ResourceAccount condition:
        // several name no resource (ssm:ListAssociations, ssm:DescribeInstanceProperties), the
        // key would be absent and the agent denied.
        actions: [...SSM_AGENT_ACTIONS],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SessionManagerChannels',
        actions: [
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
          'ec2messages:AcknowledgeMessage',
          'ec2messages:DeleteMessage',
          'ec2messages:FailMessage',
          'ec2messages:GetEndpoint',
          'ec2messages:GetMessages',
          'ec2messages:SendReply',
        ],
        resources: ['*'],
      }),
    );
  }

  private acknowledgeFindings(): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          "The ECS agent's registration, polling and telemetry calls and Session Manager's channel calls support no resource-level permissions (ecs:DiscoverPollEndpoint, ssm:ListAssociations, ssmmessages:*, ec2messages:*); the cluster-scoped ECS actions are on this cluster only.",
      });
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::ecs:Submit*]',
        reason:
          "CDK's ECS agent statement: the agent reports task, container and attachment state changes (ecs:SubmitTaskStateChange, SubmitContainerStateChange, SubmitAttachmentStateChanges), on this cluster only.",
      });
    }
    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-AS3',
      reason:
        'The capacity provider owns this group (managed scaling and termination protection): ECS scales it from the tasks it must place, and ECS service events and CloudWatch group metrics (all enabled) report every change; an SNS topic per scaling event would duplicate them.',
    });
  }
}
