import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  DeploymentConfigError,
  loadDeploymentConfig,
  selectEnvironment,
  parseDeploymentConfig,
  type EnvironmentConfig,
  type DeploymentConfigInput,
} from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProviderStage } from '../src/index';

const exampleConfig = resolve(import.meta.dirname, '../../../deploy.config.ts');

/** Synthesizes the real provider stage (after `breakIt`) and returns the failing rule ids. */
function findingsAfter(config: EnvironmentConfig, breakIt: (stage: ProviderStage) => void = () => undefined): string[] {
  const app = new PrivateApiApp({ outdir: mkdtempSync(join(tmpdir(), 'provider-nag-')) });
  breakIt(new ProviderStage(app, 'Provider', { config }));
  return unacknowledgedFindings(app).map((finding) => finding.rule);
}

describe('provider stage compliance (AwsSolutions + PrivateLink packs)', () => {
  let config: EnvironmentConfig;

  beforeAll(async () => {
    config = selectEnvironment(await loadDeploymentConfig(exampleConfig), 'staging');
  });

  it('synthesizes the unmodified stage with zero unacknowledged findings', () => {
    expect(findingsAfter(config)).toEqual([]);
  });

  it('fails with PrivateLink-EPS2 when acceptance is turned off in the config', async () => {
    const file = structuredClone(await loadDeploymentConfig(exampleConfig)) as unknown as {
      environments: { provider: { acceptanceRequired: boolean } }[];
    };
    for (const environment of file.environments) environment.provider.acceptanceRequired = false;
    const relaxed = selectEnvironment(parseDeploymentConfig(file), 'staging');
    expect(findingsAfter(relaxed)).toEqual(['PrivateLink-EPS2']);
  });

  it('rejects a * principal in the config before any template exists, naming the field', async () => {
    const input = structuredClone(await loadDeploymentConfig(exampleConfig)) as unknown as {
      environments: { consumers: { principalArn?: string }[] }[];
    };
    const first = input.environments[0]?.consumers[0];
    if (first) first.principalArn = '*';
    expect(() => parseDeploymentConfig(input as unknown as DeploymentConfigInput)).toThrow(DeploymentConfigError);
    expect(() => parseDeploymentConfig(input as unknown as DeploymentConfigInput)).toThrow(
      /environments\[0\]\.consumers\[0\]\.principalArn: must not contain a wildcard/,
    );
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
      stage.serviceStack.privateLink.alb.connections.allowFrom(ec2.Peer.ipv4('10.10.0.0/16'), ec2.Port.tcp(80));
    });
    expect(findings).toEqual(['PrivateLink-ALB2']);
  });

  it('fails with PrivateLink-ECS1 when the service gives its tasks public IPs', () => {
    const findings = findingsAfter(config, (stage) => {
      const service = stage.serviceStack.service.node.defaultChild as ecs.CfnService;
      const network = stage.serviceStack.resolve(service.networkConfiguration) as {
        awsvpcConfiguration: Record<string, unknown>;
      };
      service.networkConfiguration = { awsvpcConfiguration: { ...network.awsvpcConfiguration, assignPublicIp: 'ENABLED' } as never };
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
});
