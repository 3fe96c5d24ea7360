import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENDPOINT_POLICIES, type EndpointPolicyScope } from './endpointPolicies';

/** The interface endpoints Fargate tasks need to pull images from ECR and ship logs, without NAT. */
export const FARGATE_INTERFACE_ENDPOINTS: readonly ec2.InterfaceVpcEndpointAwsService[] = [
  ec2.InterfaceVpcEndpointAwsService.ECR,
  ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
];

export interface PrivateVpcProps {
  /** IPv4 CIDR block of the VPC, e.g. `10.10.0.0/16`. */
  readonly cidr: string;

  /**
   * Availability zone *names* to spread subnets over (`eu-west-1a`), as the deploying account
   * maps them. Named explicitly so that synth needs no account lookup. Give exactly one of
   * `availabilityZones` and `availabilityZoneIds`.
   * @default - none: `availabilityZoneIds` places the subnets
   */
  readonly availabilityZones?: string[];

  /**
   * Availability zone *IDs* to spread subnets over (`euw1-az1`): each subnet is placed with
   * CloudFormation's `AvailabilityZoneId`, the same physical zone in every account, so a
   * provider and its consumers can agree on zones. The stack's availability-zone context must
   * list these IDs (stages set it from the config).
   * @default - none: `availabilityZones` places the subnets
   */
  readonly availabilityZoneIds?: string[];

  /**
   * Prefix length of each private subnet.
   * @default 24
   */
  readonly subnetCidrMask?: number;

  /**
   * AWS services reached through interface endpoints (private DNS on, HTTPS only from inside
   * the VPC).
   * @default - ECR API, ECR Docker and CloudWatch Logs: what Fargate tasks need
   */
  readonly interfaceEndpoints?: readonly ec2.InterfaceVpcEndpointAwsService[];

  /**
   * Whether to add an S3 gateway endpoint (ECR stores image layers in S3).
   * @default true
   */
  readonly s3GatewayEndpoint?: boolean;

  /**
   * A second group of isolated subnets, one per AZ, for a data tier (DB subnet group, EFS mount
   * targets): separate from the workload subnets, with no endpoints and no route anywhere.
   * @default false
   */
  readonly dataSubnets?: boolean;

  /**
   * Other accounts whose resources workloads read through the endpoints: the account of an ECR
   * image, of a secret or an SSM parameter. Only their resources become reachable; their
   * principals still cannot use the endpoints.
   * @default - none: the endpoints reach the stack account's resources only
   */
  readonly endpointResourceAccounts?: string[];

  /**
   * Statements added to an endpoint's policy, by the endpoint's short service name (`s3` for the
   * gateway endpoint, `ecr.api`, `logs`, ...). Required for an interface service that
   * `ENDPOINT_POLICIES` does not know.
   * @default - the statements of `ENDPOINT_POLICIES` only
   */
  readonly endpointPolicyStatements?: Readonly<Record<string, iam.PolicyStatement[]>>;

