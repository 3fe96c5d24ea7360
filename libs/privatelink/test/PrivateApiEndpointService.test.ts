import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { PrivateApiEndpointService, type PrivateApiEndpointServiceProps } from '../src/index';

const env = { account: '111111111111', region: 'eu-west-1' };

function build(props: Partial<PrivateApiEndpointServiceProps> = {}) {
  const stack = new Stack(new App(), 'Provider', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const service = new PrivateApiEndpointService(stack, 'Api', {
    vpc,
    allowedPrincipals: [new iam.AccountPrincipal('222222222222'), new iam.AccountPrincipal('333333333333')],
    privateLinkClientPeers: [ec2.Peer.ipv4('10.20.0.0/16'), ec2.Peer.ipv4('10.30.0.0/16')],
    ...props,
  });
  const workload = new ec2.SecurityGroup(stack, 'Workload', { vpc, allowAllOutbound: false });
  service.addTargets('Service', {
    port: 8080,
    targets: [new elbv2Targets.IpTarget('10.0.0.10')],
  });
  service.alb.connections.allowTo(workload, ec2.Port.tcp(8080));
  return { stack, service, template: Template.fromStack(stack) };
}

/** The logical id of the resource at `construct` (its default child). */
function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.resolve((construct.node.defaultChild as ec2.CfnSecurityGroup).logicalId) as string;
}

