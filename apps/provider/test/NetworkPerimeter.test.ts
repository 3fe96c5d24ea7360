import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { parseDeploymentConfig, selectEnvironment, type EnvironmentConfig } from '@private-api/config';
import { PrivateApiApp } from '@private-api/compliance';
import { PrivateVpc } from '@private-api/network';
import { SECOND_SERVICE, fixtureEnvironment, fixtureInput } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProviderStage, ServiceEgress, endpointResourceAccounts } from '../src/index';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Rule = { IpProtocol: string; FromPort: number; ToPort: number; [key: string]: unknown };

/** The one resource of a type whose logical id starts with `prefix`. */
function only(template: Template, type: string, prefix: string): [string, Resource] {
  const matches = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one ${type} ${prefix}*, got ${matches.map(([id]) => id).join(', ')}`);
  return matches[0] as [string, Resource];
}

function trustStatements(template: Template, prefix: string): Record<string, unknown>[] {
  const [, role] = only(template, 'AWS::IAM::Role', prefix);
  return (role.Properties.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
}

describe('the provider network perimeter (fixture environment qa)', () => {
  let config: EnvironmentConfig;
  let stage: ProviderStage;
  let network: Template;
  let service: Template;
  let taskGroupId: string;

  beforeAll(() => {
    // GIVEN the qa fixture environment
    config = fixtureEnvironment('qa');
    // WHEN its provider stage is synthesized, with a database tier opened through the extension point
    stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
    const database = new ec2.SecurityGroup(stage.serviceStack, 'DatabaseSecurityGroup', {
      vpc: stage.networkStack.network.vpc,
      allowAllOutbound: false,
    });
    stage.serviceStack.serviceEgress.allowTo(database, ec2.Port.tcp(5432), 'PostgreSQL');
    network = Template.fromStack(stage.networkStack);
    service = Template.fromStack(stage.serviceStack);
    [taskGroupId] = only(service, 'AWS::EC2::SecurityGroup', 'ServiceSecurityGroup');
  });

  it('gives every VPC endpoint of the provider a policy', () => {
    const endpoints = Object.values(network.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoints).toHaveLength(4);
    for (const endpoint of endpoints) {
      const document = endpoint.Properties.PolicyDocument as { Statement: { Condition?: unknown; Resource: unknown }[] };
      expect(document.Statement.length).toBeGreaterThan(0);
      // Every statement but ECR's layer bucket is tied to the provider account
      for (const statement of document.Statement) {
        if (JSON.stringify(statement.Resource).includes('starport-layer-bucket')) continue;
        expect(JSON.stringify(statement.Condition)).toContain(`"aws:PrincipalAccount":"${config.provider.account}"`);
      }
    }
  });

  it('lets the tasks open HTTPS to each interface endpoint and to S3, the database port added later, and nothing else', () => {
    // Inline rules and standalone AWS::EC2::SecurityGroupEgress resources of the task group alike
    const [, group] = only(service, 'AWS::EC2::SecurityGroup', 'ServiceSecurityGroup');
    const taskGroup = { 'Fn::GetAtt': [taskGroupId, 'GroupId'] };
    const standalone = Object.values(service.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((rule) => rule.Properties as Rule)
      .filter((rule) => JSON.stringify(rule.GroupId) === JSON.stringify(taskGroup));
    const egress = [...((group.Properties.SecurityGroupEgress as Rule[] | undefined) ?? []), ...standalone];
    // One inline rule that matches no traffic (without any inline rule CloudFormation would add
    // 0.0.0.0/0), and no other address range
    const ranges = egress.filter((rule) => rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined);
    expect(group.Properties.SecurityGroupEgress).toEqual(ranges);
    expect(ranges).toEqual([
      {
        CidrIp: '255.255.255.255/32',
        IpProtocol: 'icmp',
        FromPort: 252,
        ToPort: 86,
        Description: 'Matches no traffic: keeps the default allow-all egress rule out',
      },
    ]);
    const endpointGroups = Object.keys(network.findResources('AWS::EC2::SecurityGroup')).filter((id) => /EndpointSecurityGroup/.test(id));
    expect(endpointGroups).toHaveLength(3);
    const toEndpoints = egress.filter((rule) => /EndpointSecurityGroup/.test(JSON.stringify(rule.DestinationSecurityGroupId)));
    expect(toEndpoints).toHaveLength(3);
    for (const groupId of endpointGroups) {
      const rules = toEndpoints.filter((rule) => JSON.stringify(rule.DestinationSecurityGroupId).includes(groupId));
      expect(rules).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
    }
    const toS3 = egress.filter((rule) => rule.DestinationPrefixListId !== undefined);
    expect(toS3).toEqual([
      {
        GroupId: taskGroup,
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        Description: 'HTTPS to S3 (gateway endpoint)',
        DestinationPrefixListId: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceEgressS3PrefixList/), 'PrefixLists.0.PrefixListId'] },
      },
    ]);
    // The only other egress: the database tier, through the extension point
    const others = egress.filter((rule) => !ranges.includes(rule) && !toEndpoints.includes(rule) && !toS3.includes(rule));
    const [databaseId] = only(service, 'AWS::EC2::SecurityGroup', 'DatabaseSecurityGroup');
    expect(others).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: { 'Fn::GetAtt': [databaseId, 'GroupId'] } }),
    ]);
    service.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [databaseId, 'GroupId'] },
      SourceSecurityGroupId: taskGroup,
      FromPort: 5432,
    });
  });

  it('states every security group’s egress inline, so EC2 adds no allow-all rule: the ALB and NLB groups reach only what their standalone rules name', () => {
    for (const template of [network, service]) {
      for (const [id, group] of Object.entries(template.findResources('AWS::EC2::SecurityGroup')) as [string, Resource][]) {
        const egress = group.Properties.SecurityGroupEgress as Rule[] | undefined;
        expect(egress?.length ?? 0, `${id} has no inline egress`).toBeGreaterThan(0);
        expect(egress?.some((rule) => rule.CidrIp === '0.0.0.0/0'), `${id} allows all egress`).toBe(false);
      }
    }
    for (const prefix of ['PrivateLinkAlbSecurityGroup', 'PrivateLinkNlbSecurityGroup']) {
      const [, group] = only(service, 'AWS::EC2::SecurityGroup', prefix);
      expect(group.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 })]);
    }
  });

  it('still lets the ALB reach the tasks on the container port (traffic and health checks)', () => {
    const [albGroupId] = only(service, 'AWS::EC2::SecurityGroup', 'PrivateLinkAlbSecurityGroup');
    const port = config.service.containerPort;
    service.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [taskGroupId, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [albGroupId, 'GroupId'] },
      FromPort: port,
      ToPort: port,
    });
    service.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [albGroupId, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [taskGroupId, 'GroupId'] },
      FromPort: port,
      ToPort: port,
    });
  });

  it("looks the region's S3 prefix list up at deploy time, with a function that may only describe prefix lists", () => {
    const [, lookup] = only(service, 'Custom::AWS', 'ServiceEgressS3PrefixList');
    const create = JSON.stringify(lookup.Properties.Create);
    expect(create).toContain('describeManagedPrefixLists');
    expect(create).toContain(`com.amazonaws.${config.provider.region}.s3`);
    const [, policy] = only(service, 'AWS::IAM::Policy', 'ServiceEgressS3PrefixListCustomResourcePolicy');
    expect(policy.Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeManagedPrefixLists', Resource: '*' }],
    });
    const [roleId, role] = only(service, 'AWS::IAM::Role', 'ServiceEgressS3PrefixListLookupRole');
    expect(policy.Properties.Roles).toEqual([{ Ref: roleId }]);
    expect(role.Properties.PermissionsBoundary).toBeDefined();
    const [logsId] = only(service, 'AWS::Logs::LogGroup', 'ServiceEgressS3PrefixListLookupLogs');
    const [, logPolicy] = only(service, 'AWS::IAM::Policy', 'ServiceEgressS3PrefixListLookupRoleDefaultPolicy');
    expect(logPolicy.Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logsId, 'Arn'] } },
      ],
    });
  });

  it('trusts ECS tasks and flow logs only for the provider account, and leaves Lambda and the vpce key grant alone', () => {
    const account = config.provider.account;
    for (const prefix of ['TaskDefinitionTaskRole', 'TaskDefinitionExecutionRole']) {
      expect(trustStatements(service, prefix)).toEqual([
        expect.objectContaining({
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecs:${config.provider.region}:${account}:*`]] } },
          },
        }),
      ]);
    }
    expect(trustStatements(network, 'NetworkVpcFlowLogIAMRole')[0]?.Condition).toMatchObject({
      StringEquals: { 'aws:SourceAccount': account },
    });
    expect(trustStatements(service, 'ServiceEgressS3PrefixListLookupRole')[0]?.Condition).toBeUndefined();
    const [, key] = only(service, 'AWS::KMS::Key', 'EndpointNotificationKey');
    const vpce = (key.Properties.KeyPolicy as { Statement: { Principal: { Service?: string }; Condition?: unknown }[] }).Statement.find(
      (statement) => statement.Principal.Service === 'vpce.amazonaws.com',
    );
    expect(vpce).toBeDefined();
    expect(vpce?.Condition).toBeUndefined();
  });
});