  /**
   * How long VPC flow logs are kept in CloudWatch Logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * What happens to the flow log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly flowLogRemovalPolicy?: RemovalPolicy;
}

/**
 * A VPC for private workloads: isolated subnets only (no internet gateway, no NAT gateway)
 * across at least two AZs, AWS services reached through VPC endpoints, every flow logged, and
 * the default security group stripped of its rules.
 *
 * Every endpoint gets a policy (`ENDPOINT_POLICIES`): a workload cannot use an endpoint with
 * another account's credentials, nor reach another account's buckets, repositories, log groups,
 * secrets or parameters through it, so a compromised task has no way out through the endpoints.
 */
export class PrivateVpc extends Construct {
  public readonly vpc: ec2.Vpc;
  /** The subnets workloads, load balancers and endpoints go into: one isolated subnet per AZ. */
  public readonly privateSubnets: ec2.SubnetSelection;
  /** The data subnets (one per AZ), when asked for with `dataSubnets: true`. */
  public readonly dataSubnets?: ec2.SubnetSelection;
  /** Interface endpoints by service short name (`ecr.api`, `ecr.dkr`, `logs`, ...). */
  public readonly interfaceEndpoints: ReadonlyMap<string, ec2.InterfaceVpcEndpoint>;
  /** The S3 gateway endpoint; absent with `s3GatewayEndpoint: false`. */
  public readonly s3GatewayEndpoint?: ec2.GatewayVpcEndpoint;
  public readonly flowLogGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: PrivateVpcProps) {
    super(scope, id);
    if ((props.availabilityZones === undefined) === (props.availabilityZoneIds === undefined)) {
      throw new Error(
        `PrivateVpc ${this.node.path}: give exactly one of availabilityZones and availabilityZoneIds, got ${JSON.stringify({ availabilityZones: props.availabilityZones, availabilityZoneIds: props.availabilityZoneIds })}`,
      );
    }
    const byId = props.availabilityZoneIds !== undefined;
    const zones = props.availabilityZoneIds ?? props.availabilityZones ?? [];
    const zonesProp = byId ? 'availabilityZoneIds' : 'availabilityZones';
    if (zones.length < 2) {
      throw new Error(`PrivateVpc ${this.node.path}: ${zonesProp} must name at least 2 zones, got ${JSON.stringify(zones)}`);
    }
    if (byId) {
      const notIds = zones.filter((zone) => !/^[a-z]+\d+-az\d+$/.test(zone));
      if (notIds.length > 0) {
        throw new Error(`PrivateVpc ${this.node.path}: availabilityZoneIds must be zone IDs such as euw1-az1, got ${JSON.stringify(notIds)}`);
      }
    }
    const resourceAccounts = props.endpointResourceAccounts ?? [];
    const notAccounts = resourceAccounts.filter((account) => !Token.isUnresolved(account) && !/^\d{12}$/.test(account));
    if (notAccounts.length > 0) {
      throw new Error(`PrivateVpc ${this.node.path}: endpointResourceAccounts must be 12-digit account ids, got ${JSON.stringify(notAccounts)}`);
    }
    const extraStatements = props.endpointPolicyStatements ?? {};
    const services = (props.interfaceEndpoints ?? FARGATE_INTERFACE_ENDPOINTS).map((service) => service.shortName);
    const withoutPolicy = services.filter((name) => ENDPOINT_POLICIES[name] === undefined && (extraStatements[name] ?? []).length === 0);
    if (withoutPolicy.length > 0) {
      throw new Error(
        `PrivateVpc ${this.node.path}: interfaceEndpoints ${JSON.stringify(withoutPolicy)} have no endpoint policy; give their statements in endpointPolicyStatements`,
      );
    }
    const stack = Stack.of(this);
    const policyScope: EndpointPolicyScope = { account: stack.account, region: stack.region, resourceAccounts };
    const policyStatements = (name: string): iam.PolicyStatement[] => [
      ...(ENDPOINT_POLICIES[name]?.(policyScope) ?? []),
      ...(extraStatements[name] ?? []),
    ];
    const subnetCidrMask = props.subnetCidrMask ?? 24;
    if (!Token.isUnresolved(subnetCidrMask) && (subnetCidrMask < 16 || subnetCidrMask > 28)) {
      throw new Error(`PrivateVpc ${this.node.path}: subnetCidrMask must be between 16 and 28, got ${subnetCidrMask}`);
    }

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      // With IDs, CDK handles them as zone labels; each subnet is then placed by ID below.
      availabilityZones: zones,
      natGateways: 0,
      createInternetGateway: false,
      restrictDefaultSecurityGroup: true,
      // The data group comes second, so adding it leaves the workload subnets' ranges and ids as they are.
      subnetConfiguration: [
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: subnetCidrMask },
        ...(props.dataSubnets ? [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: subnetCidrMask }] : []),
      ],
    });
    this.privateSubnets = { subnetGroupName: 'Private' };
    this.dataSubnets = props.dataSubnets ? { subnetGroupName: 'Data' } : undefined;
    if (byId) {
      // The L2 VPC knows zone names only; the L1 subnet takes the zone ID instead.
      for (const subnet of this.vpc.isolatedSubnets) {
        const cfnSubnet = subnet.node.defaultChild as ec2.CfnSubnet;
        cfnSubnet.availabilityZoneId = subnet.availabilityZone;
        cfnSubnet.availabilityZone = undefined;
      }
    }

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.flowLogRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    if (props.s3GatewayEndpoint ?? true) {
      this.s3GatewayEndpoint = this.vpc.addGatewayEndpoint('S3', {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        subnets: [this.privateSubnets],
      });
      for (const statement of policyStatements('s3')) this.s3GatewayEndpoint.addToPolicy(statement);
    }

    const endpoints = new Map<string, ec2.InterfaceVpcEndpoint>();
    for (const service of props.interfaceEndpoints ?? FARGATE_INTERFACE_ENDPOINTS) {
      const id = endpointId(service.shortName);
      // One security group per endpoint, HTTPS from the VPC only and no egress: an endpoint
      // answers connections, it never opens them.
      const securityGroup = new ec2.SecurityGroup(this, `${id}EndpointSecurityGroup`, {
        vpc: this.vpc,
        description: `${service.shortName} interface endpoint: HTTPS from inside the VPC only`,
        allowAllOutbound: false,
      });
      // The literal CIDR, not the VPC's CidrBlock attribute: rule checkers can read a literal.
      securityGroup.addIngressRule(
        ec2.Peer.ipv4(props.cidr),
        ec2.Port.tcp(service.port),
        'HTTPS from inside the VPC',
      );
      const endpoint = this.vpc.addInterfaceEndpoint(`${id}Endpoint`, {
        service,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [securityGroup],
        subnets: this.privateSubnets,
      });
      for (const statement of policyStatements(service.shortName)) endpoint.addToPolicy(statement);
      endpoints.set(service.shortName, endpoint);
    }
    this.interfaceEndpoints = endpoints;
  }
}

/** `ecr.api` → `EcrApi`: a stable, readable construct id per service. */
function endpointId(shortName: string): string {
  return shortName
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
