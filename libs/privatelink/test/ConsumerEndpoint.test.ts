import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsumerEndpoint, type ConsumerEndpointProps } from '../src/index';

const env = { account: '222222222222', region: 'eu-west-1' };

function build(props: Partial<ConsumerEndpointProps> = {}, adjust?: (endpoint: ConsumerEndpoint) => void) {
  const stack = new Stack(new App(), 'Consumer', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const clients = new ec2.SecurityGroup(stack, 'Clients', { vpc });
  const serviceName = new CfnParameter(stack, 'ServiceName', { type: 'String' }).valueAsString;
  const endpoint = new ConsumerEndpoint(stack, 'Api', {
    vpc,
    serviceName,
    port: 80,
    allowedPeers: [ec2.Peer.ipv4('10.20.0.0/20'), clients],
    ...props,
  });
  adjust?.(endpoint);
  return { stack, endpoint, template: Template.fromStack(stack) };
}

describe('ConsumerEndpoint', () => {
  let stack: Stack;
  let endpoint: ConsumerEndpoint;
  let template: Template;

  beforeAll(() => {
    ({ stack, endpoint, template } = build());
  });

  it('creates an interface endpoint to the given service in one private subnet per AZ, without private DNS', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: { Ref: 'ServiceName' },
      PrivateDnsEnabled: false,
      SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }]),
    });
  });

  it('gives the endpoint its own security group admitting the service port only from the named peers', () => {
    const sgId = stack.resolve((endpoint.securityGroup.node.defaultChild as ec2.CfnSecurityGroup).logicalId) as string;
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      SecurityGroupIds: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
    });
    const group = template.toJSON().Resources[sgId];
    expect(group.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '10.20.0.0/20', IpProtocol: 'tcp', FromPort: 80, ToPort: 80 }),
    ]);
    expect(group.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Clients'), 'GroupId'] },
      FromPort: 80,
      ToPort: 80,
    });
  });

  it("exposes the endpoint's regional DNS name", () => {
    expect(stack.resolve(endpoint.dnsName)).toEqual({
      'Fn::Select': [
        1,
        { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [expect.stringMatching(/^ApiEndpoint/), 'DnsEntries'] }] }] },
      ],
    });
  });

  it('admits more clients later through connections', () => {
    const { template: before } = build({ allowedPeers: [] });
    const none = before.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('^Interface endpoint') },
    });
    expect(Object.values(none)[0]?.Properties.SecurityGroupIngress).toBeUndefined();
    const { template: after } = build({ allowedPeers: [] }, (created) =>
      created.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.99.0.0/24')),
    );
    const sg = after.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('^Interface endpoint') },
    });
    expect(Object.values(sg)[0]?.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '10.99.0.0/24', FromPort: 80 }),
    ]);
  });

  it('fails when a peer is the whole internet', () => {
    expect(() => build({ allowedPeers: [ec2.Peer.anyIpv6()] })).toThrow(
      /allowedPeers\[0\] must not admit the whole internet, got ::\/0/,
    );
  });

  it('fails when the service name is not an endpoint service name', () => {
    expect(() => build({ serviceName: 'my-api.example.com' })).toThrow(
      /serviceName must be an endpoint service name .* got my-api\.example\.com/,
    );
  });

  it('fails when the port is out of range', () => {
    expect(() => build({ port: 70000 })).toThrow(/port must be a port between 1 and 65535, got 70000/);
  });
});