describe('the provider endpoints with an ECR image and secrets of other accounts', () => {
  it("admits the image account's repositories and the secrets' accounts, still only for the provider's principals", () => {
    // GIVEN the qa environment running SECOND_SERVICE, its image in another account than the provider's
    const config = selectEnvironment(parseDeploymentConfig({ ...fixtureInput(), service: SECOND_SERVICE }, 'fixture'), 'qa');
    expect(endpointResourceAccounts(config.service)).toEqual(['210000000001', '210000000007']);
    // WHEN its stage is synthesized
    const stage = new ProviderStage(new PrivateApiApp(), 'Provider', { config });
    const network = Template.fromStack(stage.networkStack);
    // THEN ECR pulls reach both accounts' repositories, secrets and parameters both accounts' resources
    const endpoints = Object.values(network.findResources('AWS::EC2::VPCEndpoint')).map((endpoint) => JSON.stringify(endpoint.Properties));
    expect(endpoints).toHaveLength(6);
    const policyOf = (service: string): string => endpoints.find((endpoint) => endpoint.includes(`.${service}"`)) ?? '';
    for (const account of ['210000000001', '210000000007']) {
      expect(policyOf('ecr.dkr')).toContain(`:ecr:us-east-2:${account}:repository/*`);
    }
    for (const service of ['secretsmanager', 'ssm']) {
      expect(policyOf(service)).toContain('"aws:ResourceAccount":["210000000001","210000000007"]');
      expect(policyOf(service)).toContain('"aws:PrincipalAccount":"210000000001"');
    }
  });
});

describe('ServiceEgress', () => {
  it('fails when the security group still allows all outbound traffic', () => {
    const stack = new Stack(new App(), 'Egress', { env: { account: '210000000001', region: 'us-east-2' } });
    const network = new PrivateVpc(stack, 'Network', { cidr: '10.70.0.0/16', availabilityZones: ['us-east-2a', 'us-east-2b'] });
    const securityGroup = new ec2.SecurityGroup(stack, 'Open', { vpc: network.vpc, allowAllOutbound: true });
    expect(() => new ServiceEgress(stack, 'Egress', { securityGroup, network })).toThrow(
      /securityGroup must be created with allowAllOutbound: false, got true/,
    );
  });
});
