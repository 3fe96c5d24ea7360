import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { autoscalingEnabled, deploymentAlarmNames, serviceTaskRoleName, type EnvironmentConfig, type ScalingConfig } from '@private-api/config';
import type { AssetsBucket, PrivateDatabase, SharedFileSystem } from '@private-api/data';
import type { PrivateVpc } from '@private-api/network';
import type { Construct } from 'constructs';
import { ContainerInstances } from './ContainerInstances';
import { ServiceEgress } from './ServiceEgress';
import { ServiceTaskDefinition } from './ServiceTaskDefinition';
import { StackPart } from './StackPart';

/** The data tier the service uses, each part when the environment has it (ProviderDataStack). */
export interface ServiceDataTier {
  /** The group the tasks wear to reach the database and the file system. */
  readonly dataAccessSecurityGroup?: ec2.ISecurityGroup;
  readonly database?: PrivateDatabase;
  readonly fileSystem?: SharedFileSystem;
  readonly assetsBucket?: AssetsBucket;
}

export interface ApiServiceProps {
  readonly config: EnvironmentConfig;
  readonly network: PrivateVpc;
  /**
   * The tasks' security group (created with `allowAllOutbound: false`). Made by the stack, not
   * this part: other groups' rules towards it are named after its construct path, and a renamed
   * rule would be created next to the old one and fail as a duplicate.
   */
  readonly securityGroup: ec2.SecurityGroup;
  readonly dataTier?: ServiceDataTier;
  /** @default - `config.service.image` */
  readonly image?: ecs.ContainerImage;
}

/**
 * The service itself: the ECS cluster (on Fargate, or on EC2 container instances), the task
 * definition from the config's service, the tasks' security group and egress, the ECS service,
 * and the data tier handed to the tasks as documented variables (README, "Data tier"):
 * `DB_HOST`/`DB_PORT`/`DB_NAME`/`DB_SSL` plus `DB_USER`/`DB_PASSWORD` injected by ECS from the
 * database's secret, `FILES_DIR` where the file system is mounted, `ASSETS_BUCKET`.
 *
 * Deployments roll back on the circuit breaker and on the deployment alarms
 * (`deploymentAlarmNames`: ALB 5xx rate, unhealthy targets, p99 latency), which the monitoring
 * part creates; the task count scales with the load once {@link scaleWithLoad} is given the
 * ALB target group.
 */
export class ApiService extends StackPart {
  public readonly cluster: ecs.Cluster;
  public readonly taskDefinition: ServiceTaskDefinition;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly egress: ServiceEgress;
  public readonly service: ecs.FargateService | ecs.Ec2Service;
  /** The EC2 capacity, when the config runs the tasks on EC2. */
  public readonly containerInstances?: ContainerInstances;
  /** The task count's bounds and targets (`provider.scaling`). */
  public readonly scaling: ScalingConfig;
  private taskCount?: ecs.ScalableTaskCount;

