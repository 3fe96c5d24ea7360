import { Fn, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { assertNoOpenPeer, assertPort } from './validation';

export interface ConsumerEndpointProps {
  /** The consumer VPC the interface endpoint is placed in. */
  readonly vpc: ec2.IVpc;

  /**
   * Subnets for the endpoint's network interfaces.
   * @default - one private subnet per availability zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The provider's endpoint service name (`com.amazonaws.vpce.<region>.vpce-svc-…`). Pass the
   * value read from the provider's shared SSM parameter; never type the id by hand.
   */
  readonly serviceName: string;

  /** The port the provider's API listens on. */
  readonly port: number;

  /**
   * Who may reach the endpoint on `port`: CIDR blocks (`ec2.Peer.ipv4`) or security groups.
   * More can be admitted later through `connections`.
   * @default - nobody until `connections.allowFrom` is called
   */
  readonly allowedPeers?: ec2.IPeer[];

  /**
   * Whether to resolve the provider's private DNS name inside this VPC. Needs the provider
   * to have a verified private DNS name on its endpoint service.
   * @default false
   */
  readonly privateDnsEnabled?: boolean;
}

/**
 * The consumer side of a private cross-account API: an interface VPC endpoint to the
 * provider's endpoint service, spread over the consumer's private subnets, with a security
 * group of its own that admits the service port only from the peers the caller names.
 *
 * It has no endpoint policy, on purpose: an endpoint policy is evaluated by IAM on signed AWS
 * API requests, and an endpoint service is a Network Load Balancer forwarding plain TCP, so
 * such services report `VpcEndpointPolicySupported: false` (DescribeVpcEndpointServices) and
 * "if a service does not support endpoint policies, the endpoint allows full access to the
 * service" (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html).
 * Who reaches the API is decided by this security group (the named clients), the provider's
 * allowed principals and acceptance, and the provider NLB's security group.
 */
export class ConsumerEndpoint extends Construct implements ec2.IConnectable {
  public readonly endpoint: ec2.InterfaceVpcEndpoint;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly connections: ec2.Connections;
  public readonly vpcEndpointId: string;
  /** The endpoint's DNS entries, each `hostedZoneId:dnsName` (regional first, then one per AZ). */
  public readonly dnsEntries: string[];
  /** The regional DNS name clients call, e.g. `vpce-…-….vpce-svc-….eu-west-1.vpce.amazonaws.com`. */
  public readonly dnsName: string;
  public readonly port: number;

  public constructor(scope: Construct, id: string, props: ConsumerEndpointProps) {
    super(scope, id);
    assertPort(this, 'port', props.port);
    if (!Token.isUnresolved(props.serviceName) && !/^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]+$/.test(props.serviceName)) {
      throw new Error(
        `ConsumerEndpoint ${this.node.path}: serviceName must be an endpoint service name (com.amazonaws.vpce.<region>.vpce-svc-…), got ${props.serviceName}`,
      );
    }
    const peers = props.allowedPeers ?? [];
    peers.forEach((peer, index) => assertNoOpenPeer(this, `allowedPeers[${index}]`, peer));
    this.port = props.port;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Interface endpoint to the private API: port ${props.port} from named clients only`,
      // An endpoint answers connections; it never opens any.
      allowAllOutbound: false,
    });
    const port = ec2.Port.tcp(props.port);
    for (const peer of peers) {
      this.securityGroup.addIngressRule(peer, port, 'Private API clients');
    }

    this.endpoint = new ec2.InterfaceVpcEndpoint(this, 'Endpoint', {
      vpc: props.vpc,
      subnets: props.vpcSubnets ?? { onePerAz: true },
      service: new ec2.InterfaceVpcEndpointService(props.serviceName, props.port),
      securityGroups: [this.securityGroup],
      // open: true would admit the whole VPC CIDR; access is exactly allowedPeers.
      open: false,
      privateDnsEnabled: props.privateDnsEnabled ?? false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: port });
    this.vpcEndpointId = this.endpoint.vpcEndpointId;
    this.dnsEntries = this.endpoint.vpcEndpointDnsEntries;
    this.dnsName = Fn.select(1, Fn.split(':', Fn.select(0, this.dnsEntries)));
  }
}
