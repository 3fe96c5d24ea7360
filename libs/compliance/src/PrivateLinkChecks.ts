import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import * as rules from './rules';

/** One rule of the pack: its id suffix, what triggered it, why it exists and how to fix it. */
export interface PrivateLinkRule {
  readonly id: string;
  readonly rule: (node: CfnResource) => ReturnType<typeof rules.LoadBalancerInternal>;
  readonly info: string;
  readonly explanation: string;
}

/**
 * Our rules for a private cross-account API, applied with
 * `Validations.of(app).addPlugins(new PrivateLinkChecks(app))`. Rule ids are
 * `PrivateLink-<id>`; acknowledge one with
 * `Validations.of(resource).acknowledge({ id: 'PrivateLink::PrivateLink-EPS2', reason })`.
 */
export const PRIVATE_LINK_RULES: readonly PrivateLinkRule[] = [
  {
    id: 'EPS1',
    rule: rules.EndpointServiceAllowedPrincipals,
    info: 'The VPC endpoint service has no allowed principals, an empty list, a wildcard or a principal that is not an account root or role ARN.',
    explanation:
      'Allowed principals are who may connect to the API from another account: without them nobody can, with * anybody can. Fix: derive them from the consumer list (one account root or role ARN per consumer).',
  },
  {
    id: 'EPS2',
    rule: rules.EndpointServiceAcceptanceRequired,
    info: 'The VPC endpoint service does not require acceptance of endpoint connections.',
    explanation:
      'Acceptance makes the provider approve each new consumer endpoint, so an allowed principal cannot connect unnoticed. Fix: acceptanceRequired: true, or acknowledge with the reason the connections are trusted.',
  },
  {
    id: 'LB1',
    rule: rules.LoadBalancerInternal,
    info: 'The load balancer is internet-facing.',
    explanation:
      'A private API is reached only through PrivateLink: both the NLB and the ALB must be internal. Fix: internetFacing: false.',
  },
  {
    id: 'NLB1',
    rule: rules.NetworkLoadBalancerSecurityGroup,
    info: 'The network load balancer has no security group.',
    explanation:
      'Without a security group the NLB accepts any traffic, and the ALB behind it cannot admit it by security group. A group can only be attached when the NLB is created. Fix: pass securityGroups when creating the NLB.',
  },
  {
    id: 'NLB2',
    rule: rules.NetworkLoadBalancerCrossZone,
    info: 'The network load balancer does not balance across availability zones.',
    explanation:
      'Consumers connect through endpoint interfaces in any zone; without cross-zone load balancing a zone whose ALB nodes are unhealthy drops its share of requests. Fix: crossZoneEnabled: true.',
  },
  {
    id: 'ALB1',
    rule: rules.ApplicationLoadBalancerDropsInvalidHeaders,
    info: 'The application load balancer forwards HTTP headers with invalid fields.',
    explanation:
      'Invalid header fields are a request smuggling vector between the load balancer and the service. Fix: dropInvalidHeaderFields: true.',
  },
  {
    id: 'ALB2',
    rule: rules.ApplicationLoadBalancerIngressFromSecurityGroups,
    info: 'A security group of the application load balancer admits an address range (CIDR or prefix list).',
    explanation:
      'The ALB must only be reachable from the NLB: admit the NLB security group, not an address range (even the VPC CIDR lets every host of the VPC bypass PrivateLink). Fix: open: false on the listener and alb.connections.allowFrom(nlb, port).',
  },
  {
    id: 'ECS1',
    rule: rules.EcsServiceNoPublicIp,
    info: 'The ECS service assigns public IP addresses to its tasks.',
    explanation: 'Tasks of a private API need no public address. Fix: assignPublicIp: false and private subnets.',
  },
  {
    id: 'ECS2',
    rule: rules.EcsServiceIngressFromSecurityGroups,
    info: 'A security group of the ECS service admits an address range (CIDR or prefix list), or the service has none.',
    explanation:
      'Tasks must only be reachable from the ALB, so that every request passes the load balancer. Fix: give the service its own security group and register it as a target of the ALB (which admits the ALB security group).',
  },
  {
    id: 'VPCE1',
    rule: rules.InterfaceEndpointSecurityGroup,
    info: 'The interface VPC endpoint has no explicit security group, or one of its groups admits 0.0.0.0/0 or ::/0.',
    explanation:
      'Without an explicit group the endpoint gets the VPC default group, whose rules nobody reviews. Fix: a dedicated security group admitting the service port from named CIDRs or security groups.',
  },
  {
    id: 'SG1',
    rule: rules.SecurityGroupNoSshOrInternetIngress,
    info: 'The security group admits SSH (port 22) or the whole internet (0.0.0.0/0 or ::/0).',
    explanation:
      'Nothing in a private API is administered over SSH or reachable from the internet. Fix: remove the rule; use ECS Exec or SSM Session Manager for access.',
  },
  {
    id: 'SG2',
    rule: rules.SecurityGroupExplicitEgress,
    info: 'The security group has no inline egress rule, so EC2 gives it an allow-all egress rule the template does not show.',
    explanation:
      'CDK writes egress towards other security groups and prefix lists as standalone resources; a group with allowAllOutbound: false and only such rules still reaches 0.0.0.0/0. Fix: apply the NoImplicitEgress aspect (or give the group an inline rule).',
  },
  {
    id: 'DATA1',
    rule: rules.DataTierIngressFromSecurityGroups,
    info: 'The RDS instance or cluster, or the EFS mount target, has no security group of its own, or one of its groups admits an address range (CIDR, IPv6 CIDR or prefix list).',
    explanation:
      "The database and the file system must be reachable only from the service's tasks: an address range (even the VPC's or a data subnet's) admits every host in it, and without an explicit group the resource gets the VPC default group, whose rules nobody reviews. Fix: give the resource its own security group and admit the tasks' security group on the port only (PrivateDatabase.allowFrom / SharedFileSystem.allowFrom, or db.connections.allowDefaultPortFrom(service)); no addIngressRule with a Peer.ipv4/ipv6/prefixList.",
  },
  {
    id: 'DATA2',
    rule: rules.DatabaseRequiresTls,
    info: 'The RDS PostgreSQL or MySQL-family instance or cluster does not require TLS: no parameter group of its stack (a default or unreadable one), or one that does not set rds.force_ssl (PostgreSQL) or require_secure_transport (MySQL, MariaDB) to 1.',
    explanation:
      'Without the parameter the database accepts unencrypted connections, so credentials and data can cross the network in clear text whenever a client does not ask for TLS; default parameter groups do not force TLS on every engine version, so the setting must be explicit. Fix: a parameter group of the stack with rds.force_ssl: \'1\' (postgres, aurora-postgresql; a cluster parameter group for a cluster) or require_secure_transport: \'1\' (mysql, mariadb, aurora-mysql), e.g. new rds.ParameterGroup(this, \'Parameters\', { engine, parameters: { \'rds.force_ssl\': \'1\' } }) passed as parameterGroup.',
  },
  {
    id: 'EC21',
    rule: rules.Ec2InstanceRequiresImdsv2,
    info: 'The EC2 launch template, launch configuration or instance allows IMDSv1 (MetadataOptions.HttpTokens is not required, or an instance has neither such options nor a launch template of its stack that sets them).',
    explanation:
      'With IMDSv1 a single unauthenticated GET reaches the instance metadata service, so a server-side request forgery in any container on the host hands out the credentials of the instance role (the ECS agent\'s). IMDSv2 requires a session token obtained with a PUT, which SSRF cannot send. Fix: requireImdsv2: true on ec2.LaunchTemplate, ec2.Instance or autoscaling.AutoScalingGroup (ECS capacity included), or httpTokens: LaunchTemplateHttpTokens.REQUIRED.',
  },
  {
    id: 'EC22',
    rule: rules.Ec2InstanceNoSshKeyOrPublicIp,
    info: 'The EC2 launch template, launch configuration or instance has an SSH key pair (KeyName) or assigns a public IP address.',
    explanation:
      'Container instances of a private API are administered through SSM Session Manager only: an SSH key is a shared secret that bypasses IAM and the session audit trail, and a public address exposes the host outside PrivateLink. Fix: no keyPair (or keyName) on ec2.LaunchTemplate, ec2.Instance or the AutoScalingGroup, associatePublicIpAddress: false and private subnets; connect with Session Manager or ECS Exec instead.',
  },
];

