import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { requirePipeline } from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { fixtureConfig } from '@private-api/testing';
import { describe, expect, it } from 'vitest';
import { acknowledgeGeneratedPolicies } from '../src/acknowledgeGeneratedPolicies';

const { account, region } = requirePipeline(fixtureConfig(), 'the test');

/** Synthesizes with both packs and returns the unacknowledged IAM5 findings as `rule @ path`. */
function unacknowledged(build: (stack: Stack) => void): string[] {
  const outdir = mkdtempSync(join(tmpdir(), 'ack-'));
  try {
    const app = new PrivateApiApp({ outdir });
    build(new Stack(app, 'Test', { env: { account, region } }));
    return unacknowledgedFindings(app)
      .filter((finding) => finding.rule.startsWith('AwsSolutions-IAM5'))
      .flatMap((finding) => finding.constructPaths.map((path) => `${finding.rule} @ ${path}`));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function codeBuildRole(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
}

describe('acknowledgeGeneratedPolicies', () => {
  it('acknowledges the listed artifact-bucket wildcards on the scoped roles only', () => {
    // GIVEN two roles with the same S3 read grant, only one inside the acknowledged scope
    const findings = unacknowledged((stack) => {
      const bucket = new s3.Bucket(stack, 'Artifacts', { enforceSSL: true });
      const inside = codeBuildRole(stack, 'Inside');
      const outside = codeBuildRole(stack, 'Outside');
      bucket.grantRead(inside);
      bucket.grantRead(outside);
      // WHEN the pass runs on the first role
      expect(acknowledgeGeneratedPolicies([inside])).toBeGreaterThan(0);
    });
    // THEN the second role's findings still fail synth, the first role's do not
    expect(findings).toContain('AwsSolutions-IAM5[Action::s3:GetObject*] @ Test/Outside/DefaultPolicy/Resource');
    expect(findings.filter((finding) => finding.includes('@ Test/Inside/'))).toEqual([]);
  });

  it('never acknowledges Resource::* outside the paths CDK Pipelines generates', () => {
    let acknowledged = -1;
    const findings = unacknowledged((stack) => {
      const role = codeBuildRole(stack, 'Runner');
      role.addToPolicy(new iam.PolicyStatement({ actions: ['codebuild:StartBuild'], resources: ['*'] }));
      acknowledged = acknowledgeGeneratedPolicies([role]);
    });
    expect(acknowledged).toBe(0);
    expect(findings).toEqual(['AwsSolutions-IAM5[Resource::*] @ Test/Runner/DefaultPolicy/Resource']);
  });
});