describe('PrivateApiEndpointService', () => {
  let stack: Stack;
  let service: PrivateApiEndpointService;
  let template: Template;
  let nlbSg: string;
  let albSg: string;

  beforeAll(() => {
    ({ stack, service, template } = build());
    nlbSg = logicalId(stack, service.nlbSecurityGroup);
    albSg = logicalId(stack, service.albSecurityGroup);
  });

  it('creates an internal ALB that drops invalid header fields and is deletion-protected', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'application',
      Scheme: 'internal',
      SecurityGroups: [{ 'Fn::GetAtt': [albSg, 'GroupId'] }],
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
  });

  it('creates an internal NLB with its own security group, cross-zone on, enforcing its rules on PrivateLink traffic', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
      SecurityGroups: [{ 'Fn::GetAtt': [nlbSg, 'GroupId'] }],
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'on',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]),
    });
  });

  it('forwards the NLB TCP listener to a target group of type alb that targets the ALB listener', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'TCP',
      Port: 80,
      LoadBalancerArn: { Ref: Match.stringLikeRegexp('^ApiNlb') },
    });
    const groups = template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Properties: { TargetType: 'alb' },
    });
    expect(Object.keys(groups)).toHaveLength(1);
    const [group] = Object.values(groups);
    expect(group?.Properties).toMatchObject({
      Protocol: 'TCP',
      Port: 80,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/healthz',
      Targets: [{ Id: { Ref: expect.stringMatching(/^ApiAlb[0-9A-F]+$/) }, Port: 80 }],
    });
    // aws-cdk#17208: the target group is created only after the ALB listener exists
    expect(group?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ApiAlbListener/)]));
  });

  it('lets the ALB listener admit nothing but the NLB security group', () => {
    const albGroup = template.toJSON().Resources[albSg];
    expect(albGroup.Properties.SecurityGroupIngress ?? []).toEqual([]);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [albSg, 'GroupId'] } },
    }));
    expect(ingress.map((rule) => rule.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 80,
        ToPort: 80,
        SourceSecurityGroupId: { 'Fn::GetAtt': [nlbSg, 'GroupId'] },
      }),
    ]);
  });

  it('admits the consumer client ranges, and only them, on the NLB listener port', () => {
    const nlbGroup = template.toJSON().Resources[nlbSg];
    expect(nlbGroup.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '10.20.0.0/16', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
      expect.objectContaining({ CidrIp: '10.30.0.0/16', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [nlbSg, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [albSg, 'GroupId'] },
      FromPort: 80,
      ToPort: 80,
    });
  });

  it('lets the workload admit only the ALB security group on its port', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Workload'), 'GroupId'] } },
    }));
    expect(ingress.map((rule) => rule.Properties)).toEqual([
      expect.objectContaining({ FromPort: 8080, SourceSecurityGroupId: { 'Fn::GetAtt': [albSg, 'GroupId'] } }),
    ]);
  });

  it('routes the ALB listener to the targets with a health check on /healthz', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      HealthCheckPath: '/healthz',
      Matcher: { HttpCode: '200' },
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      Port: 80,
      LoadBalancerArn: { Ref: Match.stringLikeRegexp('^ApiAlb') },
    });
  });

  it('exposes the NLB through an endpoint service that requires acceptance and allows the consumer accounts', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpointService', {
      AcceptanceRequired: true,
      NetworkLoadBalancerArns: [{ Ref: Match.stringLikeRegexp('^ApiNlb') }],
    });
    const permissions = Object.values(template.findResources('AWS::EC2::VPCEndpointServicePermissions'));
    expect(permissions).toHaveLength(1);
    expect(stack.resolve(permissions[0]?.Properties.AllowedPrincipals)).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::333333333333:root']] },
    ]);
    expect(stack.resolve(service.serviceName)).toEqual({
      'Fn::Join': ['.', ['com.amazonaws.vpce', { Ref: 'AWS::Region' }, { Ref: expect.stringMatching(/^ApiEndpointService/) }]],
    });
  });

  it('terminates TLS at the ALB and passes TCP 443 through the NLB when given a certificate', () => {
    const { template: tls } = build({
      certificate: elbv2.ListenerCertificate.fromArn(
        'arn:aws:acm:eu-west-1:111111111111:certificate/12345678-1234-1234-1234-123456789012',
      ),
    });
    tls.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Port: 443,
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    tls.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'TCP', Port: 443 });
    tls.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'alb',
      Port: 443,
      HealthCheckProtocol: 'HTTPS',
    });
  });

  it('sends connection events to the given topic', () => {
    const topicStack = new Stack(new App(), 'Topic', { env });
    const topic = sns.Topic.fromTopicArn(topicStack, 'T', 'arn:aws:sns:eu-west-1:111111111111:endpoint-events');
    const { template: notified } = build({ connectionNotificationTopic: topic });
    notified.hasResourceProperties('AWS::EC2::VPCEndpointConnectionNotification', {
      ConnectionNotificationArn: 'arn:aws:sns:eu-west-1:111111111111:endpoint-events',
      ConnectionEvents: ['Connect', 'Accept', 'Reject', 'Delete'],
      ServiceId: { Ref: Match.stringLikeRegexp('^ApiEndpointService') },
    });
  });

  it('adds no client rule to the NLB when PrivateLink enforcement is off', () => {
    const { template: relaxed, stack: relaxedStack, service: relaxedService } = build({
      enforceInboundRulesOnPrivateLinkTraffic: false,
    });
    relaxed.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off',
    });
    const group = relaxed.toJSON().Resources[logicalId(relaxedStack, relaxedService.nlbSecurityGroup)];
    expect(group.Properties.SecurityGroupIngress ?? []).toEqual([]);
  });

  it('honours acceptanceRequired: false and deletionProtection: false', () => {
    const { template: open } = build({ acceptanceRequired: false, deletionProtection: false });
    open.hasResourceProperties('AWS::EC2::VPCEndpointService', { AcceptanceRequired: false });
    open.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'application',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
  });

  it('fails when no principal is allowed', () => {
    expect(() => build({ allowedPrincipals: [] })).toThrow(/allowedPrincipals must name at least one account or role, got \[\]/);
  });

  it('fails when a principal is a wildcard', () => {
    expect(() => build({ allowedPrincipals: [new iam.ArnPrincipal('*')] })).toThrow(
      /allowedPrincipals\[0\] must not contain a wildcard, got \*/,
    );
    expect(() => build({ allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::222222222222:role/*')] })).toThrow(
      /allowedPrincipals\[0\] must not contain a wildcard/,
    );
  });

  it('fails when a principal is neither an account root nor a role', () => {
    expect(() => build({ allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::222222222222:user/bob')] })).toThrow(
      /allowedPrincipals\[0\] must be an account root or role ARN, got arn:aws:iam::222222222222:user\/bob/,
    );
  });

  it('fails when enforcement is on and no client range is given', () => {
    expect(() => build({ privateLinkClientPeers: [] })).toThrow(/privateLinkClientPeers must name the consumers' client ranges/);
  });

  it('fails when a client range is the whole internet', () => {
    expect(() => build({ privateLinkClientPeers: [ec2.Peer.anyIpv4()] })).toThrow(
      /privateLinkClientPeers\[0\] must not admit the whole internet, got 0\.0\.0\.0\/0/,
    );
  });

  it('fails when the listener port is out of range', () => {
    expect(() => build({ listenerPort: 0 })).toThrow(/listenerPort must be a port between 1 and 65535, got 0/);
  });
});