/**
 * Rules about what the deploy path may create (bounded roles, endpoint policies, confused-deputy
 * conditions). Always part of the pack.
 */
export const DEPLOY_PATH_RULES: readonly PrivateLinkRule[] = [
  {
    id: 'IAM1',
    rule: rules.RolePermissionsBoundary,
    info: 'The IAM role has no permissions boundary (or a literal one that is not a managed policy ARN).',
    explanation:
      "The CloudFormation execution policy lets the deploy create roles only with the permissions boundary, so a role without it fails the deploy, and a role that escaped it could grant more than the boundary allows. Fix: apply BoundedRoles to the app or stage (BoundedRoles.applyTo(scope, { boundaryName: permissionsBoundaryName(config), namePrefix: deploymentRoleNamePrefix(config) })), including roles CDK's custom-resource providers add.",
  },
  {
    id: 'VPCE2',
    rule: rules.VpcEndpointPolicy,
    info: 'The VPC endpoint to an AWS service has no endpoint policy, or one that allows any principal any action without a condition.',
    explanation:
      "Without a policy (or with the default full-access one) the endpoint lets anybody in the VPC use any resource of the service in any account, an exfiltration path. Interface endpoints to a PrivateLink endpoint service (com.amazonaws.vpce.<region>.vpce-svc-…) are exempt: AWS allows full access through them and they take no policy. Fix: policyDocument with statements limited to the actions and resources the workload needs (or conditioned on aws:PrincipalAccount / aws:ResourceAccount); for an endpoint service whose name the rule cannot read (a parameter), acknowledge on the endpoint with that reason.",
  },
  {
    id: 'IAM2',
    rule: rules.ServicePrincipalSourceConditions,
    info: 'A role trust policy or KMS key policy lets an AWS service principal in without an aws:SourceAccount or aws:SourceArn condition.',
    explanation:
      'A service principal acts for every AWS customer: without a source condition, the service can be made to use this role or key on behalf of another account (the confused deputy). Which principals support which keys comes from SOURCE_CONDITION_SERVICES (ConfusedDeputyProtection.ts). Fix: apply the ConfusedDeputyProtection aspect to the stage, or add a condition on aws:SourceAccount (the account) or aws:SourceArn (the resource the service acts for) to the statement.',
  },
];

export class PrivateLinkChecks extends NagPack {
  public readonly name = 'PrivateLink';
  /** The rules this pack applies, in order. */
  public readonly rules: readonly PrivateLinkRule[];

  public constructor(scope?: IConstruct, props: NagPackProps = {}) {
    super(scope, { verbose: true, ...props });
    this.packName = 'PrivateLink';
    // Always both tables: a switch to turn the deploy-path rules off would be a switch to
    // deploy unbounded roles.
    this.rules = [...PRIVATE_LINK_RULES, ...DEPLOY_PATH_RULES];
  }

  protected checkResource(node: CfnResource): void {
    for (const { id, rule, info, explanation } of this.rules) {
      this.applyRule({ ruleSuffixOverride: id, info, explanation, level: NagMessageLevel.ERROR, rule, node });
    }
  }
}