  public constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);
    const { config, network, dataTier = {} } = props;
    const { provider } = config;
    const vpc = network.vpc;
    const capacity = provider.capacity;
    this.scaling = provider.scaling;

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const logGroup = new logs.LogGroup(this, 'TaskLogs', {
      retention: provider.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.taskDefinition = new ServiceTaskDefinition(this, 'TaskDefinition', {
      service: config.service,
      logGroup,
      logStreamPrefix: config.serviceName,
      image: props.image,
      capacity: capacity.type,
      taskRoleName: serviceTaskRoleName(config),
    });

    this.securityGroup = props.securityGroup;
    this.egress = new ServiceEgress(this, 'ServiceEgress', {
      securityGroup: this.securityGroup,
      network,
      lookupLogRetention: provider.logRetentionDays as logs.RetentionDays,
    });
    this.useDataTier(dataTier, provider.fileSystem?.mountPath);

    const common = {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      // With autoscaling, DesiredCount is left out of the template. CloudFormation then creates
      // the service with 1 task and keeps the current count on every update; registering the
      // scalable target lifts it to minCount (Application Auto Scaling moves a count outside
      // [min, max] inside it whenever the target is registered). Written in the template, every
      // update of the service would reset a scaled-out service to desiredCount, mid-load
      // (aws-cdk#3919, containers-roadmap#493). aws-cdk-lib v2 writes no default of its own: the
      // v1 flag @aws-cdk/aws-ecs-patterns:removeDefaultDesiredCount is always on.
      desiredCount: autoscalingEnabled(provider.scaling) ? undefined : provider.desiredCount,
      vpcSubnets: network.privateSubnets,
      securityGroups: [this.securityGroup],
      circuitBreaker: { enable: true, rollback: true },
      // Alarms by their fixed names: naming the Alarm constructs here would tie the service to
      // the monitoring part, whose running-tasks alarm reads the service's name (a cycle). The
      // monitoring part makes the service depend on them, so they exist before it.
      deploymentAlarms: { alarmNames: deploymentAlarmNames(config), behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
      healthCheckGracePeriod: Duration.seconds(30),
    };
    if (capacity.type === 'ec2') {
      const instances = new ContainerInstances(this, 'ContainerInstances', {
        cluster: this.cluster,
        vpcSubnets: network.privateSubnets,
        instanceType: capacity.instanceType,
        minInstances: capacity.minInstances,
        maxInstances: capacity.maxInstances,
        rootVolumeGiB: capacity.rootVolumeGiB,
        serviceName: config.serviceName,
      });
      this.egress.addSecurityGroup(instances.securityGroup);
      this.containerInstances = instances;
      this.service = new ecs.Ec2Service(this, 'Service', {
        ...common,
        capacityProviderStrategies: [{ capacityProvider: instances.capacityProvider.capacityProviderName, weight: 1 }],
        // One task per zone first (the ALB and NLB span the zones), then across instances.
        placementStrategies: [
          ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
          ecs.PlacementStrategy.spreadAcrossInstances(),
        ],
      });
    } else {
      this.service = new ecs.FargateService(this, 'Service', { ...common, assignPublicIp: false });
    }
    if (dataTier.dataAccessSecurityGroup) this.wearDataAccessGroup(dataTier.dataAccessSecurityGroup);
  }

  /**
   * Lets the task count follow the load, from `provider.scaling.minCount` (desiredCount) to
   * `maxCount`, on two target-tracking policies: ALB requests per target (the `targetGroup` the
   * service is registered in) and average CPU. Whichever asks for more tasks wins; scale-in
   * happens only when both allow it. With EC2 capacity, the capacity provider's managed scaling
   * adds instances for tasks that cannot be placed. Does nothing when `maxCount` equals
   * desiredCount (no autoscaling resources at all).
   */
  public scaleWithLoad(targetGroup: elbv2.ApplicationTargetGroup): ecs.ScalableTaskCount | undefined {
    if (!autoscalingEnabled(this.scaling)) return undefined;
    if (this.taskCount) throw new Error(`ApiService ${this.node.path}: scaleWithLoad was already called`);
    this.taskCount = this.service.autoScaleTaskCount({ minCapacity: this.scaling.minCount, maxCapacity: this.scaling.maxCount });
    // Out fast (a minute), in slowly (5 minutes): a burst gets tasks before latency suffers, and
    // a dip between bursts does not drain tasks that the next burst needs again.
    const cooldowns = { scaleOutCooldown: Duration.minutes(1), scaleInCooldown: Duration.minutes(5) };
    this.taskCount.scaleOnRequestCount('Requests', { targetGroup, requestsPerTarget: this.scaling.requestsPerTarget, ...cooldowns });
    this.taskCount.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: this.scaling.cpuPercent, ...cooldowns });
    return this.taskCount;
  }

  /**
   * Adds the data-access group to the tasks' network interfaces in the template only. Given to
   * the service construct, it would join `service.connections`, and the ALB target registration
   * would open the container port on it too (and tie the data stack to the service stack): the
   * group must admit nothing and only let the tasks out to the data tier.
   */
  private wearDataAccessGroup(group: ec2.ISecurityGroup): void {
    const cfnService = this.service.node.defaultChild as ecs.CfnService;
    cfnService.addPropertyOverride('NetworkConfiguration.AwsvpcConfiguration.SecurityGroups', [
      this.securityGroup.securityGroupId,
      group.securityGroupId,
    ]);
  }

  /** Hands the data tier's parts to the tasks: variables, secrets, the mount and the grants. */
  private useDataTier(dataTier: ServiceDataTier, mountPath: string | undefined): void {
    const { container } = this.taskDefinition;
    const { database, fileSystem, assetsBucket } = dataTier;
    if (database) {
      container.addEnvironment('DB_HOST', database.instance.dbInstanceEndpointAddress);
      container.addEnvironment('DB_PORT', String(database.port));
      container.addEnvironment('DB_NAME', database.databaseName);
      // Verify the server certificate and its host name against the RDS CA bundle in the image.
      container.addEnvironment('DB_SSL', 'verify-full');
      // ECS reads the secret at task start (the execution role may read this one secret) and
      // injects its two fields: they never appear in the task definition. Imported by ARN alone:
      // with its key attached, the grant would write the execution role into the data stack's
      // key policy (a reference back to this stack); the decrypt grant below is in the role's
      // own policy, only through Secrets Manager.
      const secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'DatabaseSecret', database.secret.secretArn);
      container.addSecret('DB_USER', ecs.Secret.fromSecretsManager(secret, 'username'));
      container.addSecret('DB_PASSWORD', ecs.Secret.fromSecretsManager(secret, 'password'));
      this.taskDefinition.obtainExecutionRole().addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [database.secretKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    if (fileSystem) {
      if (mountPath === undefined) throw new Error(`ApiService ${this.node.path}: a file system was given but the config names no provider.fileSystem.mountPath`);
      fileSystem.mountInto(this.taskDefinition, container, mountPath);
      container.addEnvironment('FILES_DIR', mountPath);
    }
    if (assetsBucket) {
      assetsBucket.grantRead(this.taskDefinition.taskRole);
      container.addEnvironment('ASSETS_BUCKET', assetsBucket.bucketName);
    }
  }
}
