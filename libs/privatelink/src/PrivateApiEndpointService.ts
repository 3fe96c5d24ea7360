import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { assertNoOpenPeer, assertPort } from './validation';

export interface PrivateApiEndpointServiceProps {
  /** The provider VPC that holds both load balancers. */
  readonly vpc: ec2.IVpc;

  /**
   * Subnets for the NLB and the ALB.
   * @default - one private subnet per availability zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Port consumers connect to; the NLB and the ALB both listen on it.
   * @default - 443 when `certificate` is set, otherwise 80
   */
  readonly listenerPort?: number;

  /**
   * Certificate for the ALB's HTTPS listener. TLS cannot end on an NLB target group of type
   * `alb`, so it ends at the ALB and the NLB passes TCP through.
   * @default - plain HTTP on the ALB listener
   */
  readonly certificate?: elbv2.IListenerCertificate;

  /**
   * The principals (accounts or roles) allowed to create interface endpoints to this service.
   * Must not be empty and must not contain `*`.
   */
  readonly allowedPrincipals: iam.ArnPrincipal[];

  /**
   * Whether every endpoint connection request must be accepted by the provider.
   * @default true
   */
  readonly acceptanceRequired?: boolean;

  /**
   * Whether the NLB's inbound rules also filter traffic arriving through PrivateLink. When
   * on, that traffic is seen with the client's private IP address, so the NLB admits
   * `privateLinkClientPeers` on the listener port; a consumer whose clients are missing from
   * it is dropped without any error on either side.
   * @default true
   */
  readonly enforceInboundRulesOnPrivateLinkTraffic?: boolean;

  /**
   * Client address ranges (in the consumers' VPCs) admitted by the NLB's security group.
   * Required, non-empty, when `enforceInboundRulesOnPrivateLinkTraffic` is on; ignored when
   * it is off.
   * @default - none
   */
  readonly privateLinkClientPeers?: ec2.IPeer[];

  /**
   * Path the NLB and ALB health checks request on the service.
   * @default '/healthz'
   */
  readonly healthCheckPath?: string;

  /**
   * SNS topic told about endpoint connection events (requested, accepted, rejected, deleted),
   * so the provider team sees new consumers waiting for acceptance.
   * @default - no notifications
   */
  readonly connectionNotificationTopic?: sns.ITopic;

  /**
   * Whether the load balancers are protected against deletion.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * Bucket both load balancers write their access logs to (under `alb/` and `nlb/`). It must
   * use SSE-S3 encryption: load balancers cannot write to SSE-KMS buckets.
   * @default - no access logs
   */
  readonly accessLogBucket?: s3.IBucket;
}

/**
 * The provider side of a private cross-account API: an internal ALB in front of the service,
 * an internal NLB (with its own security group) forwarding TCP to the ALB through a target
 * group of type `alb`, and a VPC endpoint service on the NLB that only the allowed principals
 * can connect to.
 *
 * Security groups chain: NLB ← consumer client ranges, ALB ← NLB security group only, service
 * ← ALB security group only (added by {@link addTargets}).
 */
export class PrivateApiEndpointService extends Construct implements ec2.IConnectable {
  public readonly alb: elbv2.ApplicationLoadBalancer;
  public readonly albListener: elbv2.ApplicationListener;
  public readonly nlb: elbv2.NetworkLoadBalancer;
  public readonly nlbListener: elbv2.NetworkListener;
  public readonly nlbSecurityGroup: ec2.SecurityGroup;
  public readonly albSecurityGroup: ec2.SecurityGroup;
  public readonly endpointService: ec2.VpcEndpointService;
  /** Service name consumers create their interface endpoints with (`com.amazonaws.vpce.<region>.vpce-svc-…`). */
  public readonly serviceName: string;
  public readonly listenerPort: number;
  /** The NLB's connections: the entry point of the API. */
  public readonly connections: ec2.Connections;
  private readonly healthCheckPath: string;

