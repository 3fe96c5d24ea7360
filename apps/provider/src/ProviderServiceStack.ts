import { Duration, type CfnOutput, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { allowedClientCidrs, allowedPrincipalArns, listenerPort, selfManagedConsumers, type EnvironmentConfig } from '@private-api/config';
import type { PrivateVpc } from '@private-api/network';
import { PrivateApiEndpointService } from '@private-api/privatelink';
import type { Construct } from 'constructs';
import { ApiService, type ServiceDataTier } from './ApiService';
import { EndpointConnectionNotifications } from './EndpointConnectionNotifications';
import { LoadBalancerAccessLogs } from './LoadBalancerAccessLogs';
import { PipelineAccess } from './PipelineAccess';
import { SelfManagedConnectionAcceptance } from './SelfManagedConnectionAcceptance';
import type { ServiceEgress } from './ServiceEgress';
import { ServiceMonitoring } from './ServiceMonitoring';
import { ServiceNamePublication } from './ServiceNamePublication';
import type { ServiceTaskDefinition } from './ServiceTaskDefinition';
import { PartedStack } from './StackPart';

export interface ProviderServiceStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly network: PrivateVpc;
  /**
   * The data tier the tasks use (the environment's `ProviderDataStack`).
   * @default - none: a stateless service
   */
  readonly dataTier?: ServiceDataTier;
  /**
   * The container image, instead of the one the config's service names.
   * @default - `config.service.image`: built from its directory, or pulled from its ECR repository
   */
  readonly image?: ecs.ContainerImage;
}

/**
 * The API and its PrivateLink front: the tasks' security group, then the parts: the ECS service (`ApiService`), the
 * endpoint connection notifications, the load balancers' access logs, the internal ALB + NLB +
 * endpoint service (`PrivateApiEndpointService`) with the service's autoscaling on its target
 * group, the alarms, alarm topic and dashboard (`ServiceMonitoring`), and the publication of
 * the endpoint service name to the consumer accounts (`ServiceNamePublication`), the roles the
 * pipeline assumes here (`PipelineAccess`) and, for self-managed consumers, the function that
 * accepts their endpoint connections (`SelfManagedConnectionAcceptance`). The parts exist
 * in the code only (`StackPart`): every resource keeps the logical ID it had before the stack
 * was split.
 */
export class ProviderServiceStack extends PartedStack {
  public readonly api: ApiService;
  public readonly privateLink: PrivateApiEndpointService;
  public readonly monitoring: ServiceMonitoring;
  public readonly publication: ServiceNamePublication;
  /** The provider-account roles the delivery pipeline assumes (connection acceptor, alarm reader). */
  public readonly pipelineAccess: PipelineAccess;
  /**
   * The function that accepts the endpoint connections of self-managed consumers when they
   * appear; absent when the service requires no acceptance or has no self-managed consumer.
   */
  public readonly selfManagedAcceptance?: SelfManagedConnectionAcceptance;

  public constructor(scope: Construct, id: string, props: ProviderServiceStackProps) {
    super(scope, id, props);
    const { config, network } = props;
    const { provider } = config;

    const serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: network.vpc,
      description: `${config.serviceName} tasks: container port from the ALB only`,
      // ServiceEgress writes every egress rule: HTTPS to the VPC endpoints, nothing else.
      allowAllOutbound: false,
    });
    this.api = new ApiService(this, 'Api', { config, network, securityGroup: serviceSecurityGroup, dataTier: props.dataTier, image: props.image });
    const notifications = new EndpointConnectionNotifications(this, 'Notifications', { serviceName: config.serviceName });
    const accessLogs = new LoadBalancerAccessLogs(this, 'AccessLogs', { retentionDays: provider.logRetentionDays });

    this.privateLink = new PrivateApiEndpointService(this, 'PrivateLink', {
      vpc: network.vpc,
      vpcSubnets: network.privateSubnets,
      listenerPort: listenerPort(config),
      certificate: provider.certificateArn ? elbv2.ListenerCertificate.fromArn(provider.certificateArn) : undefined,
      allowedPrincipals: allowedPrincipalArns(config).map((arn) => new iam.ArnPrincipal(arn)),
      acceptanceRequired: provider.acceptanceRequired,
      privateLinkClientPeers: [...new Set(config.consumers.flatMap(allowedClientCidrs))].map((cidr) => ec2.Peer.ipv4(cidr)),
      connectionNotificationTopic: notifications.topic,
      healthCheckPath: config.service.healthCheckPath,
      deletionProtection: provider.deletionProtection,
      accessLogBucket: accessLogs.bucket,
    });
    const targetGroup = this.privateLink.addTargets('Service', {
      port: this.api.taskDefinition.containerPort,
      targets: [this.api.service],
      deregistrationDelay: Duration.seconds(30),
    });
    this.api.scaleWithLoad(targetGroup);
    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      config,
      api: this.api,
      privateLink: this.privateLink,
      targetGroup,
      database: props.dataTier?.database,
    });

    this.publication = new ServiceNamePublication(this, 'Publication', { config, serviceName: this.privateLink.serviceName });

    // Managed consumers' connections are accepted by the pipeline after their wave, through
    // these roles; self-managed consumers deploy outside it, so their connection requests are
    // caught by a function on the notification topic. Both run acceptEndpointConnections.
    const endpointServiceId = this.privateLink.endpointService.vpcEndpointServiceId;
    this.pipelineAccess = new PipelineAccess(this, 'PipelineAccess', { config, endpointServiceId });
    const selfManagedOwners = [...new Set(selfManagedConsumers(config).map((consumer) => consumer.account))];
    if (provider.acceptanceRequired && selfManagedOwners.length > 0) {
      this.selfManagedAcceptance = new SelfManagedConnectionAcceptance(this, 'SelfManagedAcceptance', {
        endpointServiceId,
        allowedOwners: selfManagedOwners,
        topic: notifications.topic,
        // The config only accepts retention periods CloudWatch Logs offers (LOG_RETENTION_DAYS).
        logRetention: provider.logRetentionDays as logs.RetentionDays,
      });
    }
  }

  /** The ECS service. */
  public get service(): ecs.FargateService | ecs.Ec2Service {
    return this.api.service;
  }

  /** The task definition built from the config's service section. */
  public get taskDefinition(): ServiceTaskDefinition {
    return this.api.taskDefinition;
  }

  /** Where the tasks may connect to; a later tier opens its port with `serviceEgress.allowTo`. */
  public get serviceEgress(): ServiceEgress {
    return this.api.egress;
  }

  public get endpointServiceNameParameter(): ssm.StringParameter {
    return this.publication.parameter;
  }

  /** The endpoint service name as a stack output (the pipeline reads it with `envFromCfnOutputs`). */
  public get endpointServiceNameOutput(): CfnOutput {
    return this.publication.serviceNameOutput;
  }
}
