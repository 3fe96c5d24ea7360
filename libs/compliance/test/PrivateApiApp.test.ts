import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { ComplianceError, PrivateApiApp, unacknowledgedFindings } from '../src/index';

function appWithOpenSsh(acknowledge = false): PrivateApiApp {
  const app = new PrivateApiApp({ outdir: mkdtempSync(join(tmpdir(), 'app-')) });
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-12345678', availabilityZones: ['eu-west-1a'] });
  const group = new ec2.SecurityGroup(stack, 'Open', { vpc, description: 'open' });
  group.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
  if (acknowledge) {
    for (const id of ['PrivateLink::PrivateLink-SG1', 'AwsSolutions::AwsSolutions-EC23']) {
      Validations.of(group).acknowledge({ id, reason: 'test: a bastion group reviewed elsewhere' });
    }
  }
  return app;
}

describe('PrivateApiApp', () => {
  it('fails synth with one message naming the rule, the construct path, the fix and how to acknowledge', () => {
    expect(() => appWithOpenSsh().synth()).toThrow(ComplianceError);
    const message = (() => {
      try {
        appWithOpenSsh().synth();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/^compliance checks failed with \d+ finding\(s\)/);
    expect(message).toContain('  PrivateLink-SG1 (PrivateLink)\n    at Test/Open/Resource\n');
    expect(message).toContain('Fix: remove the rule');
    expect(message).toContain("Validations.of(resource).acknowledge({ id: 'PrivateLink::PrivateLink-SG1', reason: '…' })");
  });

  it('returns the findings of a failing app, and none once they are acknowledged on the resource', () => {
    const rules = unacknowledgedFindings(appWithOpenSsh()).map((finding) => finding.rule);
    expect(rules).toEqual(expect.arrayContaining(['PrivateLink-SG1', 'AwsSolutions-EC23']));
    const afterAcknowledgement = unacknowledgedFindings(appWithOpenSsh(true)).map((finding) => finding.rule);
    expect(afterAcknowledgement).not.toContain('PrivateLink-SG1');
    expect(afterAcknowledgement).not.toContain('AwsSolutions-EC23');
  });
});
