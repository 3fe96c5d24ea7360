import { resolve } from 'node:path';
import { Arn, ArnFormat, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { imageDirectory, type ServiceConfig, type ServiceSecret } from '@private-api/config';
import type { Construct } from 'constructs';

/** The repository root: `service.image.directory` is relative to it. */
const REPOSITORY_ROOT = resolve(__dirname, '../../..');

/** Name of the service's container in the task definition (the load balancer targets it). */
const CONTAINER_NAME = 'Api';

/**
 * A complete Secrets Manager ARN ends with `-` and the six random characters Secrets Manager
 * appends to the name; without them the ARN is partial, and the execution role's policy must
 * match the suffix with `-??????`. (A partial ARN whose name itself ends in `-` + six letters
 * is taken for complete: name such a secret by its complete ARN.)
 */
const COMPLETE_SECRET_ARN = /:secret:.+-[A-Za-z0-9]{6}$/;

export interface ServiceTaskDefinitionProps {
  /** The service to run: image, port, size, architecture, user, environment, secrets and writable folders. */
  readonly service: ServiceConfig;

  /** Where the container's logs go. */
  readonly logGroup: logs.ILogGroup;

  /**
   * Prefix of the container's log streams.
   * @default - the service name
   */
  readonly logStreamPrefix?: string;

  /**
   * The container image, instead of the one the service names.
   * @default - `service.image`: built from its directory for `service.cpuArchitecture`, or pulled from its ECR repository
   */
  readonly image?: ecs.ContainerImage;

  /**
   * The folder a directory image (`service.image.directory`) is relative to.
   * @default - the root of this repository
   */
  readonly repositoryRoot?: string;

  /**
   * What the tasks run on: Fargate, or EC2 container instances (both in `awsvpc` mode, so each
   * task keeps its own network interface and security groups).
   * @default 'fargate'
   */
  readonly capacity?: 'fargate' | 'ec2';

  /**
   * A fixed name for the task role, for policies that must name it before it exists (the data
   * tier's bucket policy). Must carry the deployment role name prefix.
   * @default - a generated name
   */
  readonly taskRoleName?: string;
}

/**
 * The task definition of the provider's service (Fargate or EC2, `awsvpc` either way), built from the deployment config's
 * `service` section: one essential, non-root container on a read-only root file system, its
 * port named `http`, `PORT` set to that port, secrets injected by ECS (the execution role may
 * read exactly those secrets and decrypt with exactly their keys), and one ephemeral volume per
 * writable folder.
 */
export class ServiceTaskDefinition extends ecs.TaskDefinition {
  /** The service's container. */
  public readonly container: ecs.ContainerDefinition;
  /** The port the container listens on (the ALB's target port). */
  public readonly containerPort: number;

  public constructor(scope: Construct, id: string, props: ServiceTaskDefinitionProps) {
    const { service } = props;
    super(scope, id, {
      // The same size on either capacity: a valid Fargate size, which an EC2 instance can host too.
      cpu: String(service.cpu),
      memoryMiB: String(service.memoryMiB),
      compatibility: props.capacity === 'ec2' ? ecs.Compatibility.EC2 : ecs.Compatibility.FARGATE,
      networkMode: ecs.NetworkMode.AWS_VPC,
      // Fargate takes the architecture here; on EC2 the instances' AMI decides it (the config
      // checks that the instance type's architecture is the image's).
      runtimePlatform:
        props.capacity === 'ec2'
          ? undefined
          : {
              cpuArchitecture: service.cpuArchitecture === 'arm64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
              operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
            },
    });
    if (props.taskRoleName !== undefined) {
      // The role keeps its logical ID; only its name becomes fixed.
      (this.taskRole.node.defaultChild as iam.CfnRole).roleName = props.taskRoleName;
    }
    const volumes = writableVolumes(service.writablePaths);
    this.containerPort = service.containerPort;

    this.container = this.addContainer(CONTAINER_NAME, {
      image: props.image ?? this.serviceImage(service, props.repositoryRoot ?? REPOSITORY_ROOT),
      essential: true,
      user: service.user,
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort: service.containerPort, name: 'http', protocol: ecs.Protocol.TCP }],
      environment: { PORT: String(service.containerPort), ...service.environment },
      secrets: Object.fromEntries(
        Object.entries(service.secrets).map(([name, secret]) => [name, this.serviceSecret(name, secret)]),
      ),
      logging: ecs.LogDrivers.awsLogs({
        logGroup: props.logGroup,
        streamPrefix: props.logStreamPrefix ?? service.name,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
      healthCheck: service.healthCheckCommand
        ? {
            command: [...service.healthCheckCommand],
            interval: Duration.seconds(15),
            timeout: Duration.seconds(5),
            retries: 3,
            startPeriod: Duration.seconds(15),
          }
        : undefined,
      // ECS sends SIGTERM, then SIGKILL after this: the time a service has to drain requests
      // (the ALB's deregistration delay is the same 30 seconds).
      stopTimeout: Duration.seconds(30),
    });
    for (const volume of volumes) {
      // No host path: task storage (Fargate) or a Docker volume (EC2), empty at start and gone with the task.
      this.addVolume({ name: volume.name });
      this.container.addMountPoints({ sourceVolume: volume.name, containerPath: volume.path, readOnly: false });
    }
    this.grantSecretKeys(service.secrets);

    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-ECS2',
      reason:
        'The environment holds PORT and the plain settings of the config\'s service.environment; the config keeps secrets apart in service.secrets, which ECS injects from Secrets Manager or SSM at start (only their ARNs are in the template).',
    });
    const executionPolicy = this.obtainExecutionRole().node.tryFindChild('DefaultPolicy');
    if (executionPolicy) {
      Validations.of(executionPolicy).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken supports no resource-level permissions (it must be granted on *); the image pull actions, log writes, secret reads and key use are scoped to the one repository, log group, secrets and keys.',
      });
    }
  }

  /**
   * The image `service.image` names. An ECR image is imported as its repository so that the
   * execution role may pull from that repository only.
   */
  private serviceImage(service: ServiceConfig, repositoryRoot: string): ecs.ContainerImage {
    const platform = service.cpuArchitecture === 'arm64' ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64;
    const { image } = service;
    if (image.kind === 'directory') {
      return ecs.ContainerImage.fromAsset(imageDirectory(service, repositoryRoot), { file: image.file, platform });
    }
    const repository = ecr.Repository.fromRepositoryAttributes(this, 'ImageRepository', {
      repositoryName: image.repositoryName,
      repositoryArn: Stack.of(this).formatArn({
        service: 'ecr',
        account: image.account,
        region: image.region,
        resource: 'repository',
        resourceName: image.repositoryName,
      }),
    });
    return ecs.ContainerImage.fromEcrRepository(repository, image.tagOrDigest);
  }

  /** One secret of `service.secrets`, imported by its ARN (ECS grants the execution role read access to it). */
  private serviceSecret(name: string, secret: ServiceSecret): ecs.Secret {
    const id = `Secret${name}`;
    if (secret.source === 'ssm') {
      return ecs.Secret.fromSsmParameter(ssm.StringParameter.fromStringParameterArn(this, id, secret.arn));
    }
    const imported = COMPLETE_SECRET_ARN.test(secret.arn)
      ? secretsmanager.Secret.fromSecretCompleteArn(this, id, secret.arn)
      : secretsmanager.Secret.fromSecretPartialArn(this, id, secret.arn);
    return ecs.Secret.fromSecretsManager(imported, secret.jsonKey);
  }

  /**
   * `kms:Decrypt` for the execution role on each customer-managed key the secrets name, only
   * through the service that holds the secret (Secrets Manager or SSM, in the secret's region).
   */
  private grantSecretKeys(secrets: Readonly<Record<string, ServiceSecret>>): void {
    const viaServicesByKey = new Map<string, Set<string>>();
    for (const secret of Object.values(secrets)) {
      if (secret.kmsKeyArn === undefined) continue;
      const region = Arn.split(secret.arn, ArnFormat.COLON_RESOURCE_NAME).region ?? Stack.of(this).region;
      const domain = RegionInfo.get(region).domainSuffix ?? 'amazonaws.com';
      const viaServices = viaServicesByKey.get(secret.kmsKeyArn) ?? new Set<string>();
      viaServices.add(`${secret.source}.${region}.${domain}`);
      viaServicesByKey.set(secret.kmsKeyArn, viaServices);
    }
    for (const [keyArn, viaServices] of viaServicesByKey) {
      this.obtainExecutionRole().addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [keyArn],
          conditions: { StringEquals: { 'kms:ViaService': [...viaServices].sort() } },
        }),
      );
    }
  }
}

/** One task volume per writable folder, named after its path (`/var/cache/app` → `var-cache-app`). */
function writableVolumes(paths: readonly string[]): { name: string; path: string }[] {
  const volumes = paths.map((path) => {
    if (!/^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(path)) {
      throw new Error(`ServiceTaskDefinition: service.writablePaths must hold absolute folder paths other than /, got ${JSON.stringify(path)}`);
    }
    return { name: `writable-${path.slice(1).replace(/[^A-Za-z0-9_-]/g, '-')}`, path };
  });
  for (const [index, volume] of volumes.entries()) {
    const first = volumes.findIndex((other) => other.name === volume.name);
    if (first !== index) {
      throw new Error(
        `ServiceTaskDefinition: service.writablePaths ${JSON.stringify(volumes[first]?.path)} and ${JSON.stringify(volume.path)} would share the volume name ${volume.name}; rename one folder`,
      );
    }
  }
  return volumes;
}
