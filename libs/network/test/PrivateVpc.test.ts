import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { PrivateVpc } from '../src/index';

const env = { account: '111111111111', region: 'eu-west-1' };

function stackWith(props: Partial<ConstructorParameters<typeof PrivateVpc>[2]> = {}): {
  stack: Stack;
  network: PrivateVpc;
} {
  const stack = new Stack(new App(), 'Network', { env });
  const network = new PrivateVpc(stack, 'Network', {
    cidr: '10.10.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    ...props,
  });
  return { stack, network };
}

describe('PrivateVpc', () => {
  let template: Template;
  let network: PrivateVpc;

  beforeAll(() => {
    const built = stackWith();
    network = built.network;
    template = Template.fromStack(built.stack);
  });

  it('creates the VPC with the configured CIDR', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.10.0.0/16' });
  });

  it('has one private subnet per availability zone and no public subnet', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(2);
    expect(subnets.map((subnet) => subnet.Properties.AvailabilityZone).sort()).toEqual(['eu-west-1a', 'eu-west-1b']);
    for (const subnet of subnets) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      expect(subnet.Properties.CidrBlock).toMatch(/^10\.10\.\d+\.0\/24$/);
    }
  });

  it('has no NAT gateway, no internet gateway and no route to the internet', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    const routes = Object.values(template.findResources('AWS::EC2::Route'));
    expect(routes.filter((route) => route.Properties.DestinationCidrBlock === '0.0.0.0/0')).toEqual([]);
  });

  it('adds an S3 gateway endpoint on the private route tables', () => {
    const gateways = Object.values(template.findResources('AWS::EC2::VPCEndpoint', {
      Properties: { VpcEndpointType: 'Gateway' },
    }));
    expect(gateways).toHaveLength(1);
    expect(JSON.stringify(gateways[0]?.Properties.ServiceName)).toMatch(/\.s3"/);
    expect(gateways[0]?.Properties.RouteTableIds).toHaveLength(2);
  });

  it('adds ECR API, ECR Docker and CloudWatch Logs interface endpoints with private DNS', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', {
      Properties: { VpcEndpointType: 'Interface' },
    }));
    expect(endpoints).toHaveLength(3);
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      expect(endpoint.Properties.SubnetIds).toHaveLength(2);
    }
    expect([...network.interfaceEndpoints.keys()].sort()).toEqual(['ecr.api', 'ecr.dkr', 'logs']);
    const serviceNames = JSON.stringify(endpoints.map((endpoint) => endpoint.Properties.ServiceName));
    for (const suffix of ['ecr.api', 'ecr.dkr', 'logs']) expect(serviceNames).toContain(`.${suffix}`);
  });

  it("admits only HTTPS from the VPC's CIDR on each endpoint's own security group", () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('interface endpoint') },
    });
    expect(Object.keys(groups)).toHaveLength(3);
    for (const group of Object.values(groups)) {
      expect(group.Properties.SecurityGroupIngress).toEqual([
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          CidrIp: '10.10.0.0/16',
        }),
      ]);
      // allowAllOutbound: false leaves only CDK's placeholder "disallow all" egress rule
      expect(group.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    }
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', {
      Properties: { VpcEndpointType: 'Interface' },
    }));
    const groupIds = new Set(Object.keys(groups));
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.SecurityGroupIds).toHaveLength(1);
      expect(groupIds.has(endpoint.Properties.SecurityGroupIds[0]['Fn::GetAtt'][0])).toBe(true);
    }
  });

  it('gives every endpoint a policy: ECR, Logs and S3 each their own statements for this account', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoints).toHaveLength(4);
    const policiesByService = new Map<string, unknown>();
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PolicyDocument).toBeDefined();
      const serviceName = JSON.stringify(endpoint.Properties.ServiceName);
      const service = /\.(ecr\.api|ecr\.dkr|logs|s3)"/.exec(serviceName)?.[1] ?? serviceName;
      policiesByService.set(service, endpoint.Properties.PolicyDocument);
    }
    const sids = (service: string): unknown =>
      (policiesByService.get(service) as { Statement: { Sid: string }[] }).Statement.map((statement) => statement.Sid);
    expect(sids('s3')).toEqual(['EcrImageLayers', 'OwnAccountBuckets']);
    expect(sids('ecr.api')).toEqual(['AuthorizationToken', 'PullImages']);
    expect(policiesByService.get('ecr.dkr')).toEqual(policiesByService.get('ecr.api'));
    expect(sids('logs')).toEqual(['WriteOwnLogGroups']);
    const logs = JSON.stringify(policiesByService.get('logs'));
    expect(logs).toContain('"aws:PrincipalAccount":"111111111111"');
    expect(logs).toContain(':logs:eu-west-1:111111111111:log-group:*');
  });

  it('reaches the resources of the given resource accounts and adds the given statements', () => {
    const { stack } = stackWith({
      interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, ec2.InterfaceVpcEndpointAwsService.SQS],
      s3GatewayEndpoint: false,
      endpointResourceAccounts: ['222222222222'],
      endpointPolicyStatements: {
        sqs: [
          new iam.PolicyStatement({
            principals: [new iam.AnyPrincipal()],
            actions: ['sqs:SendMessage'],
            resources: ['arn:aws:sqs:eu-west-1:111111111111:jobs'],
          }),
        ],
      },
    });
    const endpoints = Template.fromStack(stack);
    endpoints.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.eu-west-1.secretsmanager',
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Sid: 'ReadSecrets',
            Condition: {
              StringEquals: { 'aws:PrincipalAccount': '111111111111', 'aws:ResourceAccount': ['111111111111', '222222222222'] },
            },
          }),
        ],
      },
    });
    endpoints.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.eu-west-1.sqs',
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sqs:SendMessage' })] },
    });
  });

  it('fails when an interface endpoint has no known policy and no statements of the caller', () => {
    expect(() => stackWith({ interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SQS] })).toThrow(
      /interfaceEndpoints \["sqs"\] have no endpoint policy; give their statements in endpointPolicyStatements/,
    );
  });

  it('fails when a resource account is not an account id', () => {
    expect(() => stackWith({ endpointResourceAccounts: ['*'] })).toThrow(
      /endpointResourceAccounts must be 12-digit account ids, got \["\*"\]/,
    );
  });

  it('logs all traffic to a CloudWatch log group with a retention period', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('strips the rules of the default security group', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  it('creates only the endpoints asked for', () => {
    const { stack } = stackWith({ interfaceEndpoints: [], s3GatewayEndpoint: false });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  it('uses the given subnet size and zones', () => {
    const { stack } = stackWith({
      subnetCidrMask: 20,
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SSM],
    });
    const subnets = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet'));
    expect(subnets.map((subnet) => subnet.Properties.CidrBlock)).toEqual(['10.10.0.0/20', '10.10.16.0/20', '10.10.32.0/20']);
  });

  it('fails when fewer than two availability zones are given', () => {
    expect(() => stackWith({ availabilityZones: ['eu-west-1a'] })).toThrow(
      /availabilityZones must name at least 2 zones, got \["eu-west-1a"\]/,
    );
  });

  it('places each subnet by zone ID (AvailabilityZoneId, no zone name) when given zone IDs', () => {
    // GIVEN a stack whose availability-zone context lists zone IDs, as the stages set it
    const app = new App({ context: { 'availability-zones:account=111111111111:region=eu-west-1': ['euw1-az3', 'euw1-az1'] } });
    const stack = new Stack(app, 'ById', { env });
    // WHEN the VPC is placed by zone ID
    new PrivateVpc(stack, 'Network', { cidr: '10.10.0.0/16', availabilityZoneIds: ['euw1-az3', 'euw1-az1'] });
    // THEN every subnet names its zone ID, in order, and no zone name
    const subnets = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet'));
    expect(subnets.map((subnet) => [subnet.Properties.AvailabilityZoneId, subnet.Properties.AvailabilityZone])).toEqual([
      ['euw1-az3', undefined],
      ['euw1-az1', undefined],
    ]);
  });

  it('adds isolated data subnets per AZ when asked, leaving the workload subnets, endpoints and routes as they were', () => {
    const without = Template.fromStack(stackWith().stack);
    const { stack, network: withData } = stackWith({ dataSubnets: true });
    const withDataTemplate = Template.fromStack(stack);
    const subnetsOf = (t: Template) =>
      Object.entries(t.findResources('AWS::EC2::Subnet')).map(([id, subnet]) => [id, subnet.Properties.CidrBlock, subnet.Properties.AvailabilityZone]);
    const workload = subnetsOf(without);
    const all = subnetsOf(withDataTemplate);
    // The workload subnets keep their logical ids, ranges and zones.
    expect(all.slice(0, workload.length)).toEqual(workload);
    const data = all.filter(([id]) => String(id).startsWith('NetworkVpcDataSubnet'));
    expect(data.map(([, cidr, zone]) => [cidr, zone])).toEqual([
      ['10.10.2.0/24', 'eu-west-1a'],
      ['10.10.3.0/24', 'eu-west-1b'],
    ]);
    expect(stack.resolve(withData.vpc.selectSubnets(withData.dataSubnets).subnetIds)).toHaveLength(2);
    expect(stack.resolve(withData.vpc.selectSubnets(withData.privateSubnets).subnetIds)).toEqual(
      stack.resolve(withData.vpc.selectSubnets({ subnetGroupName: 'Private' }).subnetIds),
    );
    // No route at all from the data subnets, not even to S3; the endpoints stay in the workload subnets.
    const s3 = Object.values(withDataTemplate.findResources('AWS::EC2::VPCEndpoint')).find((endpoint) => endpoint.Properties.VpcEndpointType === 'Gateway');
    expect(JSON.stringify(s3?.Properties.RouteTableIds)).not.toContain('DataSubnet');
    withDataTemplate.resourceCountIs('AWS::EC2::Route', 0);
    for (const endpoint of Object.values(withDataTemplate.findResources('AWS::EC2::VPCEndpoint')).filter((candidate) => candidate.Properties.VpcEndpointType === 'Interface')) {
      expect(JSON.stringify(endpoint.Properties.SubnetIds)).not.toContain('DataSubnet');
    }
    expect(stackWith().network.dataSubnets).toBeUndefined();
  });

  it('fails when both zone names and zone IDs are given, or neither', () => {
    expect(() => stackWith({ availabilityZoneIds: ['euw1-az1', 'euw1-az2'] })).toThrow(
      /give exactly one of availabilityZones and availabilityZoneIds/,
    );
    expect(() => stackWith({ availabilityZones: undefined })).toThrow(/give exactly one of availabilityZones and availabilityZoneIds/);
  });

  it('fails when a zone ID is not a zone ID', () => {
    expect(() => stackWith({ availabilityZones: undefined, availabilityZoneIds: ['euw1-az1', 'eu-west-1b'] })).toThrow(
      /availabilityZoneIds must be zone IDs such as euw1-az1, got \["eu-west-1b"\]/,
    );
  });

  it('fails when the subnet size is out of range', () => {
    expect(() => stackWith({ subnetCidrMask: 30 })).toThrow(/subnetCidrMask must be between 16 and 28, got 30/);
  });
});
