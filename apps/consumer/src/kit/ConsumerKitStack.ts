import { Aws, BootstraplessSynthesizer, CfnOutput, CfnParameter, CfnRule, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { consumerAlarmName, listenerPort, type EnvironmentConfig, type SelfManagedConsumerConfig } from '@private-api/config';
import type { Construct } from 'constructs';
import { EndpointAlarms } from '../EndpointAlarms';

/**
 * IPv4 CIDR with a prefix of /8 to /32: a /0–/7 would admit a large part of the internet
 * address space to the endpoint. (CloudFormation checks `AllowedPattern` as a Java regex.)
 */
export const CLIENT_CIDR_PATTERN =
  '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/([89]|[12][0-9]|3[0-2])$';

/** An endpoint service name as AWS generates it. */
export const ENDPOINT_SERVICE_NAME_PATTERN = 'com\\.amazonaws\\.vpce\\.[a-z0-9-]+\\.vpce-svc-[0-9a-f]+';

export interface ConsumerKitStackProps extends Omit<StackProps, 'env' | 'synthesizer'> {
  /** One environment of the validated config (the provider's port comes from it). */
  readonly config: EnvironmentConfig;
  /** The self-managed consumer the kit is for; the template only deploys in its account and region. */
  readonly consumer: SelfManagedConsumerConfig;
}

/**
 * The consumer kit's template: what a self-managed consumer deploys in its own account with
 * plain CloudFormation. It needs no CDK bootstrap (no assets, no bootstrap version check) and
 * takes the consumer's VPC, subnets, client ranges and the provider's endpoint service name as
 * parameters. Rules stop a deploy in another account or region before anything is created.
 * Besides the endpoint and its security group it holds the same packets-dropped alarm (and
 * encrypted topic) as a managed consumer's stack.
 */
export class ConsumerKitStack extends Stack {
  public readonly vpcId: CfnParameter;
  public readonly subnetIds: CfnParameter;
  /** One per configured client range, in config order (`ClientCidr0`, `ClientCidr1`, …). */
  public readonly clientCidrs: readonly CfnParameter[];
  public readonly endpointServiceName: CfnParameter;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly endpoint: ec2.CfnVPCEndpoint;
  /** The endpoint's `PacketsDropped` alarm and its encrypted topic, as in a managed consumer's stack. */
  public readonly alarms: EndpointAlarms;
  public readonly port: number;

  public constructor(scope: Construct, id: string, props: ConsumerKitStackProps) {
    const { consumer, config } = props;
    super(scope, id, {
      ...props,
      env: { account: consumer.account, region: consumer.region },
      // A customer deploys this with `aws cloudformation deploy`: no bootstrap stack to check.
      synthesizer: new BootstraplessSynthesizer(),
      // No AWS::CDK::Metadata resource in a template handed to a customer.
      analyticsReporting: false,
      description:
        props.description ?? `${config.serviceName} (${config.name}): interface endpoint of consumer ${consumer.name}, from the consumer kit`,
    });
    if (consumer.allowedClientCidrs.length === 0) {
      throw new Error(`ConsumerKitStack ${this.node.path}: consumer.allowedClientCidrs must name at least one CIDR block, got []`);
    }
    this.port = listenerPort(config);

    this.vpcId = new CfnParameter(this, 'VpcId', {
      type: 'AWS::EC2::VPC::Id',
      description: 'The VPC your clients are in: the endpoint goes into it',
    });
    this.subnetIds = new CfnParameter(this, 'SubnetIds', {
      type: 'List<AWS::EC2::Subnet::Id>',
      description: `Subnets of that VPC for the endpoint, at most one per zone, only in zone IDs ${config.provider.availabilityZones.map((zone) => zone.id).join(', ')}`,
    });
    this.clientCidrs = consumer.allowedClientCidrs.map(
      (cidr, index) =>
        new CfnParameter(this, `ClientCidr${index}`, {
          type: 'String',
          default: cidr,
          allowedPattern: CLIENT_CIDR_PATTERN,
          constraintDescription: 'must be an IPv4 CIDR block with a prefix length of /8 to /32, e.g. 10.0.0.0/16',
          description: `Client range ${index + 1} allowed to call the API (the provider admits ${cidr})`,
        }),
    );
    this.endpointServiceName = new CfnParameter(this, 'EndpointServiceName', {
      type: 'String',
      allowedPattern: ENDPOINT_SERVICE_NAME_PATTERN,
      constraintDescription: 'must be an endpoint service name, com.amazonaws.vpce.<region>.vpce-svc-<id> (see values.json)',
      description: "The provider's endpoint service name (values.json says how to read it)",
    });

    this.addRules(consumer);
    // Only the id is known (a parameter): the security group and the alarm need nothing else of
    // the VPC, and the zones are mere labels (nothing is placed by them).
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: this.vpcId.valueAsString,
      availabilityZones: config.provider.availabilityZones.map((zone) => zone.id),
    });
    this.securityGroup = this.addSecurityGroup(vpc);
    this.endpoint = this.addInterfaceEndpoint();
    this.alarms = new EndpointAlarms(this, 'Alarms', {
      endpoint: ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(this, 'EndpointRef', { vpcEndpointId: this.endpoint.ref, port: this.port }),
      vpc,
      serviceName: this.endpointServiceName.valueAsString,
      threshold: config.provider.monitoring.consumerPacketsDropped,
      alarmName: consumerAlarmName(config, consumer),
    });

    new CfnOutput(this, 'EndpointId', { description: 'Give this id to the provider to accept the connection', value: this.endpoint.ref });
    new CfnOutput(this, 'DnsName', {
      description: `DNS name your clients call ${config.serviceName} with, on port ${this.port}`,
      // Each entry is `hostedZoneId:dnsName`; the first is the regional name.
      value: Fn.select(1, Fn.split(':', Fn.select(0, this.endpoint.attrDnsEntries))),
    });
    new CfnOutput(this, 'SecurityGroupId', {
      description: 'Security group of the endpoint: admit more clients here',
      value: this.securityGroup.securityGroupId,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: "Subscribe here to the endpoint's packets-dropped alarm",
      value: this.alarms.topic.topicArn,
    });
  }

  private addRules(consumer: SelfManagedConsumerConfig): void {
    new CfnRule(this, 'InConsumerAccount', {
      assertions: [
        {
          assert: Fn.conditionEquals(Aws.ACCOUNT_ID, consumer.account),
          assertDescription: `This kit is for account ${consumer.account} (consumer ${consumer.name}) only: the provider allows that account's principal. Deploy it there.`,
        },
      ],
    });
    new CfnRule(this, 'InConsumerRegion', {
      assertions: [
        {
          assert: Fn.conditionEquals(Aws.REGION, consumer.region),
          assertDescription: `This kit deploys in region ${consumer.region} only: the provider's endpoint service is there (pass --region ${consumer.region}).`,
        },
      ],
    });
    new CfnRule(this, 'SubnetsInVpc', {
      assertions: [
        {
          assert: Fn.conditionEachMemberEquals(Fn.valueOfAll('AWS::EC2::Subnet::Id', 'VpcId'), this.vpcId.valueAsString),
          assertDescription: 'Every subnet in SubnetIds must belong to the VPC in VpcId.',
        },
      ],
    });
  }

  private addSecurityGroup(vpc: ec2.IVpc): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: `Interface endpoint to the private API: port ${this.port} from the ClientCidr parameters only`,
      // An endpoint answers connections; it never opens any.
      allowAllOutbound: false,
    });
    for (const [index, cidr] of this.clientCidrs.entries()) {
      securityGroup.addIngressRule(ec2.Peer.ipv4(cidr.valueAsString), ec2.Port.tcp(this.port), `Private API clients (ClientCidr${index})`);
    }
    const resource = securityGroup.node.defaultChild;
    if (resource) {
      // EC23 cannot read a parameter's value at synth time, so it reports a validation failure;
      // the parameter's AllowedPattern enforces what the rule checks, at deploy time.
      Validations.of(resource).acknowledge({
        id: 'AwsSolutions::AwsSolutions-EC23',
        reason:
          'The ingress sources are the ClientCidr parameters, whose AllowedPattern (CLIENT_CIDR_PATTERN) only accepts IPv4 blocks of /8 to /32, so 0.0.0.0/0 cannot be deployed.',
      });
    }
    return securityGroup;
  }

  /**
   * The L1 endpoint: the L2 `InterfaceVpcEndpoint` needs the subnets at synth time, here they
   * are a CloudFormation list parameter.
   */
  private addInterfaceEndpoint(): ec2.CfnVPCEndpoint {
    return new ec2.CfnVPCEndpoint(this, 'Endpoint', {
      vpcEndpointType: 'Interface',
      vpcId: this.vpcId.valueAsString,
      subnetIds: this.subnetIds.valueAsList,
      serviceName: this.endpointServiceName.valueAsString,
      securityGroupIds: [this.securityGroup.securityGroupId],
      // The provider's service has no verified private DNS name (yet): clients call the endpoint's own name.
      privateDnsEnabled: false,
    });
  }
}
