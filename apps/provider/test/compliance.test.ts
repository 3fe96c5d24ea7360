import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeploymentConfigError, parseDeploymentConfig, type EnvironmentConfig } from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { fixtureEnvironment, fixtureInput } from '@private-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderStage } from '../src/index';

const outdirs: string[] = [];

/** Synthesizes the real provider stage (after `breakIt`) and returns the failing rule ids. */
function findingsAfter(config: EnvironmentConfig, breakIt: (stage: ProviderStage) => void = () => undefined): string[] {
  const outdir = mkdtempSync(join(tmpdir(), 'provider-nag-'));
  outdirs.push(outdir);
  const app = new PrivateApiApp({ outdir });
  breakIt(new ProviderStage(app, 'Provider', { config }));
  return unacknowledgedFindings(app).map((finding) => finding.rule);
}

describe('provider stage compliance (AwsSolutions + PrivateLink packs)', () => {
  let config: EnvironmentConfig;

  beforeAll(() => {
    config = fixtureEnvironment('qa');
  });

  afterAll(() => {
    for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
  });

  it('synthesizes the unmodified stage with zero unacknowledged findings', () => {
    expect(findingsAfter(config)).toEqual([]);
  });

  it('fails with PrivateLink-EPS2 when acceptance is turned off in the config', () => {
    const relaxed = fixtureEnvironment('qa', (input) => {
      for (const environment of input.environments) environment.provider.acceptanceRequired = false;
    });
    expect(findingsAfter(relaxed)).toEqual(['PrivateLink-EPS2']);
  });

  it('rejects a * principal in the config before any template exists, naming the field', () => {
    const input = fixtureInput((edit) => {
      const first = edit.environments[0]?.consumers[0];
      if (first) first.principalArn = '*';
    });
    expect(() => parseDeploymentConfig(input)).toThrow(DeploymentConfigError);
    expect(() => parseDeploymentConfig(input)).toThrow(/environments\[0\]\.consumers\[0\]\.principalArn: must not contain a wildcard/);
  });

  it('fails with PrivateLink-EPS1 when a * principal slips in below the config (L1 escape hatch)', () => {
    const findings = findingsAfter(config, (stage) => {
      const permissions = stage.serviceStack.privateLink.endpointService.node
        .findAll()
        .find((child): child is ec2.CfnVPCEndpointServicePermissions => child instanceof ec2.CfnVPCEndpointServicePermissions);
      if (!permissions) throw new Error('no permissions resource');
      permissions.allowedPrincipals = ['*'];
    });
    expect(findings).toEqual(['PrivateLink-EPS1']);
  });

  it('fails with PrivateLink-ALB2 when the ALB admits a CIDR', () => {
    const findings = findingsAfter(config, (stage) => {
      stage.serviceStack.privateLink.alb.connections.allowFrom(ec2.Peer.ipv4(config.provider.vpcCidr), ec2.Port.tcp(80));
    });
    expect(findings).toEqual(['PrivateLink-ALB2']);
  });

  it('fails with PrivateLink-ECS1 when the service gives its tasks public IPs', () => {
    const findings = findingsAfter(config, (stage) => {
      const service = stage.serviceStack.service.node.defaultChild as ecs.CfnService;
      const network = stage.serviceStack.resolve(service.networkConfiguration) as {
        awsvpcConfiguration: ecs.CfnService.AwsVpcConfigurationProperty;
      };
      service.networkConfiguration = { awsvpcConfiguration: { ...network.awsvpcConfiguration, assignPublicIp: 'ENABLED' } };
    });
    expect(findings).toContain('PrivateLink-ECS1');
  });

  it('fails with PrivateLink-SG1 (and AwsSolutions-EC23) when any group opens SSH to the internet', () => {
    const findings = findingsAfter(config, (stage) => {
      const group = stage.serviceStack.service.connections.securityGroups[0];
      group?.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    });
    expect(findings).toEqual(expect.arrayContaining(['PrivateLink-SG1', 'PrivateLink-ECS2', 'AwsSolutions-EC23']));
  });

  it('keeps the execution role acknowledgement to the one wildcard ECR needs: a wildcard secret read is a finding', () => {
    const findings = findingsAfter(config, (stage) => {
      const { account, region } = config.provider;
      stage.serviceStack.taskDefinition.obtainExecutionRole().addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [`arn:aws:secretsmanager:${region}:${account}:secret:*`],
        }),
      );
    });
    const { account, region } = config.provider;
    expect(findings).toEqual([`AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:${region}:${account}:secret:*]`]);
  });
});
