import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { describe, expect, it } from 'vitest';
import { PRIVATE_LINK_RULES, PrivateLinkChecks } from '../src/index';

const env = { account: '111111111111', region: 'eu-west-1' };

/**
 * Builds the smallest stack for a case and returns the PrivateLink rule ids it violates. With
 * `synth`, the app is synthesized first, so aspects (`requireImdsv2` of `ec2.Instance`) have run
 * as they have when the plugin runs in an app.
 */
function violations(build: (stack: Stack, vpc: ec2.Vpc) => void, { synth = false } = {}): string[] {
  const app = new App();
  const stack = new Stack(app, 'Test', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    restrictDefaultSecurityGroup: false,
  });
  build(stack, vpc);
  if (synth) app.synth();
  return new PrivateLinkChecks().validateScope(stack).violations.map((violation) => violation.ruleName);
}

function endpointService(stack: Stack, props: Partial<ec2.CfnVPCEndpointServiceProps> = {}) {
  return new ec2.CfnVPCEndpointService(stack, 'Service', {
    acceptanceRequired: true,
    networkLoadBalancerArns: ['arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/net/x/1'],
    ...props,
  });
}

function permissions(stack: Stack, service: ec2.CfnVPCEndpointService, allowedPrincipals: string[]) {
  new ec2.CfnVPCEndpointServicePermissions(stack, 'Permissions', { serviceId: service.ref, allowedPrincipals });
}

