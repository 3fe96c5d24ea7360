import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { NO_TRAFFIC_EGRESS, NoImplicitEgress, PrivateLinkChecks } from '../src/index';

const NO_TRAFFIC = {
  CidrIp: NO_TRAFFIC_EGRESS.cidrIp,
  IpProtocol: 'icmp',
  FromPort: 252,
  ToPort: 86,
  Description: NO_TRAFFIC_EGRESS.description,
};

/** A task-like group that may only reach an endpoint-like group: CDK writes that rule as its own resource. */
function build(withAspect: boolean): { stack: Stack; task: ec2.SecurityGroup; open: ec2.SecurityGroup } {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  if (withAspect) NoImplicitEgress.applyTo(stack);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    restrictDefaultSecurityGroup: false,
  });
  const endpoint = new ec2.SecurityGroup(stack, 'Endpoint', { vpc, allowAllOutbound: false });
  const task = new ec2.SecurityGroup(stack, 'Task', { vpc, allowAllOutbound: false });
  task.connections.allowTo(endpoint, ec2.Port.tcp(443));
  const open = new ec2.SecurityGroup(stack, 'Open', { vpc, allowAllOutbound: true });
  return { stack, task, open };
}

function egressOf(stack: Stack, group: ec2.SecurityGroup): unknown {
  const logicalId = stack.getLogicalId(group.node.defaultChild as ec2.CfnSecurityGroup);
  return Template.fromStack(stack).toJSON().Resources[logicalId].Properties.SecurityGroupEgress;
}

function sg2Findings(stack: Stack): string[] {
  (stack.node.root as App).synth();
  return new PrivateLinkChecks(undefined)
    .validateScope(stack)
    .violations.filter((violation) => violation.ruleName === 'PrivateLink-SG2')
    .flatMap((violation) => violation.violatingResources.map((resource) => resource.constructPath ?? ''));
}

describe('NoImplicitEgress and PrivateLink-SG2', () => {
  it('without the aspect, a group whose only rule is a standalone one has no inline egress (EC2 adds allow-all) and SG2 fails it', () => {
    const { stack, task } = build(false);
    expect(egressOf(stack, task)).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
    expect(sg2Findings(stack)).toEqual(['Test/Task/Resource']);
  });

  it('with the aspect, that group keeps the no-traffic rule next to its standalone rule, and SG2 passes', () => {
    const { stack, task } = build(true);
    expect(egressOf(stack, task)).toEqual([NO_TRAFFIC]);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupEgress', { IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    expect(sg2Findings(stack)).toEqual([]);
  });

  it('leaves a group with inline rules as written (an explicit allow-all stays visible to the other rules)', () => {
    const { stack, open } = build(true);
    expect(egressOf(stack, open)).toEqual([{ CidrIp: '0.0.0.0/0', Description: 'Allow all outbound traffic by default', IpProtocol: '-1' }]);
  });
});
