import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ram from 'aws-cdk-lib/aws-ram';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  allowedClientCidrs,
  allowedPrincipalArns,
  consumerAccounts,
  endpointServiceParameterName,
  listenerPort,
  ramAllowsExternalPrincipals,
  type EnvironmentConfig,
} from '@private-api/config';
import type { PrivateVpc } from '@private-api/network';
import { PrivateApiEndpointService } from '@private-api/privatelink';
import type { Construct } from 'constructs';
import { ServiceEgress } from './ServiceEgress';
import { ServiceTaskDefinition } from './ServiceTaskDefinition';

export interface ProviderServiceStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly network: PrivateVpc;
  /**
   * The container image, instead of the one the config's service names.
   * @default - `config.service.image`: built from its directory, or pulled from its ECR repository
   */
  readonly image?: ecs.ContainerImage;
}

/**
 * The API and its PrivateLink front: the ECS Fargate service behind an internal ALB, the NLB
 * and endpoint service in front of it, and the publication of the endpoint service name to
 * the consumer accounts (an advanced-tier SSM parameter shared through AWS RAM).
 */
export class ProviderServiceStack extends Stack {
  public readonly service: ecs.FargateService;
  /** The task definition built from the config's service section. */
  public readonly taskDefinition: ServiceTaskDefinition;
  public readonly privateLink: PrivateApiEndpointService;
  /** Where the tasks may connect to; a later tier opens its port with `serviceEgress.allowTo`. */
  public readonly serviceEgress: ServiceEgress;
  public readonly endpointServiceNameParameter: ssm.StringParameter;
  /** The endpoint service name as a stack output (the pipeline reads it with `envFromCfnOutputs`). */
  public readonly endpointServiceNameOutput: CfnOutput;

  public constructor(scope: Construct, id: string, props: ProviderServiceStackProps) {
    super(scope, id, props);
    const { config, network } = props;
    const { provider } = config;
    const vpc = network.vpc;

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const logGroup = new logs.LogGroup(this, 'TaskLogs', {
      retention: provider.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.taskDefinition = new ServiceTaskDefinition(this, 'TaskDefinition', {
      service: config.service,
      logGroup,
      logStreamPrefix: config.serviceName,
      image: props.image,
    });

    const serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc,
      description: `${config.serviceName} tasks: container port from the ALB only`,
      // ServiceEgress writes every egress rule: HTTPS to the VPC endpoints, nothing else.
      allowAllOutbound: false,
    });
    this.serviceEgress = new ServiceEgress(this, 'ServiceEgress', {
      securityGroup: serviceSecurityGroup,
      network,
      lookupLogRetention: provider.logRetentionDays as logs.RetentionDays,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: provider.desiredCount,
      assignPublicIp: false,
      vpcSubnets: network.privateSubnets,
      securityGroups: [serviceSecurityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
      healthCheckGracePeriod: Duration.seconds(30),
    });

    const notificationKey = new kms.Key(this, 'EndpointNotificationKey', {
      description: `${config.serviceName}: encrypts endpoint connection notifications`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const vpcEndpointService = new iam.ServicePrincipal('vpce.amazonaws.com');
    notificationKey.grant(vpcEndpointService, 'kms:GenerateDataKey*', 'kms:Decrypt');
    const notifications = new sns.Topic(this, 'EndpointConnectionEvents', {
      displayName: `${config.serviceName} endpoint connection requests and changes`,
      masterKey: notificationKey,
      enforceSSL: true,
    });
    notifications.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'VpcEndpointServiceNotifications',
        principals: [vpcEndpointService],
        actions: ['sns:Publish'],
        resources: [notifications.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    const accessLogs = this.createAccessLogBucket(provider.logRetentionDays);

    const certificate = provider.certificateArn
      ? elbv2.ListenerCertificate.fromArn(provider.certificateArn)
      : undefined;
    this.privateLink = new PrivateApiEndpointService(this, 'PrivateLink', {
      vpc,
      vpcSubnets: network.privateSubnets,
      listenerPort: listenerPort(config),
      certificate,
      allowedPrincipals: allowedPrincipalArns(config).map((arn) => new iam.ArnPrincipal(arn)),
      acceptanceRequired: provider.acceptanceRequired,
      privateLinkClientPeers: [...new Set(config.consumers.flatMap(allowedClientCidrs))].map((cidr) =>
        ec2.Peer.ipv4(cidr),
      ),
      connectionNotificationTopic: notifications,
      healthCheckPath: config.service.healthCheckPath,
      deletionProtection: provider.deletionProtection,
      accessLogBucket: accessLogs,
    });
    this.privateLink.addTargets('Service', {
      port: this.taskDefinition.containerPort,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
    });

    this.endpointServiceNameParameter = new ssm.StringParameter(this, 'EndpointServiceName', {
      parameterName: endpointServiceParameterName(config),
      stringValue: this.privateLink.serviceName,
      // Only advanced-tier parameters can be shared through AWS RAM.
      tier: ssm.ParameterTier.ADVANCED,
      description: `VPC endpoint service name of ${config.serviceName}, shared with its consumer accounts`,
    });
    new ram.CfnResourceShare(this, 'EndpointServiceNameShare', {
      name: `${config.serviceName}-endpoint-service-name`,
      resourceArns: [this.endpointServiceNameParameter.parameterArn],
      principals: consumerAccounts(config),
      // False only when the config states the Organization and every consumer is inside it:
      // RAM then refuses any account outside it (README, "Consumers and the AWS Organization").
      allowExternalPrincipals: ramAllowsExternalPrincipals(config),
    });

    this.endpointServiceNameOutput = new CfnOutput(this, 'EndpointServiceNameOutput', {
      description: 'Service name consumers create interface endpoints with',
      value: this.privateLink.serviceName,
    });
    new CfnOutput(this, 'EndpointServiceNameParameterArn', {
      description: 'ARN of the shared SSM parameter holding the service name',
      value: this.endpointServiceNameParameter.parameterArn,
    });
  }

  /**
   * The load balancers' access log bucket: SSE-S3 (the only encryption ELB can write to),
   * public access blocked, TLS-only, expiring objects, itself logged to a server access log
   * bucket.
   */
  private createAccessLogBucket(retentionDays: number): s3.Bucket {
    const lifecycleRules: s3.LifecycleRule[] = [
      { expiration: Duration.days(retentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ];
    const serverAccessLogs = new s3.Bucket(this, 'ServerAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return new s3.Bucket(this, 'LoadBalancerAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: serverAccessLogs,
      serverAccessLogsPrefix: 'load-balancer-access-logs/',
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