describe('PrivateLinkChecks', () => {
  it('has one uniquely named rule per check, each with a fix', () => {
    const ids = PRIVATE_LINK_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of PRIVATE_LINK_RULES) expect(rule.explanation).toMatch(/Fix: /);
  });

  describe('PrivateLink-EPS1 endpoint service allowed principals', () => {
    it('fails when there is no permissions resource', () => {
      expect(violations((stack) => endpointService(stack))).toContain('PrivateLink-EPS1');
    });
    it('fails on an empty principal list', () => {
      expect(violations((stack) => permissions(stack, endpointService(stack), []))).toContain('PrivateLink-EPS1');
    });
    it('fails on a * principal', () => {
      expect(violations((stack) => permissions(stack, endpointService(stack), ['*']))).toContain('PrivateLink-EPS1');
    });
    it('fails on a role wildcard or a user', () => {
      expect(
        violations((stack) => permissions(stack, endpointService(stack), ['arn:aws:iam::222222222222:role/*'])),
      ).toContain('PrivateLink-EPS1');
      expect(
        violations((stack) => permissions(stack, endpointService(stack), ['arn:aws:iam::222222222222:user/bob'])),
      ).toContain('PrivateLink-EPS1');
    });
    it('fails on a principal from a parameter it cannot verify', () => {
      expect(
        violations((stack) => {
          const principal = new CfnParameter(stack, 'Principal', { type: 'String' }).valueAsString;
          permissions(stack, endpointService(stack), [principal]);
        }),
      ).toContain('PrivateLink-EPS1');
    });
    it('passes with account roots and roles, literal or built with the partition token (L2)', () => {
      const found = violations((stack, vpc) => {
        const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc, internetFacing: false });
        new ec2.VpcEndpointService(stack, 'L2Service', {
          vpcEndpointServiceLoadBalancers: [nlb],
          allowedPrincipals: [
            new iam.AccountPrincipal('222222222222'),
            new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::333333333333:role/caller`),
            new iam.ArnPrincipal('arn:aws:iam::444444444444:root'),
          ],
        });
      });
      expect(found).not.toContain('PrivateLink-EPS1');
    });
  });

  describe('PrivateLink-EPS2 endpoint service acceptance', () => {
    it('fails when acceptance is off or left unset', () => {
      expect(violations((stack) => endpointService(stack, { acceptanceRequired: false }))).toContain('PrivateLink-EPS2');
      expect(violations((stack) => endpointService(stack, { acceptanceRequired: undefined }))).toContain('PrivateLink-EPS2');
    });
    it('passes when acceptance is required', () => {
      expect(violations((stack) => endpointService(stack))).not.toContain('PrivateLink-EPS2');
    });
  });

  describe('PrivateLink-LB1 internal load balancers', () => {
    it('fails for an internet-facing NLB (L2) and an ALB with no scheme (L1)', () => {
      expect(violations((stack, vpc) => new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc, internetFacing: true, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))).toContain(
        'PrivateLink-LB1',
      );
      expect(
        violations((stack) => new elbv2.CfnLoadBalancer(stack, 'Alb', { type: 'application', subnets: ['subnet-1', 'subnet-2'] })),
      ).toContain('PrivateLink-LB1');
    });
    it('passes for internal load balancers', () => {
      expect(violations((stack, vpc) => new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc }))).not.toContain('PrivateLink-LB1');
    });
  });

  describe('PrivateLink-NLB1 / NLB2 network load balancer', () => {
    it('fails for an NLB with no security group and no cross-zone balancing', () => {
      const found = violations((stack, vpc) => new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc }));
      expect(found).toEqual(expect.arrayContaining(['PrivateLink-NLB1', 'PrivateLink-NLB2']));
    });
    it('passes for an NLB with a security group and cross-zone balancing on', () => {
      const found = violations((stack, vpc) => {
        const securityGroup = new ec2.SecurityGroup(stack, 'Sg', { vpc });
        new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc, securityGroups: [securityGroup], crossZoneEnabled: true });
      });
      expect(found).not.toContain('PrivateLink-NLB1');
      expect(found).not.toContain('PrivateLink-NLB2');
    });
    it('reads attributes given as tokens (L1 with a parameter)', () => {
      const found = violations((stack) => {
        const enabled = new CfnParameter(stack, 'CrossZone', { type: 'String', default: 'true' }).valueAsString;
        new elbv2.CfnLoadBalancer(stack, 'Nlb', {
          type: 'network',
          scheme: 'internal',
          subnets: ['subnet-1'],
          securityGroups: ['sg-123'],
          loadBalancerAttributes: [{ key: 'load_balancing.cross_zone.enabled', value: enabled }],
        });
      });
      // A value only known at deploy time cannot prove compliance.
      expect(found).toContain('PrivateLink-NLB2');
    });
  });

  describe('PrivateLink-ALB1 / ALB2 application load balancer', () => {
    it('fails when invalid headers are forwarded', () => {
      expect(violations((stack, vpc) => new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc }))).toContain('PrivateLink-ALB1');
    });
    it("fails when the ALB's security group admits a CIDR, even the VPC's (L2 listener open)", () => {
      const found = violations((stack, vpc) => {
        const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, dropInvalidHeaderFields: true });
        alb.connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(80));
      });
      expect(found).toContain('PrivateLink-ALB2');
    });
    it('fails when a standalone ingress resource adds a CIDR to the ALB group (L1)', () => {
      const found = violations((stack, vpc) => {
        const securityGroup = new ec2.SecurityGroup(stack, 'AlbSg', { vpc });
        new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, securityGroup, dropInvalidHeaderFields: true });
        new ec2.CfnSecurityGroupIngress(stack, 'Rule', {
          groupId: securityGroup.securityGroupId,
          ipProtocol: 'tcp',
          fromPort: 80,
          toPort: 80,
          cidrIp: '10.0.0.0/8',
        });
      });
      expect(found).toContain('PrivateLink-ALB2');
    });
    it('passes when the ALB admits only a security group and drops invalid headers', () => {
      const found = violations((stack, vpc) => {
        const nlbSg = new ec2.SecurityGroup(stack, 'NlbSg', { vpc });
        const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, dropInvalidHeaderFields: true });
        alb.connections.allowFrom(nlbSg, ec2.Port.tcp(80));
      });
      expect(found).not.toContain('PrivateLink-ALB1');
      expect(found).not.toContain('PrivateLink-ALB2');
    });
  });

  describe('PrivateLink-ECS1 / ECS2 services', () => {
    function service(stack: Stack, vpc: ec2.Vpc, props: Partial<ecs.FargateServiceProps> = {}) {
      const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
      taskDefinition.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1') });
      return new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, ...props });
    }
    it('fails when tasks get a public IP (L1)', () => {
      const found = violations((stack) => {
        new ecs.CfnService(stack, 'Service', {
          taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/x:1',
          networkConfiguration: {
            awsvpcConfiguration: { assignPublicIp: 'ENABLED', subnets: ['subnet-1'], securityGroups: ['sg-123'] },
          },
        });
      });
      expect(found).toContain('PrivateLink-ECS1');
    });
    it("fails when the service's security group admits a CIDR", () => {
      const found = violations((stack, vpc) => {
        service(stack, vpc).connections.allowFrom(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(8080));
      });
      expect(found).toContain('PrivateLink-ECS2');
    });
    it('passes for a private service reachable from a security group only', () => {
      const found = violations((stack, vpc) => {
        const albSg = new ec2.SecurityGroup(stack, 'AlbSg', { vpc });
        service(stack, vpc).connections.allowFrom(albSg, ec2.Port.tcp(8080));
      });
      expect(found).not.toContain('PrivateLink-ECS1');
      expect(found).not.toContain('PrivateLink-ECS2');
    });
  });

  describe('PrivateLink-VPCE1 interface endpoints', () => {
    it('fails without an explicit security group (L1)', () => {
      const found = violations((stack, vpc) => {
        new ec2.CfnVPCEndpoint(stack, 'Endpoint', {
          vpcId: vpc.vpcId,
          serviceName: 'com.amazonaws.eu-west-1.logs',
          vpcEndpointType: 'Interface',
        });
      });
      expect(found).toContain('PrivateLink-VPCE1');
    });
    it('fails when its security group admits ::/0', () => {
      const found = violations((stack, vpc) => {
        const securityGroup = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
        securityGroup.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(443));
        vpc.addInterfaceEndpoint('Logs', {
          service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
          securityGroups: [securityGroup],
          open: false,
        });
      });
      expect(found).toContain('PrivateLink-VPCE1');
    });
    it('passes with its own group admitting a named range', () => {
      const found = violations((stack, vpc) => {
        const securityGroup = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
        securityGroup.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(443));
        vpc.addInterfaceEndpoint('Logs', {
          service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
          securityGroups: [securityGroup],
          open: false,
        });
      });
      expect(found).not.toContain('PrivateLink-VPCE1');
    });
    it('ignores gateway endpoints', () => {
      const found = violations((_stack, vpc) => vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 }));
      expect(found).not.toContain('PrivateLink-VPCE1');
    });
  });

  describe('PrivateLink-SG1 no SSH, no internet', () => {
    it('fails on SSH from a private range', () => {
      const found = violations((stack, vpc) => {
        new ec2.SecurityGroup(stack, 'Sg', { vpc }).addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(22));
      });
      expect(found).toContain('PrivateLink-SG1');
    });
    it('fails on a port range that includes 22, and on all traffic from a group (L1)', () => {
      expect(
        violations((stack, vpc) => {
          new ec2.SecurityGroup(stack, 'Sg', { vpc }).addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcpRange(20, 30));
        }),
      ).toContain('PrivateLink-SG1');
      expect(
        violations((stack, vpc) => {
          new ec2.CfnSecurityGroup(stack, 'Sg', {
            groupDescription: 'all',
            vpcId: vpc.vpcId,
            securityGroupIngress: [{ ipProtocol: '-1', sourceSecurityGroupId: 'sg-123' }],
          });
        }),
      ).toContain('PrivateLink-SG1');
    });
    it('fails on the whole internet on any port', () => {
      const found = violations((stack, vpc) => {
        new ec2.SecurityGroup(stack, 'Sg', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
      });
      expect(found).toContain('PrivateLink-SG1');
    });
    it('passes HTTPS from a private range', () => {
      const found = violations((stack, vpc) => {
        new ec2.SecurityGroup(stack, 'Sg', { vpc }).addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(443));
      });
      expect(found).not.toContain('PrivateLink-SG1');
    });
  });

  describe('PrivateLink-DATA1 data tier admits security groups only', () => {
    const dataSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    function database(stack: Stack, vpc: ec2.Vpc, props: Partial<rds.DatabaseInstanceProps> = {}) {
      return new rds.DatabaseInstance(stack, 'Db', {
        engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
        vpc,
        vpcSubnets: dataSubnets,
        ...props,
      });
    }
    it('fails for an instance and a cluster with no security group of their own (L1: the VPC default group)', () => {
      expect(
        violations((stack) => {
          new rds.CfnDBInstance(stack, 'Db', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20' });
        }),
      ).toContain('PrivateLink-DATA1');
      expect(violations((stack) => new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql' }))).toContain(
        'PrivateLink-DATA1',
      );
    });
    it("fails when the database's security group admits a CIDR, even the VPC's (L2)", () => {
      const found = violations((stack, vpc) => {
        database(stack, vpc).connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(5432));
      });
      expect(found).toContain('PrivateLink-DATA1');
    });
    it("fails when standalone ingress resources add a prefix list or an IPv6 range to a mount target's group (L1)", () => {
      for (const source of [{ sourcePrefixListId: 'pl-12345678' }, { cidrIpv6: 'fd00::/8' }]) {
        const found = violations((stack, vpc) => {
          const securityGroup = new ec2.SecurityGroup(stack, 'FsSg', { vpc, allowAllOutbound: false });
          new efs.FileSystem(stack, 'Fs', { vpc, vpcSubnets: dataSubnets, securityGroup });
          new ec2.CfnSecurityGroupIngress(stack, 'Rule', {
            groupId: securityGroup.securityGroupId,
            ipProtocol: 'tcp',
            fromPort: 2049,
            toPort: 2049,
            ...source,
          });
        });
        expect(found).toContain('PrivateLink-DATA1');
      }
    });
    it('fails when an escape hatch adds a CIDR to the group of a compliant database, or drops its groups', () => {
      expect(
        violations((stack, vpc) => {
          const securityGroup = new ec2.SecurityGroup(stack, 'DbSg', { vpc, allowAllOutbound: false });
          database(stack, vpc, { securityGroups: [securityGroup] });
          (securityGroup.node.defaultChild as ec2.CfnSecurityGroup).addPropertyOverride('SecurityGroupIngress', [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '10.0.0.0/16' }]);
        }),
      ).toContain('PrivateLink-DATA1');
      expect(
        violations((stack, vpc) => {
          const db = database(stack, vpc);
          (db.node.defaultChild as rds.CfnDBInstance).addPropertyDeletionOverride('VPCSecurityGroups');
        }),
      ).toContain('PrivateLink-DATA1');
    });
    it("passes for a database, a cluster and a file system admitting the tasks' security group only", () => {
      const found = violations((stack, vpc) => {
        const tasks = new ec2.SecurityGroup(stack, 'TasksSg', { vpc });
        database(stack, vpc).connections.allowDefaultPortFrom(tasks);
        new rds.DatabaseCluster(stack, 'Cluster', {
          engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
          writer: rds.ClusterInstance.provisioned('Writer'),
          vpc,
          vpcSubnets: dataSubnets,
        }).connections.allowDefaultPortFrom(tasks);
        new efs.FileSystem(stack, 'Fs', { vpc, vpcSubnets: dataSubnets }).connections.allowDefaultPortFrom(tasks);
      });
      // The cluster's writer instance (DBClusterIdentifier) uses the cluster's groups and is not checked itself.
      expect(found).not.toContain('PrivateLink-DATA1');
    });
  });

  describe('PrivateLink-DATA2 databases require TLS', () => {
    const postgres = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 });
    function database(stack: Stack, vpc: ec2.Vpc, props: Partial<rds.DatabaseInstanceProps> = {}, id = 'Db') {
      return new rds.DatabaseInstance(stack, id, {
        engine: postgres,
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        ...props,
      });
    }
    function forcedTls(stack: Stack, engine: rds.IEngine = postgres) {
      return new rds.ParameterGroup(stack, 'Parameters', { engine, parameters: { 'rds.force_ssl': '1' } });
    }
    it('fails for a PostgreSQL instance with no parameter group (the default group)', () => {
      expect(violations((stack, vpc) => database(stack, vpc))).toContain('PrivateLink-DATA2');
    });
    it('fails when the parameter group leaves rds.force_ssl unset or sets it to 0', () => {
      const cases: Record<string, string>[] = [{ 'rds.log_retention_period': '4320' }, { 'rds.force_ssl': '0' }];
      for (const parameters of cases) {
        const found = violations((stack, vpc) => {
          database(stack, vpc, { parameterGroup: new rds.ParameterGroup(stack, 'Parameters', { engine: postgres, parameters }) });
        });
        expect(found).toContain('PrivateLink-DATA2');
      }
    });
    it('fails for a parameter group named literally, which the rule cannot read (L1)', () => {
      const found = violations((stack) => {
        new rds.CfnDBInstance(stack, 'Db', {
          engine: 'postgres',
          dbInstanceClass: 'db.t4g.micro',
          allocatedStorage: '20',
          dbParameterGroupName: 'default.postgres16',
        });
      });
      expect(found).toContain('PrivateLink-DATA2');
    });
    it('fails when an escape hatch points a compliant instance at the default group, or turns the parameter off', () => {
      expect(
        violations((stack, vpc) => {
          const db = database(stack, vpc, { parameterGroup: forcedTls(stack) });
          (db.node.defaultChild as rds.CfnDBInstance).addPropertyOverride('DBParameterGroupName', 'default.postgres16');
        }),
      ).toContain('PrivateLink-DATA2');
      expect(
        violations((stack, vpc) => {
          database(stack, vpc, { parameterGroup: forcedTls(stack) });
          const group = stack.node.findAll().find((child) => child instanceof rds.CfnDBParameterGroup) as rds.CfnDBParameterGroup;
          group.addPropertyOverride('Parameters', { 'rds.force_ssl': '0' });
        }),
      ).toContain('PrivateLink-DATA2');
    });
    it('fails for a MySQL instance without require_secure_transport and an engine it cannot read', () => {
      expect(
        violations((stack, vpc) => {
          database(stack, vpc, { engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }) });
        }),
      ).toContain('PrivateLink-DATA2');
      expect(
        violations((stack) => {
          const engine = new CfnParameter(stack, 'Engine', { type: 'String' }).valueAsString;
          new rds.CfnDBInstance(stack, 'Db', { engine, dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20' });
        }),
      ).toContain('PrivateLink-DATA2');
    });
    it('passes for PostgreSQL with rds.force_ssl = 1, an Aurora PostgreSQL cluster parameter group, and MySQL with require_secure_transport ON', () => {
      const found = violations((stack, vpc) => {
        database(stack, vpc, { parameterGroup: forcedTls(stack) });
        const aurora = rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 });
        new rds.DatabaseCluster(stack, 'Cluster', {
          engine: aurora,
          parameterGroup: new rds.ParameterGroup(stack, 'ClusterParameters', { engine: aurora, parameters: { 'rds.force_ssl': '1' } }),
          writer: rds.ClusterInstance.provisioned('Writer'),
          vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        });
        const mysql = rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 });
        database(stack, vpc, {
          engine: mysql,
          parameterGroup: new rds.ParameterGroup(stack, 'MysqlParameters', { engine: mysql, parameters: { require_secure_transport: 'ON' } }),
        }, 'Mysql');
      });
      expect(found).not.toContain('PrivateLink-DATA2');
    });
    it('does not apply to engines it does not know (SQL Server)', () => {
      const found = violations((stack) => {
        new rds.CfnDBInstance(stack, 'Db', { engine: 'sqlserver-ex', dbInstanceClass: 'db.t3.micro', allocatedStorage: '20' });
      });
      expect(found).not.toContain('PrivateLink-DATA2');
    });
  });

  describe('PrivateLink-EC21 IMDSv2 only', () => {
    const instanceType = new ec2.InstanceType('t3.micro');
    const machineImage = ec2.MachineImage.latestAmazonLinux2023();
    it('fails for a launch template and a launch configuration that allow IMDSv1 (L1)', () => {
      expect(violations((stack) => new ec2.CfnLaunchTemplate(stack, 'Template', { launchTemplateData: { instanceType: 't3.micro' } }))).toContain(
        'PrivateLink-EC21',
      );
      expect(
        violations((stack) => {
          new autoscaling.CfnLaunchConfiguration(stack, 'Config', {
            imageId: 'ami-12345678',
            instanceType: 't3.micro',
            metadataOptions: { httpTokens: 'optional' },
          });
        }),
      ).toContain('PrivateLink-EC21');
    });
    it('fails for ECS capacity added without requireImdsv2 (L2)', () => {
      const found = violations((stack, vpc) => {
        new ecs.Cluster(stack, 'Cluster', { vpc }).addCapacity('Capacity', { instanceType });
      });
      expect(found).toContain('PrivateLink-EC21');
    });
    it('fails for an instance without metadata options or a launch template of its stack, and one whose own options allow IMDSv1', () => {
      expect(violations((stack) => new ec2.CfnInstance(stack, 'Instance', { imageId: 'ami-12345678' }))).toContain('PrivateLink-EC21');
      expect(
        violations((stack) => {
          new ec2.CfnInstance(stack, 'Instance', { launchTemplate: { launchTemplateId: 'lt-0123456789abcdef0', version: '1' } });
        }),
      ).toContain('PrivateLink-EC21');
      expect(
        violations((stack) => {
          const template = new ec2.LaunchTemplate(stack, 'Template', { requireImdsv2: true });
          new ec2.CfnInstance(stack, 'Instance', {
            launchTemplate: { launchTemplateId: template.launchTemplateId, version: template.latestVersionNumber },
            metadataOptions: { httpTokens: 'optional' },
          });
        }),
      ).toContain('PrivateLink-EC21');
    });
    it('fails when an escape hatch sets HttpTokens optional on a compliant launch template', () => {
      const found = violations((stack) => {
        const template = new ec2.LaunchTemplate(stack, 'Template', { requireImdsv2: true });
        (template.node.defaultChild as ec2.CfnLaunchTemplate).addPropertyOverride('LaunchTemplateData.MetadataOptions.HttpTokens', 'optional');
      });
      expect(found).toContain('PrivateLink-EC21');
    });
    it('passes for requireImdsv2 on a launch template, an instance (through its generated template), and an auto scaling group of container instances', () => {
      const found = violations(
        (stack, vpc) => {
          new ec2.LaunchTemplate(stack, 'Template', { requireImdsv2: true });
          new ec2.Instance(stack, 'Instance', { vpc, instanceType, machineImage, requireImdsv2: true });
          new autoscaling.AutoScalingGroup(stack, 'Capacity', { vpc, instanceType, machineImage: ecs.EcsOptimizedImage.amazonLinux2023(), requireImdsv2: true });
        },
        { synth: true },
      );
      expect(found).not.toContain('PrivateLink-EC21');
    });
    it('passes for an instance with its own required tokens and a launch configuration with the endpoint off (L1)', () => {
      const found = violations((stack) => {
        new ec2.CfnInstance(stack, 'Instance', { imageId: 'ami-12345678', metadataOptions: { httpTokens: 'required' } });
        new autoscaling.CfnLaunchConfiguration(stack, 'Config', {
          imageId: 'ami-12345678',
          instanceType: 't3.micro',
          metadataOptions: { httpEndpoint: 'disabled' },
        });
      });
      expect(found).not.toContain('PrivateLink-EC21');
    });
  });

  describe('PrivateLink-EC22 no SSH key, no public IP', () => {
    const instanceType = new ec2.InstanceType('t3.micro');
    const machineImage = ec2.MachineImage.latestAmazonLinux2023();
    it('fails for a launch template with a key pair or a public IP (L2)', () => {
      expect(
        violations((stack) => {
          new ec2.LaunchTemplate(stack, 'Template', { requireImdsv2: true, keyPair: ec2.KeyPair.fromKeyPairName(stack, 'Key', 'ops') });
        }),
      ).toContain('PrivateLink-EC22');
      expect(
        violations((stack) => new ec2.LaunchTemplate(stack, 'Template', { requireImdsv2: true, associatePublicIpAddress: true })),
      ).toContain('PrivateLink-EC22');
    });
    it('fails for an instance with a key pair (L2) and an instance and a launch configuration with a public IP (L1)', () => {
      expect(
        violations((stack, vpc) => {
          new ec2.Instance(stack, 'Instance', {
            vpc,
            instanceType,
            machineImage,
            requireImdsv2: true,
            keyPair: ec2.KeyPair.fromKeyPairName(stack, 'Key', 'ops'),
          });
        }),
      ).toContain('PrivateLink-EC22');
      expect(
        violations((stack) => {
          new ec2.CfnInstance(stack, 'Instance', {
            imageId: 'ami-12345678',
            networkInterfaces: [{ deviceIndex: '0', subnetId: 'subnet-1', associatePublicIpAddress: true }],
          });
        }),
      ).toContain('PrivateLink-EC22');
      expect(
        violations((stack) => {
          new autoscaling.CfnLaunchConfiguration(stack, 'Config', { imageId: 'ami-12345678', instanceType: 't3.micro', associatePublicIpAddress: true });
        }),
      ).toContain('PrivateLink-EC22');
    });
    it('fails when an escape hatch adds a key name to a compliant launch template', () => {
      const found = violations((stack) => {
        const template = new ec2.LaunchTemplate(stack, 'Template', { requireImdsv2: true, associatePublicIpAddress: false });
        (template.node.defaultChild as ec2.CfnLaunchTemplate).addPropertyOverride('LaunchTemplateData.KeyName', 'ops');
      });
      expect(found).toContain('PrivateLink-EC22');
    });
    it('passes without a key pair and with public IPs off (launch template, instance, auto scaling group of container instances)', () => {
      const found = violations(
        (stack, vpc) => {
          new ec2.LaunchTemplate(stack, 'Template', { requireImdsv2: true, associatePublicIpAddress: false });
          new ec2.Instance(stack, 'Instance', { vpc, instanceType, machineImage, requireImdsv2: true, associatePublicIpAddress: false });
          new autoscaling.AutoScalingGroup(stack, 'Capacity', {
            vpc,
            instanceType,
            machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
            requireImdsv2: true,
            associatePublicIpAddress: false,
          });
        },
        { synth: true },
      );
      expect(found).not.toContain('PrivateLink-EC22');
      expect(found).not.toContain('PrivateLink-EC21');
    });
  });
});
