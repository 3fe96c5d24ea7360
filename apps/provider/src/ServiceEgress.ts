import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { NoImplicitEgress } from '@private-api/compliance';
import type { PrivateVpc } from '@private-api/network';
import { Construct } from 'constructs';

/** The port every AWS service interface endpoint and S3 answer on. */
const HTTPS = ec2.Port.tcp(443);

export interface ServiceEgressProps {
  /** The tasks' security group, created with `allowAllOutbound: false`: this construct writes all of its egress. */
  readonly securityGroup: ec2.SecurityGroup;
  /** The VPC the tasks run in: its interface endpoints and S3 gateway endpoint are the only destinations. */
  readonly network: PrivateVpc;
  /**
   * How long the logs of the function that looks the S3 prefix list up are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly lookupLogRetention?: logs.RetentionDays;
}

/**
 * Everything the service's tasks may open a connection to: HTTPS to each interface endpoint's
 * security group and to the region's S3 prefix list (the gateway endpoint), nothing else. A
 * compromised task cannot reach another destination even if one became routable.
 *
 * The S3 prefix list id differs per region and account-independent lookups need AWS, so it is
 * read at deploy time (`ec2:DescribeManagedPrefixLists`, filtered on the prefix list name)
 * instead of at synth time: synth stays offline.
 *
 * A later tier (a database, a file system) opens its port with {@link allowTo}.
 */
export class ServiceEgress extends Construct {
  /** The region's S3 managed prefix list id, resolved at deploy time; absent without an S3 gateway endpoint. */
  public readonly s3PrefixListId?: string;
  private readonly securityGroup: ec2.SecurityGroup;
  private readonly network: PrivateVpc;

  public constructor(scope: Construct, id: string, props: ServiceEgressProps) {
    super(scope, id);
    this.securityGroup = props.securityGroup;
    this.network = props.network;
    if (props.network.s3GatewayEndpoint) {
      this.s3PrefixListId = this.lookUpS3PrefixList(props.lookupLogRetention ?? logs.RetentionDays.ONE_MONTH);
    }
    this.addSecurityGroup(props.securityGroup);
  }

  /**
   * Gives another group (created with `allowAllOutbound: false`) the same egress: HTTPS to every
   * interface endpoint and to S3, nothing else. The EC2 container instances get theirs this way
   * (their ECS agent pulls images, ships logs and injects secrets for the tasks).
   */
  public addSecurityGroup(securityGroup: ec2.SecurityGroup): void {
    if (securityGroup.allowAllOutbound) {
      throw new Error(`ServiceEgress ${this.node.path}: securityGroup must be created with allowAllOutbound: false, got true (${securityGroup.node.path})`);
    }
    // Without an inline rule EC2 would add allow-all egress next to the rules below (see NoImplicitEgress).
    new NoImplicitEgress().visit(securityGroup.node.defaultChild as ec2.CfnSecurityGroup);
    for (const [name, endpoint] of this.network.interfaceEndpoints) {
      for (const endpointGroup of endpoint.connections.securityGroups) {
        securityGroup.addEgressRule(endpointGroup, HTTPS, `HTTPS to the ${name} endpoint`);
      }
    }
    if (this.s3PrefixListId) {
      securityGroup.addEgressRule(ec2.Peer.prefixList(this.s3PrefixListId), HTTPS, 'HTTPS to S3 (gateway endpoint)');
    }
  }

  /**
   * Lets the tasks open `port` on `other` (and `other` admit them), for a tier added later:
   * `serviceEgress.allowTo(database, ec2.Port.tcp(5432), 'PostgreSQL')`.
   */
  public allowTo(other: ec2.IConnectable, port: ec2.Port, description: string): void {
    this.securityGroup.connections.allowTo(other, port, description);
  }

  /**
   * `com.amazonaws.<region>.s3`'s id, read by a custom resource whose function may only describe
   * managed prefix lists and write its own log group.
   */
  private lookUpS3PrefixList(retention: logs.RetentionDays): string {
    const region = Stack.of(this).region;
    const logGroup = new logs.LogGroup(this, 'S3PrefixListLookupLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'S3PrefixListLookupRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Looks up the S3 managed prefix list id at deploy time: describe prefix lists, write its own logs',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    const describe: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${region}.s3`] }] },
      physicalResourceId: cr.PhysicalResourceId.of(`s3-prefix-list-${region}`),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    };
    const lookup = new cr.AwsCustomResource(this, 'S3PrefixList', {
      onCreate: describe,
      onUpdate: describe,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] }),
      ]),
      role,
      logGroup,
      // The function has no internet to install an SDK from npm; the runtime's SDK has the call.
      installLatestAwsSdk: false,
      timeout: Duration.minutes(2),
    });
    const policy = lookup.node.tryFindChild('CustomResourcePolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'ec2:DescribeManagedPrefixLists supports no resource-level permissions (it must be granted on *); it is read-only and the only action of this policy.',
      });
    }
    return lookup.getResponseField('PrefixLists.0.PrefixListId');
  }
}