  public constructor(scope: Construct, id: string, props: PrivateApiEndpointServiceProps) {
    super(scope, id);
    this.listenerPort = props.listenerPort ?? (props.certificate ? 443 : 80);
    assertPort(this, 'listenerPort', this.listenerPort);
    validatePrincipals(this, props.allowedPrincipals);
    const enforceOnPrivateLink = props.enforceInboundRulesOnPrivateLinkTraffic ?? true;
    const clientPeers = props.privateLinkClientPeers ?? [];
    if (enforceOnPrivateLink && clientPeers.length === 0) {
      throw new Error(
        `PrivateApiEndpointService ${this.node.path}: privateLinkClientPeers must name the consumers' client ranges ` +
          'when enforceInboundRulesOnPrivateLinkTraffic is on (got none): every consumer would be dropped silently',
      );
    }
    clientPeers.forEach((peer, index) => assertNoOpenPeer(this, `privateLinkClientPeers[${index}]`, peer));
    this.healthCheckPath = props.healthCheckPath ?? '/healthz';
    const vpcSubnets = props.vpcSubnets ?? { onePerAz: true };
    const deletionProtection = props.deletionProtection ?? true;
    const port = ec2.Port.tcp(this.listenerPort);

    this.nlbSecurityGroup = new ec2.SecurityGroup(this, 'NlbSecurityGroup', {
      vpc: props.vpc,
      description: 'Private API NLB: listener port from consumer client ranges (PrivateLink)',
      allowAllOutbound: false,
    });
    this.albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc: props.vpc,
      description: 'Private API ALB: listener port from the NLB security group only',
      allowAllOutbound: false,
    });

    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      vpcSubnets,
      internetFacing: false,
      securityGroup: this.albSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection,
    });
    this.albListener = this.alb.addListener('Listener', {
      port: this.listenerPort,
      protocol: props.certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      certificates: props.certificate ? [props.certificate] : undefined,
      sslPolicy: props.certificate ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      // open: true would admit 0.0.0.0/0; the NLB's security group is the only source.
      open: false,
    });

    this.nlb = new elbv2.NetworkLoadBalancer(this, 'Nlb', {
      vpc: props.vpc,
      vpcSubnets,
      internetFacing: false,
      crossZoneEnabled: true,
      // Security groups can only be attached to an NLB when it is created.
      securityGroups: [this.nlbSecurityGroup],
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: enforceOnPrivateLink,
      deletionProtection,
    });
    this.connections = this.nlb.connections;
    if (enforceOnPrivateLink) {
      for (const peer of clientPeers) {
        this.nlbSecurityGroup.addIngressRule(peer, port, 'Consumer clients through PrivateLink');
      }
    }
    // NLB → ALB: an egress rule on the NLB and an ingress rule on the ALB naming the NLB's
    // security group. Health checks obey the NLB's outbound rules, so they pass here too.
    this.nlb.connections.allowTo(this.alb, port, 'NLB to ALB listener');

    if (props.accessLogBucket) {
      this.alb.logAccessLogs(props.accessLogBucket, 'alb');
      // An NLB writes access logs for TLS listeners only; enabled so a TLS listener added later
      // is logged from its first connection.
      this.nlb.logAccessLogs(props.accessLogBucket, 'nlb');
    }

    this.nlbListener = this.nlb.addListener('Listener', { port: this.listenerPort, protocol: elbv2.Protocol.TCP });
    const albTargetGroup = this.nlbListener.addTargets('Alb', {
      port: this.listenerPort,
      protocol: elbv2.Protocol.TCP,
      targets: [new elbv2Targets.AlbListenerTarget(this.albListener)],
      healthCheck: {
        protocol: props.certificate ? elbv2.Protocol.HTTPS : elbv2.Protocol.HTTP,
        path: this.healthCheckPath,
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });
    // The ALB listener must exist before a target group of type alb can register it
    // (aws-cdk#17208).
    albTargetGroup.node.addDependency(this.albListener);

    this.endpointService = new ec2.VpcEndpointService(this, 'EndpointService', {
      vpcEndpointServiceLoadBalancers: [this.nlb],
      acceptanceRequired: props.acceptanceRequired ?? true,
      allowedPrincipals: props.allowedPrincipals,
    });
    this.serviceName = this.endpointService.vpcEndpointServiceName;

    if (props.connectionNotificationTopic) {
      // The L2 endpoint service has no notification property.
      new ec2.CfnVPCEndpointConnectionNotification(this, 'ConnectionNotification', {
        serviceId: this.endpointService.vpcEndpointServiceId,
        connectionNotificationArn: props.connectionNotificationTopic.topicArn,
        connectionEvents: ['Connect', 'Accept', 'Reject', 'Delete'],
      });
    }
  }

  /**
   * Routes the ALB listener to the API's targets (an ECS service, say) and lets only the
   * ALB's security group reach them on their port.
   */
  public addTargets(id: string, props: elbv2.AddApplicationTargetsProps): elbv2.ApplicationTargetGroup {
    return this.albListener.addTargets(id, {
      protocol: elbv2.ApplicationProtocol.HTTP,
      ...props,
      healthCheck: {
        path: this.healthCheckPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        ...props.healthCheck,
      },
    });
  }
}

function validatePrincipals(scope: Construct, principals: readonly iam.ArnPrincipal[]): void {
  if (principals.length === 0) {
    throw new Error(
      `PrivateApiEndpointService ${scope.node.path}: allowedPrincipals must name at least one account or role, got []`,
    );
  }
  for (const [index, principal] of principals.entries()) {
    const arn = principal.arn;
    if (arn.includes('*')) {
      throw new Error(
        `PrivateApiEndpointService ${scope.node.path}: allowedPrincipals[${index}] must not contain a wildcard, got ${arn}`,
      );
    }
    // ARNs built with the partition token (AccountPrincipal) cannot be matched until deploy.
    if (!Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:iam::\d{12}:(root|role\/.+)$/.test(arn)) {
      throw new Error(
        `PrivateApiEndpointService ${scope.node.path}: allowedPrincipals[${index}] must be an account root or role ARN, got ${arn}`,
      );
    }
  }
}
